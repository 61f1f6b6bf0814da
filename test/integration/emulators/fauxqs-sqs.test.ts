/**
 * What fauxqs 2.x does for the SQS calls the pipeline makes (status checks sent with DelaySeconds,
 * batches received with long polling, partial batch deletes, redrive to a DLQ), on the wire.
 * No assertion is about elapsed time: delays are observed as "not yet" then "eventually".
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
  type Message,
} from '@aws-sdk/client-sqs';
import { startFauxqsProcess, type Fauxqs } from '../../../infra/local/emulators/fauxqs.ts';
import { localClientConfig } from '../../../infra/local/emulators/aws-endpoints.ts';
import { waitFor } from '../../support/wait.ts';

describe('fauxqs SQS', () => {
  let fauxqs: Fauxqs;
  let sqs: SQSClient;
  let counter = 0;

  const newQueue = async (attributes: Record<string, string> = {}): Promise<{ url: string; arn: string }> => {
    const name = `q-${++counter}`;
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
    const attrs = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
    return { url: QueueUrl!, arn: attrs.Attributes!['QueueArn']! };
  };

  const receive = async (
    url: string,
    options: { wait?: number; visibility?: number; max?: number } = {},
  ): Promise<Message[]> => {
    const result = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: url,
        MaxNumberOfMessages: options.max ?? 10,
        WaitTimeSeconds: options.wait ?? 0,
        ...(options.visibility !== undefined ? { VisibilityTimeout: options.visibility } : {}),
        MessageSystemAttributeNames: ['ApproximateReceiveCount', 'SentTimestamp'],
        MessageAttributeNames: ['All'],
      }),
    );
    return result.Messages ?? [];
  };

  const counts = async (url: string): Promise<Record<string, number>> => {
    const { Attributes = {} } = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: url,
        AttributeNames: [
          'ApproximateNumberOfMessages',
          'ApproximateNumberOfMessagesNotVisible',
          'ApproximateNumberOfMessagesDelayed',
        ],
      }),
    );
    return {
      visible: Number(Attributes['ApproximateNumberOfMessages']),
      inFlight: Number(Attributes['ApproximateNumberOfMessagesNotVisible']),
      delayed: Number(Attributes['ApproximateNumberOfMessagesDelayed']),
    };
  };

  beforeAll(async () => {
    fauxqs = await startFauxqsProcess();
    sqs = new SQSClient(localClientConfig(fauxqs.endpoint));
  });

  afterAll(async () => {
    sqs?.destroy();
    await fauxqs?.stop();
  });

  it('gives queue URLs on 127.0.0.1 (no *.localhost DNS needed) and AWS-shaped ARNs', async () => {
    const queue = await newQueue();
    expect(queue.url).toBe(fauxqs.queueUrl(`q-${counter}`));
    expect(queue.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/000000000000\/q-\d+$/);
    expect(queue.arn).toBe(`arn:aws:sqs:us-east-1:000000000000:q-${counter}`);
  });

  it('round-trips body and message attributes, and reports ApproximateReceiveCount', async () => {
    const { url } = await newQueue();
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: url,
        MessageBody: JSON.stringify({ fileId: 'f1' }),
        MessageAttributes: { attempt: { DataType: 'Number', StringValue: '3' } },
      }),
    );
    const [message] = await receive(url);
    expect(message?.Body).toBe('{"fileId":"f1"}');
    expect(message?.MessageAttributes?.['attempt']).toEqual({ DataType: 'Number', StringValue: '3' });
    expect(message?.Attributes?.['ApproximateReceiveCount']).toBe('1');
    expect(Number(message?.Attributes?.['SentTimestamp'])).toBeGreaterThan(0);
  });

  it('holds a message sent with DelaySeconds back (counted as delayed), then delivers it', async () => {
    // Prepare
    const { url } = await newQueue();

    // Act
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'later', DelaySeconds: 2 }));
    const immediately = await receive(url);
    const whileDelayed = await counts(url);
    const eventually = await waitFor(
      async () => {
        const got = await receive(url, { wait: 1 });
        return got.length > 0 ? got : undefined;
      },
      { what: 'the delayed message' },
    );

    // Assess
    expect(immediately).toEqual([]);
    expect(whileDelayed).toMatchObject({ visible: 0, delayed: 1 });
    expect(eventually[0]?.Body).toBe('later');
  });

  it('accepts DelaySeconds above 900, unlike SQS (which answers InvalidParameterValue): keep the cap in our code', async () => {
    const { url } = await newQueue();
    const sent = await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x', DelaySeconds: 901 }));
    expect(sent.MessageId).toBeDefined();
    expect(await counts(url)).toMatchObject({ visible: 0, delayed: 1 });
  });

  it('long polling (WaitTimeSeconds) returns a message sent while the poll waits', async () => {
    // Prepare
    const { url } = await newQueue();

    // Act: start a 10 s long poll, then send.
    const polling = receive(url, { wait: 10 });
    await new Promise((resolve) => setTimeout(resolve, 200));
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'arrived during the poll' }));
    const messages = await polling;

    // Assess
    expect(messages.map((m) => m.Body)).toEqual(['arrived during the poll']);
  });

  it('hides a received message for its VisibilityTimeout, then redelivers it with a higher receive count', async () => {
    // Prepare
    const { url } = await newQueue();
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'retry me' }));

    // Act
    const first = await receive(url, { visibility: 1 });
    const whileHidden = await receive(url);
    const inFlight = await counts(url);
    const again = await waitFor(
      async () => {
        const got = await receive(url, { wait: 1 });
        return got.length > 0 ? got : undefined;
      },
      { what: 'the message to become visible again' },
    );

    // Assess
    expect(first).toHaveLength(1);
    expect(whileHidden).toEqual([]);
    expect(inFlight).toMatchObject({ visible: 0, inFlight: 1 });
    expect(again[0]?.MessageId).toBe(first[0]?.MessageId);
    expect(again[0]?.Attributes?.['ApproximateReceiveCount']).toBe('2');
    expect(again[0]?.ReceiptHandle).not.toBe(first[0]?.ReceiptHandle);
  });

  it('ChangeMessageVisibility to 0 makes a message receivable at once; a longer timeout keeps it hidden', async () => {
    // Prepare
    const { url } = await newQueue();
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'a' }));
    const [first] = await receive(url, { visibility: 600 });

    // Act
    await sqs.send(
      new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: first!.ReceiptHandle, VisibilityTimeout: 0 }),
    );
    const [second] = await receive(url, { visibility: 1 });
    await sqs.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: url,
        ReceiptHandle: second!.ReceiptHandle,
        VisibilityTimeout: 600,
      }),
    );
    const hidden = await receive(url);

    // Assess
    expect(second?.MessageId).toBe(first?.MessageId);
    expect(hidden).toEqual([]);
  });

  it('DeleteMessageBatch deletes the received messages; an unknown receipt handle is reported Successful, not Failed', async () => {
    // Real SQS answers a malformed handle with a per-entry ReceiptHandleIsInvalid failure; fauxqs
    // counts every entry as deleted. A test of our partial-delete handling cannot rely on it.
    // Prepare
    const { url } = await newQueue();
    await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: url,
        Entries: [
          { Id: 'a', MessageBody: 'one' },
          { Id: 'b', MessageBody: 'two' },
        ],
      }),
    );
    const received = await receive(url, { visibility: 1 });

    // Act
    const result = await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: url,
        Entries: [
          ...received.map((m, i) => ({ Id: `ok-${i}`, ReceiptHandle: m.ReceiptHandle })),
          { Id: 'bad', ReceiptHandle: 'not-a-receipt-handle' },
        ],
      }),
    );
    // Once the visibility timeout is over nothing comes back: the deletes were real.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const left = await counts(url);
    const redelivered = await receive(url);

    // Assess
    expect(received).toHaveLength(2);
    expect(result.Successful?.map((s) => s.Id).sort()).toEqual(['bad', 'ok-0', 'ok-1']);
    expect(result.Failed ?? []).toEqual([]);
    expect(left).toMatchObject({ visible: 0, inFlight: 0 });
    expect(redelivered).toEqual([]);
  });

  it('moves a message to the DLQ on the receive after maxReceiveCount receives (RedrivePolicy)', async () => {
    // Prepare: maxReceiveCount 2.
    const dlq = await newQueue();
    const { url } = await newQueue({
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: 2 }),
    });
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'poison' }));

    // Act: receive it twice, giving it back at once each time; then try a third time.
    const receives: Message[][] = [];
    for (let i = 0; i < 3; i++) {
      const got = await receive(url, { visibility: 30 });
      receives.push(got);
      for (const m of got) {
        await sqs.send(
          new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 0 }),
        );
      }
    }
    const inDlq = await receive(dlq.url);

    // Assess
    expect(receives.map((r) => r.length)).toEqual([1, 1, 0]);
    expect(receives[1]?.[0]?.Attributes?.['ApproximateReceiveCount']).toBe('2');
    expect(inDlq.map((m) => m.Body)).toEqual(['poison']);
    expect(inDlq[0]?.MessageId).toBe(receives[0]?.[0]?.MessageId);
    expect(await counts(url)).toMatchObject({ visible: 0, inFlight: 0 });
  });
});
