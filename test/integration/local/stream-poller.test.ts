/**
 * The local DynamoDB Streams event source against DynamoDB Local, with the publish mapping's filter taken
 * from the CDK stack: only records whose new image is final reach the handler, once each, in order;
 * partial batch responses resume from the failed record; a failing record is isolated by bisecting and
 * parked in the on-failure destination after the retry limit.
 */
import { randomUUID } from 'node:crypto';
import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FINAL_STATUSES } from '../../../shared/record/upload-record.ts';
import { createUploadsTable } from '../../../shared/store/index.ts';
import { dev } from '../../../infra/config/index.ts';
import { loadStackDefinitions } from '../../../infra/local/runner/stack-definitions.ts';
import {
  matchesPattern,
  passesFilters,
  type FilterPattern,
} from '../../../infra/local/runner/event-sources/filter-criteria.ts';
import {
  startStreamPoller,
  type StreamFailurePointer,
  type StreamHandler,
  type StreamPoller,
} from '../../../infra/local/runner/event-sources/stream-poller.ts';
import { startTestEnvironment, waitFor, type TestEnvironment } from '../../support/index.ts';

let env: TestEnvironment;
let filters: FilterPattern[];
const pollers: StreamPoller[] = [];

beforeAll(async () => {
  [env, { publishStreamFilters: filters }] = await Promise.all([
    startTestEnvironment({ dynamodb: true }),
    loadStackDefinitions(dev),
  ]);
});
afterEach(async () => {
  await Promise.all(pollers.splice(0).map((p) => p.stop({ graceMs: 2000 })));
});
afterAll(() => env?.stop());

async function table(): Promise<{ name: string; streamArn: string }> {
  const name = `uploads-${randomUUID().slice(0, 8)}`;
  await createUploadsTable(env.clients.dynamodb, name);
  const described = await env.clients.dynamodb.send(new DescribeTableCommand({ TableName: name }));
  return { name, streamArn: described.Table?.LatestStreamArn as string };
}

function start(
  streamArn: string,
  handler: StreamHandler,
  extra: {
    onFailure?: (p: StreamFailurePointer) => Promise<void>;
    batchSize?: number;
    retryAttempts?: number;
    onRecords?: (r: DynamoDBRecord[]) => void;
  } = {},
): StreamPoller {
  const poller = startStreamPoller({
    streams: env.clients.dynamodbStreams,
    streamArn,
    startingPosition: 'TRIM_HORIZON',
    batchSize: extra.batchSize ?? 10,
    maxBatchingWindowSeconds: 0.2,
    retryAttempts: extra.retryAttempts ?? 2,
    maxRecordAgeSeconds: 3600,
    bisectBatchOnError: true,
    filters,
    handler,
    function: { functionName: 'publish-test', timeoutSeconds: 5, memoryMb: 128 },
    retryDelayMs: () => 20,
    pollIntervalMs: 100,
    ...(extra.onFailure ? { onFailure: extra.onFailure } : {}),
    ...(extra.onRecords ? { onRecords: extra.onRecords } : {}),
  });
  pollers.push(poller);
  return poller;
}

async function write(tableName: string, objectId: string, status: string): Promise<void> {
  await env.clients.documentClient.send(
    new PutCommand({ TableName: tableName, Item: { objectId, status, key: objectId } }),
  );
}

async function setStatus(tableName: string, objectId: string, status: string): Promise<void> {
  await env.clients.documentClient.send(
    new UpdateCommand({
      TableName: tableName,
      Key: { objectId },
      UpdateExpression: 'SET #s = :s',
      ExpressionAttributeNames: { '#s': 'status' },
      ExpressionAttributeValues: { ':s': status },
    }),
  );
}

const statusOf = (r: DynamoDBRecord): string | undefined => r.dynamodb?.NewImage?.['status']?.S;
const idOf = (r: DynamoDBRecord): string | undefined => r.dynamodb?.NewImage?.['objectId']?.S;

