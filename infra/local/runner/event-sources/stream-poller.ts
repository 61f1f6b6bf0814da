/**
 * Lambda's DynamoDB Streams event source, emulated with the DynamoDB Streams API of DynamoDB Local.
 *
 * As Lambda does it:
 *  - DescribeStream (paginated) finds the shards; each shard is read in order with
 *    GetShardIterator (TRIM_HORIZON or LATEST at start, AFTER_SEQUENCE_NUMBER to resume) and GetRecords;
 *    a child shard is read only after its parent has been read to its end; shards are read in parallel
 *    (one invocation at a time per shard, i.e. ParallelizationFactor 1);
 *  - records are turned into the event shape Lambda delivers (`eventSource: aws:dynamodb`,
 *    `ApproximateCreationDateTime` in epoch seconds, binary attributes in base64, `eventSourceARN`);
 *  - the filter criteria are applied before batching: records that match no filter never reach the
 *    function and count as processed;
 *  - batches of up to `batchSize` records, collected for up to `maxBatchingWindowSeconds`;
 *  - `ReportBatchItemFailures` is always on (as in the stack): the batch is checkpointed before the lowest failed sequence number
 *    and retried from there; an error (or a timeout) with `bisectBatchOnError` splits the batch in two
 *    and retries each half; after `retryAttempts` retries, or for records older than
 *    `maxRecordAgeSeconds`, a stream pointer goes to the on-failure destination and the shard moves on.
 *
 * Kept simple: the retry delay is a short fixed backoff (Lambda's is its own); halves of a bisected
 * batch share the retry count of the batch they came from; GetRecords is polled every `pollIntervalMs`
 * (default 250 ms, Lambda polls shards about four times a second).
 */
