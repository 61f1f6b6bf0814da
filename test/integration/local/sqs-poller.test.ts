/**
 * The local SQS event source against fauxqs: batch size and window, partial batch responses, whole-batch
 * failures, DLQ redrive after maxReceiveCount, the concurrency ceiling and the record shape.
 */
import { randomUUID } from 'node:crypto';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
} from '@aws-sdk/client-sqs';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { batchItemFailures } from '../../../infra/local/runner/event-sources/batch-item-failures.ts';
import {
  startSqsPoller,
  type SqsHandler,
  type SqsPoller,
} from '../../../infra/local/runner/event-sources/sqs-poller.ts';
import { queueArn } from '../../../infra/local/runner/resources.ts';
import { startTestEnvironment, waitFor, type TestEnvironment } from '../../support/index.ts';

let env: TestEnvironment;
const pollers: SqsPoller[] = [];

beforeAll(async () => {
  env = await startTestEnvironment({ fauxqs: true });
});
afterEach(async () => {
  await Promise.all(pollers.splice(0).map((p) => p.stop({ graceMs: 2000 })));
});
afterAll(() => env?.stop());

const fn = { functionName: 'test-fn', timeoutSeconds: 5, memoryMb: 128 };

async function queue(attributes: Record<string, string> = {}): Promise<{ url: string; arn: string; name: string }> {
  const name = `q-${randomUUID().slice(0, 8)}`;
  const result = await env.clients.sqs.send(
    new CreateQueueCommand({ QueueName: name, Attributes: { VisibilityTimeout: '1', ...attributes } }),
  );
  return { url: result.QueueUrl as string, arn: queueArn(name), name };
}

async function send(url: string, bodies: string[]): Promise<void> {
  for (let i = 0; i < bodies.length; i += 10) {
    await env.clients.sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: url,
        Entries: bodies.slice(i, i + 10).map((body, j) => ({ Id: String(j), MessageBody: body })),
      }),
    );
  }
}

async function visibleAndInFlight(url: string): Promise<number> {
  const result = await env.clients.sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: url,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return (
    Number(result.Attributes?.['ApproximateNumberOfMessages'] ?? 0) +
    Number(result.Attributes?.['ApproximateNumberOfMessagesNotVisible'] ?? 0)
  );
}

function start(
  q: { url: string; arn: string },
  handler: SqsHandler,
  settings: { batchSize?: number; window?: number; concurrency?: number } = {},
): SqsPoller {
  const poller = startSqsPoller({
    sqs: env.clients.sqs,
    queueUrl: q.url,
    queueArn: q.arn,
    batchSize: settings.batchSize ?? 10,
    maxBatchingWindowSeconds: settings.window ?? 0,
    maxConcurrency: settings.concurrency ?? 1,
    handler,
    function: fn,
    waitTimeSeconds: 1,
  });
  pollers.push(poller);
  return poller;
}

