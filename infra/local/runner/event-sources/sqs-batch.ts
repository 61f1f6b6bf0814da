/**
 * One invocation of a function by Lambda's SQS event source: received messages become Lambda's event,
 * the handler runs, and every message it did not report in `batchItemFailures` is deleted. The poller
 * (`sqs-poller.ts`) and the pipeline tests' step-by-step driver both go through here, so both treat a
 * batch response exactly as Lambda does.
 */
import {
  DeleteMessageBatchCommand,
  type Message,
  type MessageAttributeValue,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent, SQSMessageAttributes, SQSRecord } from 'aws-lambda';
import { LOCAL_REGION } from '../../emulators/aws-endpoints.ts';
import { invokeHandler, type LocalFunctionSettings } from '../lambda-context.ts';
import { batchItemFailures } from './batch-item-failures.ts';

/** A handler of Lambda's SQS event (any of the return shapes Lambda accepts). */
export type SqsHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | void | null | undefined>;

/** The queue a mapping reads and the function it invokes. */
export interface SqsTarget {
  sqs: SQSClient;
  queueUrl: string;
  /** `arn:aws:sqs:REGION:ACCOUNT:NAME`: the records' `eventSourceARN`. */
  queueArn: string;
  region?: string;
  handler: SqsHandler;
  function: LocalFunctionSettings;
  /** Told when a delete fails (the messages then come back, as they would on AWS). */
  onError?: (error: unknown) => void;
}

/** What one invocation did. */
export interface SqsInvocationReport {
  functionName: string;
  messageIds: string[];
  /** Messages left in the queue (listed in `batchItemFailures`, or the whole batch on failure). */
  failedMessageIds: string[];
  /** Set when the invocation failed as a whole (error, timeout, invalid response). */
  error?: unknown;
  /** Messages the delete removed. */
  deleted: number;
  durationMs: number;
}

const SQS_MAX_BATCH = 10;

/**
 * Invokes the handler with these messages and deletes those that succeeded. Messages reported as failed
 * are left alone: they become visible again when their visibility timeout ends, and the queue's redrive
 * policy counts the receive.
 */
export async function invokeSqsBatch(target: SqsTarget, messages: Message[]): Promise<SqsInvocationReport> {
  const region = target.region ?? LOCAL_REGION;
  const event: SQSEvent = { Records: messages.map((m) => toSqsRecord(m, target.queueArn, region)) };
  const ids = messages.map((m) => m.MessageId ?? '');
  const started = Date.now();
  let failedIds = ids;
  let error: unknown;
  try {
    const failures = batchItemFailures(await invokeHandler(target.handler, event, target.function), new Set(ids));
    if (failures instanceof Error) error = failures;
    else failedIds = failures;
  } catch (caught) {
    error = caught;
  }
  const failed = new Set(failedIds);
  const deleted = await deleteMessages(
    target,
    messages.filter((m) => !failed.has(m.MessageId ?? '')),
  );
  return {
    functionName: target.function.functionName,
    messageIds: ids,
    failedMessageIds: failedIds,
    ...(error === undefined ? {} : { error }),
    deleted,
    durationMs: Date.now() - started,
  };
}

async function deleteMessages(target: SqsTarget, messages: Message[]): Promise<number> {
  let deleted = 0;
  for (let i = 0; i < messages.length; i += SQS_MAX_BATCH) {
    const chunk = messages.slice(i, i + SQS_MAX_BATCH);
    try {
      const result = await target.sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: target.queueUrl,
          Entries: chunk.map((m, j) => ({ Id: String(j), ReceiptHandle: m.ReceiptHandle })),
        }),
      );
      deleted += result.Successful?.length ?? 0;
      if (result.Failed && result.Failed.length > 0)
        target.onError?.(new Error(`DeleteMessageBatch: ${result.Failed.length} failed`));
    } catch (error) {
      target.onError?.(error);
    }
  }
  return deleted;
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
