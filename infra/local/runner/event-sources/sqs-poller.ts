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
import { batchItemFailures } from './batch-item-failures.ts';
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  type Message,
  type MessageAttributeValue,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent, SQSMessageAttributes, SQSRecord } from 'aws-lambda';
import { LOCAL_REGION } from '../../emulators/aws-endpoints.ts';
import { invokeHandler, type LocalFunctionSettings } from '../lambda-context.ts';

export type SqsHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | void | null | undefined>;

export interface SqsPollerOptions {
  sqs: SQSClient;
  queueUrl: string;
  /** `arn:aws:sqs:REGION:ACCOUNT:NAME`: the records' `eventSourceARN`. */
  queueArn: string;
  batchSize: number;
  maxBatchingWindowSeconds: number;
  maxConcurrency: number;
  handler: SqsHandler;
  function: LocalFunctionSettings;
  region?: string;
  /** Longest single long poll while idle, in seconds (default 1; SQS allows up to 20). */
  waitTimeSeconds?: number;
  /** Called after each invocation. */
  onInvocation?: (report: SqsInvocationReport) => void;
  /** Called when a receive or delete fails (the poller keeps going). */
  onError?: (error: unknown) => void;
  /** While true, no message is received (a disabled event source mapping: `ops pause`). */
  paused?: () => boolean;
}

export interface SqsInvocationReport {
  functionName: string;
  messageIds: string[];
  /** Messages left in the queue (listed in `batchItemFailures`, or the whole batch on failure). */
  failedMessageIds: string[];
  /** Set when the invocation failed as a whole (error, timeout, invalid response). */
  error?: unknown;
  durationMs: number;
}

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

export function startSqsPoller(options: SqsPollerOptions): SqsPoller {
  if (options.batchSize < 1) throw new Error('batchSize must be at least 1');
  if (options.maxConcurrency < 1) throw new Error('maxConcurrency must be at least 1');
  const region = options.region ?? LOCAL_REGION;
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
      batch.push(...messages);
      if (batch.length === 0) continue;
      if (windowMs === 0) break;
      windowEnd ??= Date.now() + windowMs;
      if (messages.length === 0) await sleep(Math.min(100, Math.max(0, windowEnd - Date.now())));
    }
    return batch;
  };

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

  const remove = async (messages: Message[]): Promise<void> => {
    for (let i = 0; i < messages.length; i += SQS_MAX_RECEIVE) {
      const chunk = messages.slice(i, i + SQS_MAX_RECEIVE);
      try {
        const result = await options.sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl: options.queueUrl,
            Entries: chunk.map((m, j) => ({ Id: String(j), ReceiptHandle: m.ReceiptHandle })),
          }),
        );
        stats.messagesDeleted += result.Successful?.length ?? 0;
        if (result.Failed && result.Failed.length > 0)
          reportError(new Error(`DeleteMessageBatch: ${result.Failed.length} failed`));
      } catch (error) {
        reportError(error);
      }
    }
  };

  const invoke = async (messages: Message[]): Promise<void> => {
    const event: SQSEvent = { Records: messages.map((m) => toSqsRecord(m, options.queueArn, region)) };
    const ids = messages.map((m) => m.MessageId ?? '');
    const started = Date.now();
    stats.invocations++;
    stats.inFlight++;
    stats.maxObservedConcurrency = Math.max(stats.maxObservedConcurrency, stats.inFlight);
    let failedIds: string[];
    let error: unknown;
    try {
      const response = await invokeHandler(options.handler, event, options.function);
      const failures = batchItemFailures(response, new Set(ids));
      if (failures instanceof Error) {
        error = failures;
        failedIds = ids;
      } else {
        failedIds = failures;
      }
    } catch (caught) {
      error = caught;
      failedIds = ids;
    } finally {
      stats.inFlight--;
    }
    if (error !== undefined) stats.failedInvocations++;
    const failed = new Set(failedIds);
    stats.messagesLeft += failed.size;
    // Messages reported as failed are left alone: they become visible again when their visibility
    // timeout ends, and the queue's redrive policy counts the receive.
    await remove(messages.filter((m) => !failed.has(m.MessageId ?? '')));
    options.onInvocation?.({
      functionName: options.function.functionName,
      messageIds: ids,
      failedMessageIds: failedIds,
      ...(error === undefined ? {} : { error }),
      durationMs: Date.now() - started,
    });
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

/** A received message as a record of Lambda's SQS event. */
export function toSqsRecord(message: Message, queueArn: string, region: string = LOCAL_REGION): SQSRecord {
  const system = message.Attributes ?? {};
  const attributes: Record<string, string> = {
    ApproximateReceiveCount: system['ApproximateReceiveCount'] ?? '1',
    SentTimestamp: system['SentTimestamp'] ?? String(Date.now()),
    SenderId: system['SenderId'] ?? 'AIDAIENQZJOLO23YVJ4VO',
    ApproximateFirstReceiveTimestamp: system['ApproximateFirstReceiveTimestamp'] ?? String(Date.now()),
  };
  for (const [name, value] of Object.entries(system)) {
    if (value !== undefined && !(name in attributes)) attributes[name] = value;
  }
  const record: SQSRecord = {
    messageId: message.MessageId ?? '',
    receiptHandle: message.ReceiptHandle ?? '',
    body: message.Body ?? '',
    attributes: attributes as unknown as SQSRecord['attributes'],
    messageAttributes: toLambdaMessageAttributes(message.MessageAttributes),
    md5OfBody: message.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: region,
  };
  if (message.MD5OfMessageAttributes) record.md5OfMessageAttributes = message.MD5OfMessageAttributes;
  return record;
}

function toLambdaMessageAttributes(
  attributes: Record<string, MessageAttributeValue> | undefined,
): SQSMessageAttributes {
  const result: SQSMessageAttributes = {};
  for (const [name, value] of Object.entries(attributes ?? {})) {
    result[name] = {
      ...(value.StringValue === undefined ? {} : { stringValue: value.StringValue }),
      ...(value.BinaryValue === undefined ? {} : { binaryValue: Buffer.from(value.BinaryValue).toString('base64') }),
      stringListValues: value.StringListValues ?? [],
      binaryListValues: (value.BinaryListValues ?? []).map((b) => Buffer.from(b).toString('base64')),
      dataType: value.DataType ?? 'String',
    };
  }
  return result;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