describe('SQS poller', () => {
  it('delivers batches no larger than batchSize, collected within the window, and deletes them on success', async () => {
    // Prepare
    const q = await queue();
    const batches: SQSRecord[][] = [];
    await send(
      q.url,
      Array.from({ length: 7 }, (_, i) => `m${i}`),
    );
    // Act
    start(
      q,
      async (event) => {
        batches.push(event.Records);
      },
      { batchSize: 3, window: 0.3 },
    );
    await waitFor(() => batches.flat().length === 7, { what: 'all 7 messages', timeoutMs: 15_000 });
    // Assess
    expect(batches.every((b) => b.length <= 3)).toBe(true);
    expect(batches.length).toBeGreaterThanOrEqual(3);
    expect(new Set(batches.flat().map((r) => r.body))).toEqual(new Set(Array.from({ length: 7 }, (_, i) => `m${i}`)));
    await waitFor(async () => (await visibleAndInFlight(q.url)) === 0, { what: 'an empty queue' });
  });

  it('builds records in the shape Lambda delivers', async () => {
    // Prepare
    const q = await queue();
    let record: SQSRecord | undefined;
    await env.clients.sqs.send(
      new SendMessageCommand({
        QueueUrl: q.url,
        MessageBody: '{"a":1}',
        MessageAttributes: { kind: { DataType: 'String', StringValue: 'test' } },
      }),
    );
    // Act
    start(q, async (event: SQSEvent) => {
      record = event.Records[0];
    });
    await waitFor(() => record, { what: 'the record' });
    // Assess
    expect(record).toMatchObject({
      body: '{"a":1}',
      eventSource: 'aws:sqs',
      eventSourceARN: q.arn,
      awsRegion: 'us-east-1',
      attributes: { ApproximateReceiveCount: '1' },
      messageAttributes: {
        kind: { stringValue: 'test', dataType: 'String', stringListValues: [], binaryListValues: [] },
      },
    });
    expect(record?.messageId).toMatch(/.+/);
    expect(record?.receiptHandle).toMatch(/.+/);
    expect(Number(record?.attributes.SentTimestamp)).toBeGreaterThan(0);
  });

  it('leaves only the messages named in batchItemFailures, which come back after the visibility timeout', async () => {
    // Prepare
    const q = await queue({ VisibilityTimeout: '1' });
    const deliveries: Array<{ body: string; receiveCount: string }> = [];
    await send(q.url, ['ok-1', 'fail-once', 'ok-2']);
    let failedOnce = false;
    // Act
    start(
      q,
      async (event) => {
        const failures: { itemIdentifier: string }[] = [];
        for (const r of event.Records) {
          deliveries.push({ body: r.body, receiveCount: r.attributes.ApproximateReceiveCount });
          if (r.body === 'fail-once' && !failedOnce) {
            failedOnce = true;
            failures.push({ itemIdentifier: r.messageId });
          }
        }
        return { batchItemFailures: failures };
      },
      { batchSize: 10, window: 0.2 },
    );
    await waitFor(() => deliveries.filter((d) => d.body === 'fail-once').length === 2, {
      what: 'the failed message again',
      timeoutMs: 10_000,
    });
    await waitFor(async () => (await visibleAndInFlight(q.url)) === 0, { what: 'an empty queue' });
    // Assess
    expect(deliveries.filter((d) => d.body === 'ok-1')).toHaveLength(1);
    expect(deliveries.filter((d) => d.body === 'ok-2')).toHaveLength(1);
    expect(deliveries.filter((d) => d.body === 'fail-once').map((d) => d.receiveCount)).toEqual(['1', '2']);
  });

  it('leaves the whole batch when the handler throws or names a message not in the batch', async () => {
    // Prepare
    const q = await queue({ VisibilityTimeout: '1' });
    const seen: string[] = [];
    let calls = 0;
    await send(q.url, ['a', 'b']);
    // Act
    start(
      q,
      async (event) => {
        calls++;
        seen.push(...event.Records.map((r) => r.body));
        if (calls === 1) throw new Error('boom');
        if (calls === 2) return { batchItemFailures: [{ itemIdentifier: 'not-in-batch' }] };
        return { batchItemFailures: [] };
      },
      { batchSize: 10, window: 0.3 },
    );
    await waitFor(
      () => calls >= 3 && seen.filter((b) => b === 'a').length >= 3 && seen.filter((b) => b === 'b').length >= 3,
      {
        what: 'three deliveries of both messages',
        timeoutMs: 15_000,
      },
    );
    await waitFor(async () => (await visibleAndInFlight(q.url)) === 0, { what: 'an empty queue' });
    // Assess
    expect(seen.filter((b) => b === 'a')).toHaveLength(3);
  });

  it('moves a message that keeps failing to the DLQ after maxReceiveCount receives', async () => {
    // Prepare
    const dlq = await queue();
    const q = await queue({
      VisibilityTimeout: '1',
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: 2 }),
    });
    const receiveCounts: string[] = [];
    await send(q.url, ['poison']);
    // Act
    start(q, async (event) => {
      receiveCounts.push(...event.Records.map((r) => r.attributes.ApproximateReceiveCount));
      return { batchItemFailures: event.Records.map((r) => ({ itemIdentifier: r.messageId })) };
    });
    const inDlq = await waitFor(
      async () =>
        (await env.clients.sqs.send(new ReceiveMessageCommand({ QueueUrl: dlq.url, WaitTimeSeconds: 1 })))
          .Messages?.[0],
      { what: 'the message in the DLQ', timeoutMs: 15_000 },
    );
    // Assess
    expect(inDlq.Body).toBe('poison');
    expect(receiveCounts).toEqual(['1', '2']);
  });

  it('never runs more invocations at once than maxConcurrency', async () => {
    // Prepare
    const q = await queue({ VisibilityTimeout: '30' });
    let running = 0;
    let peak = 0;
    let handled = 0;
    await send(
      q.url,
      Array.from({ length: 8 }, (_, i) => `c${i}`),
    );
    // Act
    const poller = start(
      q,
      async (event) => {
        running++;
        peak = Math.max(peak, running);
        await new Promise((r) => setTimeout(r, 250));
        running--;
        handled += event.Records.length;
      },
      { batchSize: 1, concurrency: 2 },
    );
    await waitFor(() => handled === 8, { what: '8 messages handled', timeoutMs: 15_000 });
    // Assess
    expect(peak).toBe(2);
    expect(poller.stats().maxObservedConcurrency).toBe(2);
  });

  it('stop() waits for a running invocation and releases nothing it already handed over', async () => {
    // Prepare
    const q = await queue({ VisibilityTimeout: '30' });
    let finished = false;
    let startedInvocation = false;
    await send(q.url, ['slow']);
    const poller = start(q, async () => {
      startedInvocation = true;
      await new Promise((r) => setTimeout(r, 400));
      finished = true;
    });
    await waitFor(() => startedInvocation, { what: 'the invocation' });
    // Act
    const clean = await poller.stop({ graceMs: 3000 });
    // Assess
    expect(clean).toBe(true);
    expect(finished).toBe(true);
    await waitFor(async () => (await visibleAndInFlight(q.url)) === 0, { what: 'the message deleted' });
  });
});

describe('batchItemFailures (Lambda ReportBatchItemFailures rules)', () => {
  const ids = new Set(['a', 'b']);
  it('reads nothing, null and an empty list as success', () => {
    expect(batchItemFailures(undefined, ids)).toEqual([]);
    expect(batchItemFailures(null, ids)).toEqual([]);
    expect(batchItemFailures({}, ids)).toEqual([]);
    expect(batchItemFailures({ batchItemFailures: [] }, ids)).toEqual([]);
  });
  it('returns the named ids', () => {
    expect(batchItemFailures({ batchItemFailures: [{ itemIdentifier: 'b' }] }, ids)).toEqual(['b']);
  });
  it('fails the whole batch for an empty or unknown id', () => {
    expect(batchItemFailures({ batchItemFailures: [{ itemIdentifier: '' }] }, ids)).toBeInstanceOf(Error);
    expect(batchItemFailures({ batchItemFailures: [{ itemIdentifier: 'zz' }] }, ids)).toBeInstanceOf(Error);
    expect(batchItemFailures({ batchItemFailures: [{}] }, ids)).toBeInstanceOf(Error);
  });
});
