/**
 * Lambda's SQS event source, emulated against fauxqs: receive, batch, invoke, delete.
 *
 * What it does as Lambda does (for a mapping with `ReportBatchItemFailures`):
 *  - at most `maxConcurrency` invocations at a time (one receiving worker per allowed invocation);
 *  - a batch is up to `batchSize` messages, collected for up to `maxBatchingWindowSeconds` after the
 *    first one arrives (no window: one receive);
 *  - the messages stay invisible for the queue's own VisibilityTimeout while the function works;
 *  - success deletes the batch; `batchItemFailures` deletes all but the listed messages, which become
 *    visible again when their visibility timeout ends; an error, a timeout, or a response naming a
 *    message that is not in the batch (or an empty id) leaves the whole batch in the queue;
 *  - the queue's RedrivePolicy (applied by fauxqs on receive) moves a message to its DLQ after
 *    `maxReceiveCount` receives;
 *  - the event records carry the system attributes (`ApproximateReceiveCount`...), message
 *    attributes in Lambda's shape, `eventSource: aws:sqs`, the queue ARN and the region.
 *
 * What differs: the handler runs in this process (a timed-out invocation is counted as failed but
 * cannot be frozen); there is no gradual scale-up of pollers; receives long-poll for at most
 * `waitTimeSeconds` (default 1 s) so that `stop()` is prompt.
 */
import { ChangeMessageVisibilityBatchCommand, ReceiveMessageCommand, type Message } from '@aws-sdk/client-sqs';
import { invokeSqsBatch, type SqsInvocationReport, type SqsTarget } from './sqs-batch.ts';

export type { SqsHandler, SqsInvocationReport } from './sqs-batch.ts';

/** A mapping's settings: the queue, the function and the stage's batching and concurrency. */
export interface SqsPollerOptions extends Omit<SqsTarget, 'onError'> {
  batchSize: number;
  maxBatchingWindowSeconds: number;
  maxConcurrency: number;
  /** Longest single long poll while idle, in seconds (default 1; SQS allows up to 20). */
  waitTimeSeconds?: number;
  /** Called after each invocation. */
  onInvocation?: (report: SqsInvocationReport) => void;
  /** Called when a receive or delete fails (the poller keeps going). */
  onError?: (error: unknown) => void;
  /** While true, no message is received (a disabled event source mapping: `ops pause`). */
  paused?: () => boolean;
}

/** Counters since the start, for the progress line and the benchmarks. */
export interface SqsPollerStats {
  invocations: number;
  inFlight: number;
  messagesReceived: number;
  messagesDeleted: number;
  messagesLeft: number;
  failedInvocations: number;
  /** Highest number of invocations that ran at the same time. */
  maxObservedConcurrency: number;
}

/** A running mapping. */
export interface SqsPoller {
  stats(): SqsPollerStats;
  /**
   * Stops receiving, releases messages collected but not yet handed to the function (visible again at
   * once), and waits up to `graceMs` (default 5000) for running invocations to finish.
   * Resolves true when nothing was still running.
   */
  stop(options?: { graceMs?: number }): Promise<boolean>;
}

const SQS_MAX_RECEIVE = 10;

