import { describe, expect, it } from 'vitest';
import type {
  EventBridgeClient,
  PutEventsCommand,
  PutEventsCommandOutput,
  PutEventsRequestEntry,
  PutEventsResultEntry,
} from '@aws-sdk/client-eventbridge';
import { EVENT_SOURCE, PublishEventsError, buildUploadEvent, publishEvents } from '../../../shared/events/index.ts';
import type { UploadEvent } from '../../../shared/events/index.ts';
import { finalRecord } from '../../support/factories.ts';

/** Builds `count` distinct events (one per object version). */
function events(count: number): UploadEvent[] {
  return Array.from({ length: count }, (_, i) =>
    buildUploadEvent(finalRecord('Active', { objectId: `uploads|photo-${i}.png|v${i}`, key: `photo-${i}.png` }), {
      stage: 'dev',
    }),
  );
}

type Answer = (entries: PutEventsRequestEntry[]) => Partial<PutEventsCommandOutput> | Error;

/** A fake EventBridge client: records each PutEvents request and answers with the next scripted answer. */
function fakeEventBridge(answers: Answer[] = []) {
  const requests: PutEventsRequestEntry[][] = [];
  const accept: Answer = (entries) => ({
    FailedEntryCount: 0,
    Entries: entries.map((_, i) => ({ EventId: `eb-${requests.length}-${i}` })),
  });
  return {
    requests,
    client: {
      send: async (command: PutEventsCommand) => {
        const entries = command.input.Entries ?? [];
        requests.push(entries);
        const answer = (answers.shift() ?? accept)(entries);
        if (answer instanceof Error) throw answer;
        return answer as PutEventsCommandOutput;
      },
    } as unknown as Pick<EventBridgeClient, 'send'>,
  };
}

/** Fails the entries at the given positions with `code`, accepts the others. */
function failAt(positions: number[], code = 'InternalFailure'): Answer {
  return (entries) => ({
    FailedEntryCount: positions.length,
    Entries: entries.map((_, i): PutEventsResultEntry =>
      positions.includes(i) ? { ErrorCode: code, ErrorMessage: `${code} (injected)` } : { EventId: `ok-${i}` },
    ),
  });
}

const detailOf = (entry: PutEventsRequestEntry) => JSON.parse(entry.Detail ?? '{}') as { eventId: string };
const noWait = { sleep: async () => undefined, random: () => 0.5 };

describe('publishEvents', () => {
  it('sends at most ten entries per PutEvents request, to the stage bus, with the fixed source', async () => {
    // Prepare
    const eventBridge = fakeEventBridge();

    // Act
    const result = await publishEvents(eventBridge.client, events(23), { eventBusName: 'uploads-dev', ...noWait });

    // Assess
    expect(eventBridge.requests.map((r) => r.length)).toEqual([10, 10, 3]);
    expect(result.published).toHaveLength(23);
    expect(result.requests).toBe(3);
    const first = eventBridge.requests[0]?.[0];
    expect(first).toMatchObject({
      EventBusName: 'uploads-dev',
      Source: EVENT_SOURCE,
      DetailType: 'Library File Uploaded',
    });
    expect(first?.Time).toEqual(new Date('2026-03-02T10:00:42.500Z'));
  });

  it('retries only the entries EventBridge reported failed', async () => {
    // Prepare: the first request fails entries 1 and 3 of 5.
    const batch = events(5);
    const eventBridge = fakeEventBridge([failAt([1, 3])]);

    // Act
    const result = await publishEvents(eventBridge.client, batch, { eventBusName: 'bus', ...noWait });

    // Assess
    expect(eventBridge.requests).toHaveLength(2);
    expect(eventBridge.requests[1]?.map(detailOf).map((d) => d.eventId)).toEqual([
      batch[1]?.detail.eventId,
      batch[3]?.detail.eventId,
    ]);
    expect(new Set(result.published)).toEqual(new Set(batch.map((e) => e.detail.eventId)));
  });

  it('backs off between tries with growing, capped delays', async () => {
    // Prepare
    const sleeps: number[] = [];
    const eventBridge = fakeEventBridge([failAt([0]), failAt([0]), failAt([0]), failAt([0])]);

    // Act
    await publishEvents(eventBridge.client, events(1), {
      eventBusName: 'bus',
      maxAttempts: 5,
      baseDelayMs: 100,
      maxDelayMs: 300,
      random: () => 0.999_999,
      sleep: async (ms) => void sleeps.push(ms),
    });

    // Assess
    expect(sleeps).toEqual([100, 200, 300, 300]);
  });

  it('gives up after maxAttempts with an error naming the events still unpublished', async () => {
    // Prepare: entry 0 always fails; entry 1 succeeds at once.
    const batch = events(2);
    const eventBridge = fakeEventBridge([failAt([0]), failAt([0]), failAt([0])]);

    // Act
    const error = await publishEvents(eventBridge.client, batch, {
      eventBusName: 'bus',
      maxAttempts: 3,
      ...noWait,
    }).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(PublishEventsError);
    const failure = error as PublishEventsError;
    expect(failure.failed).toEqual([
      expect.objectContaining({
        eventId: batch[0]?.detail.eventId,
        key: 'photo-0.png',
        status: 'Active',
        errorCode: 'InternalFailure',
      }),
    ]);
    expect(failure.published).toEqual([batch[1]?.detail.eventId]);
    expect(failure.message).toContain(batch[0]?.detail.eventId);
    expect(eventBridge.requests).toHaveLength(3);
  });

  it('treats a request that failed as a whole (a 500) as a failure of each of its entries, and retries them', async () => {
    // Prepare
    const serverError = Object.assign(new Error('We encountered an internal error.'), {
      name: 'InternalException',
      $metadata: { httpStatusCode: 500 },
    });
    const eventBridge = fakeEventBridge([() => serverError]);

    // Act
    const result = await publishEvents(eventBridge.client, events(3), { eventBusName: 'bus', ...noWait });

    // Assess
    expect(eventBridge.requests.map((r) => r.length)).toEqual([3, 3]);
    expect(result.published).toHaveLength(3);
  });

  it('does not retry an entry EventBridge refused as malformed', async () => {
    // Prepare
    const eventBridge = fakeEventBridge([failAt([0], 'MalformedDetail')]);

    // Act
    const error = await publishEvents(eventBridge.client, events(2), { eventBusName: 'bus', ...noWait }).catch(
      (e: unknown) => e,
    );

    // Assess
    expect(eventBridge.requests).toHaveLength(1);
    expect((error as PublishEventsError).failed).toEqual([
      expect.objectContaining({ errorCode: 'MalformedDetail', retryable: false }),
    ]);
  });

  it('sends nothing for an empty list', async () => {
    // Prepare
    const eventBridge = fakeEventBridge();

    // Act
    const result = await publishEvents(eventBridge.client, [], { eventBusName: 'bus', ...noWait });

    // Assess
    expect(result).toEqual({ published: [], requests: 0 });
    expect(eventBridge.requests).toHaveLength(0);
  });
});
