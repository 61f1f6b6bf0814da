import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import {
  startEventBridgeStandIn,
  type EventBridgeStandIn,
  type EventEnvelope,
  type RecordedEvent,
} from '../../../infra/local/standins/eventbridge.ts';
import { localClientConfig } from '../../../infra/local/emulators/aws-endpoints.ts';
import { isPortListening } from '../../../infra/local/emulators/processes.ts';

const BUS = 'library-uploads-dev';
const entry = (n: number, overrides: Partial<PutEventsRequestEntry> = {}): PutEventsRequestEntry => ({
  Source: 'library-upload-pipeline',
  DetailType: 'Library Upload Succeeded',
  Detail: JSON.stringify({ n }),
  EventBusName: BUS,
  ...overrides,
});

describe('EventBridge stand-in', () => {
  let dir: string;
  let eventsFile: string;
  let standIn: EventBridgeStandIn;
  let client: EventBridgeClient;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'eventbridge-standin-'));
    eventsFile = join(dir, '.local', 'events.jsonl');
    standIn = await startEventBridgeStandIn({ eventsFile });
    client = new EventBridgeClient(localClientConfig(standIn.endpoint));
  });

  afterEach(() => {
    standIn.resetFaults();
    standIn.clear();
  });

  afterAll(async () => {
    client?.destroy();
    await standIn?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('accepts PutEvents from the SDK, assigns event ids and records each event with its bus', async () => {
    // Act
    const result = await client.send(
      new PutEventsCommand({ Entries: [entry(1), entry(2, { Resources: ['arn:aws:s3:::b/k'] })] }),
    );

    // Assess
    expect(standIn.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(result.FailedEntryCount).toBe(0);
    const ids = result.Entries?.map((e) => e.EventId);
    expect(ids).toHaveLength(2);
    expect(new Set(ids).size).toBe(2);
    const events = standIn.events();
    expect(events.map((e) => e.id)).toEqual(ids);
    expect(events[0]).toMatchObject({
      busName: BUS,
      eventBusName: BUS,
      source: 'library-upload-pipeline',
      detailType: 'Library Upload Succeeded',
      detail: { n: 1 },
      rawDetail: '{"n":1}',
      resources: [],
      region: 'us-east-1',
      account: '000000000000',
    });
    expect(events[1]?.resources).toEqual(['arn:aws:s3:::b/k']);
    expect(standIn.events({ busName: 'other' })).toEqual([]);
  });

  it('keeps the entry Time and reduces a bus ARN to its name', async () => {
    const time = new Date('2030-01-02T03:04:05.000Z');
    await client.send(
      new PutEventsCommand({
        Entries: [entry(1, { Time: time, EventBusName: `arn:aws:events:us-east-1:000000000000:event-bus/${BUS}` })],
      }),
    );
    expect(standIn.events()[0]).toMatchObject({ time: time.toISOString(), busName: BUS });
  });

  it('appends accepted events to the JSONL file as EventBridge envelopes, and emits them', async () => {
    // Prepare
    const emitted: RecordedEvent[] = [];
    const listener = (e: RecordedEvent): void => void emitted.push(e);
    standIn.on('event', listener);

    // Act
    await client.send(new PutEventsCommand({ Entries: [entry(10)] }));
    standIn.off('event', listener);
    await client.send(new PutEventsCommand({ Entries: [entry(11)] }));

    // Assess
    const lines = readFileSync(eventsFile, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as EventEnvelope);
    const last = lines.at(-2);
    expect(last).toMatchObject({
      version: '0',
      'detail-type': 'Library Upload Succeeded',
      source: 'library-upload-pipeline',
      detail: { n: 10 },
      region: 'us-east-1',
      account: '000000000000',
    });
    expect(Object.keys(last ?? {}).sort()).toEqual(
      ['account', 'detail', 'detail-type', 'id', 'region', 'resources', 'source', 'time', 'version'].sort(),
    );
    expect(last?.id).toBe(emitted[0]?.id);
    expect(emitted.map((e) => e.detail)).toEqual([{ n: 10 }]);
  });

  it('waitForEvents resolves once enough matching events arrived', async () => {
    const waiting = standIn.waitForEvents(2, { filter: { detailType: 'Wanted' } });
    await client.send(new PutEventsCommand({ Entries: [entry(1, { DetailType: 'Wanted' }), entry(2)] }));
    await client.send(new PutEventsCommand({ Entries: [entry(3, { DetailType: 'Wanted' })] }));
    const found = await waiting;
    expect(found.map((e) => e.detail)).toEqual([{ n: 1 }, { n: 3 }]);
  });

  it('refuses more than 10 entries with a ValidationException (400)', async () => {
    const entries = Array.from({ length: 11 }, (_, i) => entry(i));
    await expect(client.send(new PutEventsCommand({ Entries: entries }))).rejects.toMatchObject({
      name: 'ValidationException',
      $metadata: { httpStatusCode: 400 },
    });
    expect(standIn.events()).toEqual([]);
  });

  it('refuses a request above 256 KB in total with a ValidationException', async () => {
    const big = JSON.stringify({ pad: 'x'.repeat(130 * 1024) });
    await expect(
      client.send(new PutEventsCommand({ Entries: [entry(1, { Detail: big }), entry(2, { Detail: big })] })),
    ).rejects.toMatchObject({ name: 'ValidationException', message: expect.stringMatching(/Total size/) });
    // One such entry alone is within the limit.
    const ok = await client.send(new PutEventsCommand({ Entries: [entry(1, { Detail: big })] }));
    expect(ok.FailedEntryCount).toBe(0);
  });

  it('fails invalid entries one by one: missing Source/DetailType/Detail, malformed Detail, bad bus name', async () => {
    // Act
    const result = await client.send(
      new PutEventsCommand({
        Entries: [
          entry(1),
          entry(2, { Source: undefined }),
          entry(3, { DetailType: '' }),
          entry(4, { Detail: undefined }),
          entry(5, { Detail: '{not json' }),
          entry(6, { Detail: '[1,2]' }),
          entry(7, { EventBusName: 'bad bus name!' }),
        ],
      }),
    );

    // Assess: per-entry errors, in order; only the valid one recorded.
    expect(result.FailedEntryCount).toBe(6);
    expect(result.Entries?.map((e) => e.ErrorCode ?? 'ok')).toEqual([
      'ok',
      'InvalidArgument',
      'InvalidArgument',
      'InvalidArgument',
      'MalformedDetail',
      'MalformedDetail',
      'InvalidArgument',
    ]);
    expect(result.Entries?.[1]?.ErrorMessage).toMatch(/Source/);
    expect(standIn.events().map((e) => e.detail)).toEqual([{ n: 1 }]);
  });

  it('with knownBuses, fails entries for any other bus with ResourceNotFoundException', async () => {
    const strict = await startEventBridgeStandIn({ knownBuses: [BUS] });
    const strictClient = new EventBridgeClient(localClientConfig(strict.endpoint));
    try {
      const result = await strictClient.send(
        new PutEventsCommand({ Entries: [entry(1), entry(2, { EventBusName: 'typo-bus' })] }),
      );
      expect(result.Entries?.[1]).toMatchObject({ ErrorCode: 'ResourceNotFoundException' });
      expect(strict.events().map((e) => e.busName)).toEqual([BUS]);
    } finally {
      strictClient.destroy();
      await strict.stop();
    }
  });

  it('failNextEntries: the next N entries fail with InternalFailure, so a caller can retry only those', async () => {
    // Prepare
    standIn.failNextEntries(2);
    const entries = [entry(1), entry(2), entry(3)];

    // Act: first attempt, then retry exactly the failed entries.
    const first = await client.send(new PutEventsCommand({ Entries: entries }));
    const failed = entries.filter((_, i) => first.Entries?.[i]?.ErrorCode !== undefined);
    const retry = await client.send(new PutEventsCommand({ Entries: failed }));

    // Assess
    expect(first.FailedEntryCount).toBe(2);
    expect(first.Entries?.map((e) => e.ErrorCode ?? e.EventId?.length)).toEqual([
      'InternalFailure',
      'InternalFailure',
      36,
    ]);
    expect(retry.FailedEntryCount).toBe(0);
    expect(standIn.events().map((e) => e.detail)).toEqual([{ n: 3 }, { n: 1 }, { n: 2 }]);
    expect(standIn.calls()).toEqual([
      { entryCount: 3, failedEntryCount: 2 },
      { entryCount: 2, failedEntryCount: 0 },
    ]);
  });

  it('failNextRequests: answers 500 InternalException; the SDK retries it by itself', async () => {
    // SDK default: 3 attempts. One injected 500 → the second attempt succeeds.
    standIn.failNextRequests(1);
    const retried = await client.send(new PutEventsCommand({ Entries: [entry(1)] }));
    expect(retried.$metadata.attempts).toBe(2);
    expect(standIn.events()).toHaveLength(1);

    // With retries off the caller sees the error.
    const noRetry = new EventBridgeClient({ ...localClientConfig(standIn.endpoint), maxAttempts: 1 });
    standIn.failNextRequests(1);
    await expect(noRetry.send(new PutEventsCommand({ Entries: [entry(2)] }))).rejects.toMatchObject({
      name: 'InternalException',
      $metadata: { httpStatusCode: 500 },
    });
    noRetry.destroy();
    expect(standIn.events()).toHaveLength(1);
  });

  it('answers an unknown target with a 400 JSON UnknownOperationException', async () => {
    const response = await fetch(standIn.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AWSEvents.ListRules' },
      body: '{}',
    });
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toBe('application/x-amz-json-1.1');
    expect(response.headers.get('x-amzn-errortype')).toBe('UnknownOperationException');
    expect(await response.json()).toEqual({
      __type: 'UnknownOperationException',
      message: 'Unknown operation: AWSEvents.ListRules',
    });
  });

  it('leaves no listening port after stop', async () => {
    const second = await startEventBridgeStandIn();
    await second.stop();
    expect(await isPortListening(second.port)).toBe(false);
  });
});