import { batchItemFailures } from './batch-item-failures.ts';
import {
  DescribeStreamCommand,
  ExpiredIteratorException,
  GetRecordsCommand,
  GetShardIteratorCommand,
  TrimmedDataAccessException,
  type DynamoDBStreamsClient,
  type Shard,
} from '@aws-sdk/client-dynamodb-streams';
import type { Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import { LOCAL_REGION } from '../../emulators/aws-endpoints.ts';
import { invokeHandler, type LocalFunctionSettings } from '../lambda-context.ts';
import { passesFilters, type FilterPattern } from './filter-criteria.ts';
import { toLambdaRecord } from './stream-records.ts';

/** A handler of Lambda's DynamoDB stream event. */
export type StreamHandler = (
  event: DynamoDBStreamEvent,
  context: Context,
) => Promise<DynamoDBBatchResponse | void | null | undefined>;

/** What Lambda sends to a stream mapping's on-failure destination: where the records are, not the records. */
export interface StreamFailurePointer {
  requestContext: {
    requestId: string;
    functionArn: string;
    condition: 'RetryAttemptsExhausted' | 'RecordAgeExceeded';
    approximateInvokeCount: number;
  };
  responseContext: { statusCode: number; executedVersion: string; functionError: string };
  version: '1.0';
  timestamp: string;
  DDBStreamBatchInfo: {
    shardId: string;
    startSequenceNumber: string;
    endSequenceNumber: string;
    approximateArrivalOfFirstRecord: string;
    approximateArrivalOfLastRecord: string;
    batchSize: number;
    streamArn: string;
  };
}

/** A stream mapping's settings: the stream, the function and the stage's batching and retries. */
export interface StreamPollerOptions {
  streams: DynamoDBStreamsClient;
  streamArn: string;
  startingPosition: 'TRIM_HORIZON' | 'LATEST';
  batchSize: number;
  maxBatchingWindowSeconds: number;
  retryAttempts: number;
  maxRecordAgeSeconds: number;
  bisectBatchOnError: boolean;
  /** Parsed filter patterns (ORed); empty = every record. */
  filters: readonly FilterPattern[];
  handler: StreamHandler;
  function: LocalFunctionSettings;
  region?: string;
  /** The on-failure destination (e.g. sends the pointer to the publish-failures queue). */
  onFailure?: (pointer: StreamFailurePointer) => Promise<void>;
  /** Sees every record read from the stream, before filtering (the progress display uses it). */
  onRecords?: (records: DynamoDBRecord[]) => void;
  onInvocation?: (report: StreamInvocationReport) => void;
  onError?: (error: unknown) => void;
  pollIntervalMs?: number;
  /** Pause before re-invoking a failed batch (default 200 ms × attempt, at most 2 s). */
  retryDelayMs?: (attempt: number) => number;
}

/** What one invocation did. */
export interface StreamInvocationReport {
  functionName: string;
  shardId: string;
  sequenceNumbers: string[];
  failedSequenceNumbers: string[];
  error?: unknown;
  attempt: number;
  durationMs: number;
}

/** Counters since the start, for the progress line, the end-to-end test and the benchmarks. */
export interface StreamPollerStats {
  recordsRead: number;
  recordsFilteredOut: number;
  invocations: number;
  failedInvocations: number;
  recordsDelivered: number;
  recordsSentToFailureDestination: number;
  shardsFinished: number;
  inFlight: number;
}

/** A running mapping. */
export interface StreamPoller {
  stats(): StreamPollerStats;
  /** Stops reading and waits up to `graceMs` (default 5000) for running invocations. */
  stop(options?: { graceMs?: number }): Promise<boolean>;
}

interface ShardState {
  shard: Shard;
  started: boolean;
  finished: boolean;
}

/** Starts reading every shard of the stream and invoking the function with the batches that pass the filters. */
export function startStreamPoller(options: StreamPollerOptions): StreamPoller {
  const region = options.region ?? LOCAL_REGION;
  const pollInterval = options.pollIntervalMs ?? 250;
  const windowMs = Math.max(0, options.maxBatchingWindowSeconds) * 1000;
  const retryDelay = options.retryDelayMs ?? ((attempt: number) => Math.min(2000, 200 * attempt));
  const functionArn = `arn:aws:lambda:${region}:000000000000:function:${options.function.functionName}`;
  const abort = new AbortController();
  let stopping = false;
  const shards = new Map<string, ShardState>();
  const readers = new Set<Promise<void>>();
  let firstDiscovery = true;
  const stats: StreamPollerStats = {
    recordsRead: 0,
    recordsFilteredOut: 0,
    invocations: 0,
    failedInvocations: 0,
    recordsDelivered: 0,
    recordsSentToFailureDestination: 0,
    shardsFinished: 0,
    inFlight: 0,
  };
  const reportError = (error: unknown): void => {
    if (!stopping) options.onError?.(error);
  };
  const signal = { abortSignal: abort.signal };

  const describeShards = async (): Promise<Shard[]> => {
    const all: Shard[] = [];
    let start: string | undefined;
    do {
      const result = await options.streams.send(
        new DescribeStreamCommand({ StreamArn: options.streamArn, ...(start ? { ExclusiveStartShardId: start } : {}) }),
        signal,
      );
      all.push(...(result.StreamDescription?.Shards ?? []));
      start = result.StreamDescription?.LastEvaluatedShardId;
    } while (start);
    return all;
  };

  /** Starts a reader for every shard whose parent is done (or unknown: trimmed away). */
  const discover = async (): Promise<void> => {
    const found = await describeShards();
    for (const shard of found) {
      if (shard.ShardId && !shards.has(shard.ShardId))
        shards.set(shard.ShardId, { shard, started: false, finished: false });
    }
    const latestAtStart = firstDiscovery && options.startingPosition === 'LATEST';
    for (const state of shards.values()) {
      if (state.started || state.finished) continue;
      const closed = state.shard.SequenceNumberRange?.EndingSequenceNumber !== undefined;
      if (latestAtStart && closed) {
        // LATEST: what was written before the mapping started is not delivered.
        state.finished = true;
        continue;
      }
      const parent = state.shard.ParentShardId ? shards.get(state.shard.ParentShardId) : undefined;
      if (parent && !parent.finished && !latestAtStart) continue;
      state.started = true;
      const iteratorType = latestAtStart ? 'LATEST' : firstDiscovery ? options.startingPosition : 'TRIM_HORIZON';
      const reader = readShard(state, iteratorType).catch((error: unknown) => reportError(error));
      readers.add(reader);
      void reader.finally(() => readers.delete(reader));
    }
    firstDiscovery = false;
  };

  const readShard = async (state: ShardState, iteratorType: 'TRIM_HORIZON' | 'LATEST'): Promise<void> => {
    const shardId = state.shard.ShardId ?? '';
    let lastSequence: string | undefined;
    const newIterator = async (): Promise<string | undefined> => {
      const result = await options.streams.send(
        new GetShardIteratorCommand({
          StreamArn: options.streamArn,
          ShardId: shardId,
          ...(lastSequence
            ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: lastSequence }
            : { ShardIteratorType: iteratorType }),
        }),
        signal,
      );
      return result.ShardIterator;
    };
    let iterator = await newIterator();
    const pending: DynamoDBRecord[] = [];
    let windowEnd: number | undefined;
    // No iterator at all: the shard has been trimmed away entirely.
    let shardEnded = iterator === undefined;
    while (!stopping) {
      if (iterator !== undefined && !shardEnded && pending.length < options.batchSize) {
        try {
          const result = await options.streams.send(
            new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }),
            signal,
          );
          iterator = result.NextShardIterator;
          if (iterator === undefined) shardEnded = true;
          const records = (result.Records ?? []).map((r) => toLambdaRecord(r, options.streamArn, region));
          if (records.length > 0) {
            lastSequence = records.at(-1)?.dynamodb?.SequenceNumber ?? lastSequence;
            stats.recordsRead += records.length;
            options.onRecords?.(records);
            const kept = records.filter((r) => passesFilters(options.filters, r));
            stats.recordsFilteredOut += records.length - kept.length;
            pending.push(...kept);
            if (kept.length > 0) windowEnd ??= Date.now() + windowMs;
          }
        } catch (error) {
          if (stopping) break;
          if (error instanceof ExpiredIteratorException || error instanceof TrimmedDataAccessException) {
            iterator = await newIterator();
            continue;
          }
          throw error;
        }
      }
      const windowOver = windowEnd !== undefined && Date.now() >= windowEnd;
      if (pending.length >= options.batchSize || (pending.length > 0 && (windowOver || shardEnded))) {
        const batch = pending.splice(0, options.batchSize);
        windowEnd = pending.length > 0 ? Date.now() + windowMs : undefined;
        await deliver(shardId, batch);
        continue;
      }
      if (shardEnded && pending.length === 0) break;
      await sleep(pollInterval);
    }
    if (shardEnded && pending.length === 0) {
      state.finished = true;
      stats.shardsFinished++;
      if (!stopping) await discover().catch((error: unknown) => reportError(error));
    }
  };

  /** Delivers one batch with Lambda's retry, checkpoint and bisect rules. */
  const deliver = async (shardId: string, records: DynamoDBRecord[]): Promise<void> => {
    const now = Date.now() / 1000;
    const tooOld = records.filter(
      (r) => now - (r.dynamodb?.ApproximateCreationDateTime ?? now) > options.maxRecordAgeSeconds,
    );
    if (tooOld.length > 0) await sendToFailureDestination(shardId, tooOld, 'RecordAgeExceeded', 0);
    const work: Array<{ batch: DynamoDBRecord[]; attempt: number }> = [];
    const fresh = records.filter((r) => !tooOld.includes(r));
    if (fresh.length > 0) work.push({ batch: fresh, attempt: 0 });
    while (work.length > 0 && !stopping) {
      const item = work.shift() as { batch: DynamoDBRecord[]; attempt: number };
      const outcome = await invoke(shardId, item.batch, item.attempt);
      if (outcome.kind === 'ok') continue;
      const attempt = item.attempt + 1;
      const remaining = outcome.kind === 'partial' ? item.batch.slice(outcome.firstFailedIndex) : item.batch;
      if (attempt > options.retryAttempts) {
        await sendToFailureDestination(shardId, remaining, 'RetryAttemptsExhausted', attempt);
        continue;
      }
      await sleep(retryDelay(attempt));
      if (outcome.kind === 'error' && options.bisectBatchOnError && remaining.length > 1) {
        const half = Math.ceil(remaining.length / 2);
        work.unshift({ batch: remaining.slice(0, half), attempt }, { batch: remaining.slice(half), attempt });
      } else {
        work.unshift({ batch: remaining, attempt });
      }
    }
  };

  type Outcome = { kind: 'ok' } | { kind: 'partial'; firstFailedIndex: number } | { kind: 'error' };

  const invoke = async (shardId: string, batch: DynamoDBRecord[], attempt: number): Promise<Outcome> => {
    const started = Date.now();
    const sequenceNumbers = batch.map((r) => r.dynamodb?.SequenceNumber ?? '');
    stats.invocations++;
    stats.inFlight++;
    let outcome: Outcome;
    let error: unknown;
    let failed: string[] = [];
    try {
      const response = await invokeHandler(options.handler, { Records: batch }, options.function);
      const reported = batchItemFailures(response, new Set(sequenceNumbers));
      if (reported instanceof Error) {
        error = reported;
        outcome = { kind: 'error' };
        failed = sequenceNumbers;
      } else if (reported.length > 0) {
        const indexes = reported.map((id) => sequenceNumbers.indexOf(id));
        const firstFailedIndex = Math.min(...indexes);
        outcome = { kind: 'partial', firstFailedIndex };
        failed = sequenceNumbers.slice(firstFailedIndex);
      } else {
        outcome = { kind: 'ok' };
      }
    } catch (caught) {
      error = caught;
      outcome = { kind: 'error' };
      failed = sequenceNumbers;
    } finally {
      stats.inFlight--;
    }
    if (outcome.kind === 'ok') stats.recordsDelivered += batch.length;
    else if (outcome.kind === 'partial') stats.recordsDelivered += outcome.firstFailedIndex;
    if (outcome.kind === 'error') stats.failedInvocations++;
    options.onInvocation?.({
      functionName: options.function.functionName,
      shardId,
      sequenceNumbers,
      failedSequenceNumbers: failed,
      ...(error === undefined ? {} : { error }),
      attempt,
      durationMs: Date.now() - started,
    });
    return outcome;
  };

  const sendToFailureDestination = async (
    shardId: string,
    records: DynamoDBRecord[],
    condition: StreamFailurePointer['requestContext']['condition'],
    invokeCount: number,
  ): Promise<void> => {
    stats.recordsSentToFailureDestination += records.length;
    const first = records[0]?.dynamodb;
    const last = records.at(-1)?.dynamodb;
    const time = (seconds: number | undefined) => new Date((seconds ?? Date.now() / 1000) * 1000).toISOString();
    const pointer: StreamFailurePointer = {
      requestContext: { requestId: randomUUID(), functionArn, condition, approximateInvokeCount: invokeCount },
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      version: '1.0',
      timestamp: new Date().toISOString(),
      DDBStreamBatchInfo: {
        shardId,
        startSequenceNumber: first?.SequenceNumber ?? '',
        endSequenceNumber: last?.SequenceNumber ?? '',
        approximateArrivalOfFirstRecord: time(first?.ApproximateCreationDateTime),
        approximateArrivalOfLastRecord: time(last?.ApproximateCreationDateTime),
        batchSize: records.length,
        streamArn: options.streamArn,
      },
    };
    await options.onFailure?.(pointer).catch((error: unknown) => reportError(error));
  };

  // Discovery: once at start, then every 2 s (new shards appear when DynamoDB rolls a shard over).
  const discovery = (async () => {
    while (!stopping) {
      try {
        await discover();
      } catch (error) {
        reportError(error);
      }
      await sleep(2000, abort.signal);
    }
  })();

  let stopped: Promise<boolean> | undefined;
  return {
    stats: () => ({ ...stats }),
    stop({ graceMs = 5000 } = {}) {
      stopped ??= (async () => {
        stopping = true;
        abort.abort();
        const drained = Promise.all([discovery, ...readers]).then(() => true);
        return Promise.race([drained, sleep(graceMs).then(() => stats.inFlight === 0)]);
      })();
      return stopped;
    },
  };
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}