/** Starts `maxConcurrency` receiving workers on the queue; each invokes the function with the batches it collects. */
export function startSqsPoller(options: SqsPollerOptions): SqsPoller {
  if (options.batchSize < 1) throw new Error('batchSize must be at least 1');
  if (options.maxConcurrency < 1) throw new Error('maxConcurrency must be at least 1');
  const idleWait = Math.min(20, Math.max(0, Math.round(options.waitTimeSeconds ?? 1)));
  const windowMs = Math.max(0, options.maxBatchingWindowSeconds) * 1000;
  const abort = new AbortController();
  let stopping = false;
  const running = new Set<Promise<void>>();
  const stats: SqsPollerStats = {
    invocations: 0,
    inFlight: 0,
    messagesReceived: 0,
    messagesDeleted: 0,
    messagesLeft: 0,
    failedInvocations: 0,
    maxObservedConcurrency: 0,
  };

  const reportError = (error: unknown): void => {
    if (!stopping) options.onError?.(error);
  };

  const receive = async (max: number, waitSeconds: number): Promise<Message[]> => {
    const result = await options.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: options.queueUrl,
        MaxNumberOfMessages: Math.min(SQS_MAX_RECEIVE, max),
        WaitTimeSeconds: waitSeconds,
        MessageSystemAttributeNames: ['All'],
        MessageAttributeNames: ['All'],
      }),
      { abortSignal: abort.signal },
    );
    const messages = result.Messages ?? [];
    stats.messagesReceived += messages.length;
    return messages;
  };

  /** Hands messages back to the queue at once (visibility 0), for another worker or a later run. */
  const release = async (messages: Message[]): Promise<void> => {
    if (messages.length === 0) return;
    await options.sqs
      .send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl: options.queueUrl,
          Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 0 })),
        }),
      )
      .catch(() => undefined);
  };

  /** Collects one batch: up to batchSize messages, within the batching window after the first. */
  const collect = async (): Promise<Message[]> => {
    const batch: Message[] = [];
    let windowEnd: number | undefined;
    while (!stopping && batch.length < options.batchSize) {
      // Paused while idle: give up the wait, so the worker stops receiving until resumed.
      if (batch.length === 0 && options.paused?.()) break;
      if (windowEnd !== undefined && Date.now() >= windowEnd) break;
      const waitSeconds = windowEnd === undefined ? idleWait : 0;
      let messages: Message[];
      try {
        messages = await receive(options.batchSize - batch.length, waitSeconds);
      } catch (error) {
        // Stopping aborts the long poll: hand back what was collected, so it can be released.
        if (stopping) break;
        if (batch.length > 0) {
          reportError(error);
          break;
        }
        throw error;
      }
      // Paused while this long poll waited: nothing of it starts; the messages go back at once.
      if (batch.length === 0 && messages.length > 0 && options.paused?.()) {
        await release(messages);
        break;
      }
      batch.push(...messages);
      if (batch.length === 0) continue;
      if (windowMs === 0) break;
      windowEnd ??= Date.now() + windowMs;
      if (messages.length === 0) await sleep(Math.min(100, Math.max(0, windowEnd - Date.now())));
    }
    return batch;
  };

  const target: SqsTarget = { ...options, onError: reportError };
  const invoke = async (messages: Message[]): Promise<void> => {
    stats.invocations++;
    stats.inFlight++;
    stats.maxObservedConcurrency = Math.max(stats.maxObservedConcurrency, stats.inFlight);
    const report = await invokeSqsBatch(target, messages);
    stats.inFlight--;
    if (report.error !== undefined) stats.failedInvocations++;
    stats.messagesLeft += report.failedMessageIds.length;
    stats.messagesDeleted += report.deleted;
    options.onInvocation?.(report);
  };

  const worker = async (): Promise<void> => {
    while (!stopping) {
      if (options.paused?.()) {
        await sleep(250);
        continue;
      }
      let batch: Message[];
      try {
        batch = await collect();
      } catch (error) {
        if (stopping) break;
        reportError(error);
        await sleep(500);
        continue;
      }
      if (batch.length === 0) continue;
      if (stopping) {
        await release(batch);
        break;
      }
      const invocation = invoke(batch);
      running.add(invocation);
      try {
        await invocation;
      } finally {
        running.delete(invocation);
      }
    }
  };

  const workers = Array.from({ length: options.maxConcurrency }, () =>
    worker().catch((error: unknown) => reportError(error)),
  );

  let stopped: Promise<boolean> | undefined;
  return {
    stats: () => ({ ...stats }),
    stop({ graceMs = 5000 } = {}) {
      stopped ??= (async () => {
        stopping = true;
        abort.abort();
        const drained = Promise.all(workers).then(() => true);
        return Promise.race([drained, sleep(graceMs).then(() => running.size === 0)]);
      })();
      return stopped;
    },
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