describe('stream poller', () => {
  it('delivers only records whose new image is final, each once, in the shape Lambda delivers', async () => {
    // Prepare
    const t = await table();
    const delivered: DynamoDBRecord[] = [];
    const tapped: DynamoDBRecord[] = [];
    await write(t.name, 'a', 'Received');
    await setStatus(t.name, 'a', 'Submitted');
    await setStatus(t.name, 'a', 'Processing');
    await setStatus(t.name, 'a', 'Active');
    await write(t.name, 'b', 'Rejected');
    await write(t.name, 'c', 'Received');
    await setStatus(t.name, 'c', 'Submitted');
    // Act
    start(
      t.streamArn,
      async (event) => {
        delivered.push(...event.Records);
      },
      { onRecords: (r) => tapped.push(...r) },
    );
    await waitFor(() => delivered.length >= 2 && tapped.length >= 7, { what: 'the final records', timeoutMs: 15_000 });
    await new Promise((r) => setTimeout(r, 600));
    // Assess
    expect(tapped).toHaveLength(7);
    expect(delivered.map((r) => [idOf(r), statusOf(r)])).toEqual([
      ['a', 'Active'],
      ['b', 'Rejected'],
    ]);
    const record = delivered[0] as DynamoDBRecord;
    expect(record).toMatchObject({
      eventSource: 'aws:dynamodb',
      eventName: 'MODIFY',
      eventSourceARN: t.streamArn,
      awsRegion: 'us-east-1',
    });
    expect(record.dynamodb?.OldImage?.['status']?.S).toBe('Processing');
    expect(record.dynamodb?.StreamViewType).toBe('NEW_AND_OLD_IMAGES');
    expect(typeof record.dynamodb?.ApproximateCreationDateTime).toBe('number');
    expect(record.dynamodb?.SequenceNumber).toMatch(/^\d+$/);
  });

  it('resumes after the first failed record of a partial batch response', async () => {
    // Prepare
    const t = await table();
    const calls: string[][] = [];
    for (const id of ['p1', 'p2', 'p3']) await write(t.name, id, 'Active');
    let failedOnce = false;
    // Act
    start(t.streamArn, async (event) => {
      calls.push(event.Records.map((r) => idOf(r) ?? ''));
      const p2 = event.Records.find((r) => idOf(r) === 'p2');
      if (p2 && !failedOnce) {
        failedOnce = true;
        return { batchItemFailures: [{ itemIdentifier: p2.dynamodb?.SequenceNumber as string }] };
      }
      return { batchItemFailures: [] };
    });
    await waitFor(() => calls.length >= 2, { what: 'the retry', timeoutMs: 15_000 });
    // Assess
    expect(calls[0]).toEqual(['p1', 'p2', 'p3']);
    expect(calls[1]).toEqual(['p2', 'p3']);
  });

  it('bisects a failing batch, delivers the good records and parks the bad one after the retry limit', async () => {
    // Prepare
    const t = await table();
    const delivered = new Set<string>();
    const failures: StreamFailurePointer[] = [];
    for (const id of ['g1', 'g2', 'bad', 'g3']) await write(t.name, id, 'Failed');
    // Act
    const poller = start(
      t.streamArn,
      async (event) => {
        if (event.Records.some((r) => idOf(r) === 'bad')) throw new Error('cannot publish');
        for (const r of event.Records) delivered.add(idOf(r) ?? '');
      },
      { retryAttempts: 2, onFailure: async (p) => void failures.push(p) },
    );
    await waitFor(() => failures.length === 1 && delivered.size === 3, { what: 'bisect to finish', timeoutMs: 15_000 });
    // Assess
    expect([...delivered].sort()).toEqual(['g1', 'g2', 'g3']);
    expect(failures[0]?.requestContext.condition).toBe('RetryAttemptsExhausted');
    expect(failures[0]?.DDBStreamBatchInfo).toMatchObject({ batchSize: 1, streamArn: t.streamArn });
    expect(poller.stats().recordsSentToFailureDestination).toBe(1);
  });

  it('starting at LATEST skips what was written before', async () => {
    // Prepare
    const t = await table();
    await write(t.name, 'old', 'Active');
    const delivered: string[] = [];
    // Act
    const poller = startStreamPoller({
      streams: env.clients.dynamodbStreams,
      streamArn: t.streamArn,
      startingPosition: 'LATEST',
      batchSize: 10,
      maxBatchingWindowSeconds: 0,
      retryAttempts: 0,
      maxRecordAgeSeconds: 3600,
      bisectBatchOnError: false,
      filters,
      handler: async (event) => void delivered.push(...event.Records.map((r) => idOf(r) ?? '')),
      function: { functionName: 'publish-test', timeoutSeconds: 5, memoryMb: 128 },
      pollIntervalMs: 100,
    });
    pollers.push(poller);
    await new Promise((r) => setTimeout(r, 800));
    await write(t.name, 'new', 'Active');
    await waitFor(() => delivered.length > 0, { what: 'the new record', timeoutMs: 10_000 });
    // Assess
    expect(delivered).toEqual(['new']);
  });
});

describe('publish filter criteria (from the CDK stack)', () => {
  const record = (status: string | undefined): unknown => ({
    eventName: 'MODIFY',
    dynamodb: { NewImage: status === undefined ? {} : { status: { S: status } } },
  });

  it('is the stack pattern: NewImage.status.S one of the final statuses', () => {
    expect(filters).toEqual([{ dynamodb: { NewImage: { status: { S: [...FINAL_STATUSES] } } } }]);
  });

  it('passes every final status and nothing else', () => {
    for (const status of FINAL_STATUSES) expect(passesFilters(filters, record(status))).toBe(true);
    for (const status of ['Received', 'Submitted', 'Processing', 'Uploaded', undefined])
      expect(passesFilters(filters, record(status))).toBe(false);
    expect(passesFilters(filters, { eventName: 'REMOVE', dynamodb: { OldImage: { status: { S: 'Active' } } } })).toBe(
      false,
    );
  });

  it('supports the other EventBridge-style rules', () => {
    const value = { a: { b: 'image.png', n: 5, list: ['x', 'y'] } };
    expect(matchesPattern({ a: { b: [{ prefix: 'image' }] } }, value)).toBe(true);
    expect(matchesPattern({ a: { b: [{ suffix: '.jpg' }] } }, value)).toBe(false);
    expect(matchesPattern({ a: { b: [{ 'anything-but': ['other'] }] } }, value)).toBe(true);
    expect(matchesPattern({ a: { n: [{ numeric: ['>', 3, '<=', 5] }] } }, value)).toBe(true);
    expect(matchesPattern({ a: { list: ['y'] } }, value)).toBe(true);
    expect(matchesPattern({ a: { missing: [{ exists: false }] } }, value)).toBe(true);
    expect(matchesPattern({ a: { b: [{ exists: true }] } }, value)).toBe(true);
    expect(matchesPattern({ a: { b: [{ 'equals-ignore-case': 'IMAGE.PNG' }] } }, value)).toBe(true);
  });
});
