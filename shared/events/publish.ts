/**
 * PutEvents with the retries EventBridge expects of its callers.
 *
 * PutEvents is not all-or-nothing: a 200 answer can carry `FailedEntryCount > 0`, with an `ErrorCode`
 * on each failed entry (throttling, internal failure). Resending the whole request would duplicate the
 * entries that did succeed, so only the failed entries are sent again, with exponential backoff and full
 * jitter. A request that fails as a whole (5xx after the SDK's own retries, a network error) counts as
 * a failure of each of its entries. After `maxAttempts` the function gives up with a
 * `PublishEventsError` that names each event still unpublished; the publish handler turns those into
 * batch item failures, so the DynamoDB stream retries their records (and after its own retry limit
 * sends them to the on-failure destination).
 */
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { EventBridgeClient, PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import type { UploadEvent } from './contract.ts';

/** PutEvents accepts at most 10 entries per request. */
export const MAX_ENTRIES_PER_PUT = 10;

/** Entry error codes a retry cannot fix: the entry itself (or our permission) is wrong. */
const PERMANENT_ENTRY_ERRORS: ReadonlySet<string> = new Set([
  'MalformedDetail',
  'InvalidArgument',
  'ValidationException',
  'NotAuthorizedForSourceException',
  'NotAuthorizedForDetailTypeException',
  'AccessDeniedException',
  'ResourceNotFoundException',
]);

export interface PublishOptions {
  /** The stage's bus (name or ARN). */
  eventBusName: string;
  /** Tries per event, the first included (default 4). */
  maxAttempts?: number;
  /** Backoff before the second try (default 100 ms); doubles per try, capped at `maxDelayMs`. */
  baseDelayMs?: number;
  /** Longest backoff (default 2000 ms). */
  maxDelayMs?: number;
  sleep?: (ms: number) => Promise<void>;
  /** In [0, 1): full jitter (default Math.random). */
  random?: () => number;
}

/** An event EventBridge did not accept. */
export interface FailedEvent {
  eventId: string;
  objectId: string;
  key: string;
  status: string;
  errorCode: string;
  errorMessage: string;
  /** Whether another try could succeed (false for malformed entries and permission errors). */
  retryable: boolean;
}

export interface PublishResult {
  /** `detail.eventId` of every event accepted. */
  published: string[];
  /** PutEvents requests sent. */
  requests: number;
}

export class PublishEventsError extends Error {
  readonly failed: FailedEvent[];
  readonly published: string[];
  constructor(failed: FailedEvent[], published: string[]) {
    const names = failed.map((f) => `${f.eventId} (${f.status} ${f.key}: ${f.errorCode})`);
    super(
      `EventBridge did not accept ${failed.length} event(s): ${names.slice(0, 10).join(', ')}${names.length > 10 ? ', …' : ''}`,
    );
    this.name = 'PublishEventsError';
    this.failed = failed;
    this.published = published;
  }
}

/** The PutEvents entry for a built event. `Detail` is the JSON of `event.detail`. */
export function toPutEventsEntry(event: UploadEvent, eventBusName: string): PutEventsRequestEntry {
  return {
    EventBusName: eventBusName,
    Source: event.source,
    DetailType: event.detailType,
    Time: event.time,
    Detail: JSON.stringify(event.detail),
  };
}

/**
 * Publishes `events` in requests of at most 10 entries, retrying only failed entries. Resolves when all
 * were accepted; rejects with `PublishEventsError` (carrying both lists) otherwise.
 */
export async function publishEvents(
  client: Pick<EventBridgeClient, 'send'>,
  events: readonly UploadEvent[],
  options: PublishOptions,
): Promise<PublishResult> {
  const maxAttempts = Math.max(1, options.maxAttempts ?? 4);
  const baseDelayMs = options.baseDelayMs ?? 100;
  const maxDelayMs = options.maxDelayMs ?? 2000;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const random = options.random ?? Math.random;

  const published: string[] = [];
  const permanent: FailedEvent[] = [];
  let pending: UploadEvent[] = [...events];
  let lastFailures: FailedEvent[] = [];
  let requests = 0;

  for (let attempt = 1; attempt <= maxAttempts && pending.length > 0; attempt++) {
    if (attempt > 1) {
      const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 2));
      await sleep(Math.round(random() * ceiling));
    }
    const retry: UploadEvent[] = [];
    lastFailures = [];
    for (let start = 0; start < pending.length; start += MAX_ENTRIES_PER_PUT) {
      const chunk = pending.slice(start, start + MAX_ENTRIES_PER_PUT);
      requests++;
      const outcomes = await putChunk(client, chunk, options.eventBusName);
      chunk.forEach((event, index) => {
        const outcome = outcomes[index];
        if (outcome === undefined) {
          published.push(event.detail.eventId);
          return;
        }
        const failure = failedEvent(event, outcome);
        if (failure.retryable) {
          retry.push(event);
          lastFailures.push(failure);
        } else {
          permanent.push(failure);
        }
      });
    }
    pending = retry;
  }

  const failed = [...permanent, ...lastFailures];
  if (failed.length > 0) throw new PublishEventsError(failed, published);
  return { published, requests };
}

interface EntryFailure {
  errorCode: string;
  errorMessage: string;
  retryable: boolean;
}

/** One PutEvents request; per entry `undefined` (accepted) or why it failed. */
async function putChunk(
  client: Pick<EventBridgeClient, 'send'>,
  chunk: readonly UploadEvent[],
  eventBusName: string,
): Promise<Array<EntryFailure | undefined>> {
  try {
    const response = await client.send(
      new PutEventsCommand({ Entries: chunk.map((event) => toPutEventsEntry(event, eventBusName)) }),
    );
    const entries = response.Entries ?? [];
    if ((response.FailedEntryCount ?? 0) === 0 && entries.length === chunk.length) return chunk.map(() => undefined);
    return chunk.map((_, index) => {
      const entry = entries[index];
      if (entry?.EventId && !entry.ErrorCode) return undefined;
      const errorCode = entry?.ErrorCode ?? 'MissingResult';
      return {
        errorCode,
        errorMessage: entry?.ErrorMessage ?? (entry ? 'No event id returned' : 'No result returned for this entry'),
        retryable: !PERMANENT_ENTRY_ERRORS.has(errorCode),
      };
    });
  } catch (error) {
    const failure = requestFailure(error);
    return chunk.map(() => failure);
  }
}

/** A whole request failed: server errors, throttling and network problems are worth another try. */
function requestFailure(error: unknown): EntryFailure {
  const err = error as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const status = err.$metadata?.httpStatusCode;
  const name = err.name ?? 'Error';
  const retryable =
    status === undefined || status >= 500 || status === 429 || /Throttl|TooManyRequests|Timeout|Network/i.test(name);
  return {
    errorCode: name,
    errorMessage: err.message ?? String(error),
    retryable: retryable && !PERMANENT_ENTRY_ERRORS.has(name),
  };
}

function failedEvent(event: UploadEvent, failure: EntryFailure): FailedEvent {
  return {
    eventId: event.detail.eventId,
    objectId: event.detail.objectId,
    key: event.detail.object.key,
    status: event.detail.status,
    ...failure,
  };
}
