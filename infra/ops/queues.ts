/**
 * Queue facts and moves the commands share: a queue's ARN and retention, and moving every message of
 * one queue to another (the DLQ redrive), with SQS's own move task where the service has one.
 */
import {
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  StartMessageMoveTaskCommand,
  type Message,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { QueueRef } from './target/types.ts';

export interface QueueFacts {
  arn: string;
  retentionSeconds: number;
  visible: number;
  inFlight: number;
  delayed: number;
}

export async function queueFacts(sqs: SQSClient, queue: QueueRef): Promise<QueueFacts> {
  const result = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queue.url, AttributeNames: ['All'] }));
  const a = result.Attributes ?? {};
  return {
    arn: queue.arn ?? a['QueueArn'] ?? '',
    retentionSeconds: Number(a['MessageRetentionPeriod'] ?? 0),
    visible: Number(a['ApproximateNumberOfMessages'] ?? 0),
    inFlight: Number(a['ApproximateNumberOfMessagesNotVisible'] ?? 0),
    delayed: Number(a['ApproximateNumberOfMessagesDelayed'] ?? 0),
  };
}

export type MoveOutcome =
  { method: 'move-task'; taskHandle: string; messages: number } | { method: 'receive-send-delete'; messages: number };

/** Errors that mean "this SQS has no move task" (the emulator answers InvalidAction), not "it failed". */
function lacksMoveTask(error: unknown): boolean {
  const name = (error as { name?: string }).name ?? '';
  return (
    name === 'InvalidAction' ||
    name === 'UnsupportedOperation' ||
    /unknown action/i.test(String((error as Error).message))
  );
}

/**
 * Moves every message from `source` to `destination`: StartMessageMoveTask (AWS: asynchronous, keeps
 * each message's attributes, at SQS's pace), else receive/send/delete here, one message at a time
 * (sent before deleted: a crash repeats a message, never loses one; the pipeline tolerates repeats).
 */
export async function moveMessages(sqs: SQSClient, source: QueueRef, destination: QueueRef): Promise<MoveOutcome> {
  const [from, to] = await Promise.all([queueFacts(sqs, source), queueFacts(sqs, destination)]);
  try {
    const task = await sqs.send(new StartMessageMoveTaskCommand({ SourceArn: from.arn, DestinationArn: to.arn }));
    return { method: 'move-task', taskHandle: task.TaskHandle ?? '', messages: from.visible };
  } catch (error) {
    if (!lacksMoveTask(error)) throw error;
  }
  let moved = 0;
  await drain(sqs, source, async (message) => {
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: destination.url,
        MessageBody: message.Body ?? '',
        ...(message.MessageAttributes ? { MessageAttributes: message.MessageAttributes } : {}),
      }),
    );
    moved++;
  });
  return { method: 'receive-send-delete', messages: moved };
}

type Received = Message;

/**
 * Receives every visible message of `queue`, hands each to `handle`, and deletes it once handled. A
 * message whose handler throws stays in the queue (visible again after 60 s) and the error is rethrown
 * after the others were handled.
 */
export async function drain(
  sqs: SQSClient,
  queue: QueueRef,
  handle: (message: Received) => Promise<void>,
): Promise<void> {
  const errors: unknown[] = [];
  for (;;) {
    const batch = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queue.url,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 0,
        VisibilityTimeout: 60,
        MessageAttributeNames: ['All'],
      }),
    );
    const messages = batch.Messages ?? [];
    if (messages.length === 0) break;
    for (const message of messages) {
      try {
        await handle(message);
        await sqs.send(new DeleteMessageCommand({ QueueUrl: queue.url, ReceiptHandle: message.ReceiptHandle }));
      } catch (error) {
        errors.push(error);
      }
    }
  }
  if (errors.length > 0) throw errors[0];
}
