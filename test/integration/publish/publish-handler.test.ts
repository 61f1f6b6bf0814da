/**
 * The publisher on the wire: the real SDK client against the EventBridge stand-in, with injected
 * partial failures (FailedEntryCount) and whole-request failures (500).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { Logger } from '@aws-lambda-powertools/logger';
import type { Context, DynamoDBStreamEvent } from 'aws-lambda';
import { localClientConfig, startTestEnvironment } from '../../support/index.ts';
import type { TestEnvironment } from '../../support/index.ts';
import {
  EVENT_SOURCE,
  PublishEventsError,
  createStreamPublisher,
  publishEvents,
  buildUploadEvent,
} from '../../../shared/events/index.ts';
import { detailValidator } from '../../support/event-schema.ts';
import { ALL_FINAL_STATUSES, enteringFinal, finalRecord } from '../../support/factories.ts';

const BUS = 'uploads-it';
const validate = detailValidator();
let env: TestEnvironment;
/** A client without SDK-level retries, so request counts are the publisher's own. */
let singleTryClient: EventBridgeClient;

beforeAll(async () => {
  env = await startTestEnvironment({ eventBridge: { knownBuses: [BUS] } });
  singleTryClient = new EventBridgeClient({ ...localClientConfig(env.endpoints.eventbridge ?? ''), maxAttempts: 1 });
});

afterAll(async () => {
  singleTryClient?.destroy();
  await env?.stop();
});

beforeEach(() => {
  env.eventBridge.resetFaults();
  env.eventBridge.clear();
});

function publisher(client: EventBridgeClient) {
  return createStreamPublisher({
    eventBridge: client,
    config: { stage: 'it', eventBusName: BUS },
    logger: new Logger({ serviceName: 'publish-it', logLevel: 'SILENT' }),
    count: () => undefined,
    publishOptions: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5 },
  });
}

const lambdaContext = {
  functionName: 'publish',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:publish',
  memoryLimitInMB: '256',
  awsRequestId: 'req-1',
  logGroupName: '/aws/lambda/publish',
  logStreamName: 'stream',
  callbackWaitsForEmptyEventLoop: false,
  getRemainingTimeInMillis: () => 30_000,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
} as Context;

describe('publish handler against the EventBridge stand-in', () => {
  it('puts one schema-valid event per final transition on the stage bus, from the deployed handler', async () => {
    // Prepare: the handler reads only STAGE and EVENT_BUS_NAME, and the SDK finds the stand-in by env.
    Object.assign(process.env, env.awsEnv, { STAGE: 'it', EVENT_BUS_NAME: BUS, POWERTOOLS_LOG_LEVEL: 'SILENT' });
    const { handler } = await import('../../../functions/publish/handler.ts');
    const event: DynamoDBStreamEvent = {
      Records: ALL_FINAL_STATUSES.map((status, i) =>
        enteringFinal(status, { objectId: `obj-${i}`, key: `k/${status}.png` }),
      ),
    };

    // Act
    const response = await handler(event, lambdaContext);

    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    const recorded = env.eventBridge.events({ busName: BUS, source: EVENT_SOURCE });
    expect(recorded.map((e) => e.detail['status'])).toEqual([...ALL_FINAL_STATUSES]);
    for (const event of recorded) expect(validate(event.detail).errors).toEqual([]);
    expect(recorded.map((e) => e.detailType)).toEqual([
      'Library File Uploaded',
      'Library File Failed',
      'Library File Failed',
      'Library File Failed',
      'Library File Rejected',
      'Library File Failed',
      'Library File Replaced',
      'Library File Removed',
    ]);
    expect(recorded[0]?.time).toBe('2026-03-02T10:00:42.500Z');
  });

  it('retries only the entries EventBridge failed (FailedEntryCount) and publishes every event once', async () => {
    // Prepare: the first two entries of the next request fail.
    env.eventBridge.failNextEntries(2);
    const records = [0, 1, 2, 3, 4].map((i) =>
      enteringFinal('Active', { objectId: `partial-${i}`, key: `p/${i}.png` }),
    );

    // Act
    const response = await publisher(singleTryClient)(records);

    // Assess
    expect(response.batchItemFailures).toEqual([]);
    expect(env.eventBridge.calls().map((c) => [c.entryCount, c.failedEntryCount])).toEqual([
      [5, 2],
      [2, 0],
    ]);
    const keys = env.eventBridge.events({ busName: BUS }).map((e) => (e.detail['object'] as { key: string }).key);
    expect(keys.sort()).toEqual(['p/0.png', 'p/1.png', 'p/2.png', 'p/3.png', 'p/4.png']);
  });

  it('gets past a 500 on the next try', async () => {
    // Prepare
    env.eventBridge.failNextRequests(1);

    // Act
    const result = await publishEvents(singleTryClient, [buildUploadEvent(finalRecord('Failed'), { stage: 'it' })], {
      eventBusName: BUS,
      baseDelayMs: 1,
    });

    // Assess
    expect(result.published).toHaveLength(1);
    expect(env.eventBridge.calls().map((c) => c.error !== undefined)).toEqual([true, false]);
  });

  it('reports the records of events still refused after every try, so the stream retries them', async () => {
    // Prepare: every request fails with a 500.
    env.eventBridge.failNextRequests(100);
    const records = [
      enteringFinal('Active', { objectId: 'down-1' }),
      enteringFinal('TimedOut', { objectId: 'down-2' }),
    ];

    // Act
    const response = await publisher(singleTryClient)(records);

    // Assess
    expect(response.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(
      records.map((r) => r.dynamodb?.SequenceNumber),
    );
    expect(env.eventBridge.calls()).toHaveLength(3);
    expect(env.eventBridge.events()).toEqual([]);
  });

  it('names the unpublished events in the error when giving up', async () => {
    // Prepare
    env.eventBridge.failNextEntries(100, { errorCode: 'ThrottlingException', errorMessage: 'Rate exceeded' });
    const event = buildUploadEvent(finalRecord('VirusFound'), { stage: 'it' });

    // Act
    const error = await publishEvents(singleTryClient, [event], {
      eventBusName: BUS,
      maxAttempts: 2,
      baseDelayMs: 1,
    }).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(PublishEventsError);
    expect((error as PublishEventsError).failed).toEqual([
      expect.objectContaining({ eventId: event.detail.eventId, errorCode: 'ThrottlingException', retryable: true }),
    ]);
  });
});
