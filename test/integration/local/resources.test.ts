/**
 * What local mode creates from the dev stage's typed config: queues with DLQs and redrive policies,
 * visibility timeouts derived as the stack derives them, the tables (stream, GSI), and the bucket whose
 * notifications reach the ingest queue in AWS's exact format.
 */
import { DescribeTableCommand, DescribeTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { GetBucketNotificationConfigurationCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { ReceiveMessageCommand, DeleteMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dev, resourceNames, visibilityTimeoutSeconds } from '../../../infra/config/index.ts';
import { UPLOADS_INDEXES } from '../../../shared/store/tables.ts';
import { createLocalResources, queueAttributes, type LocalResources } from '../../../infra/local/runner/resources.ts';
import { loadStackDefinitions } from '../../../infra/local/runner/stack-definitions.ts';
import { startTestEnvironment, waitFor, type TestEnvironment } from '../../support/index.ts';

let env: TestEnvironment;
let resources: LocalResources;

beforeAll(async () => {
  const [started, definitions] = await Promise.all([
    startTestEnvironment({ dynamodb: true, fauxqs: true }),
    loadStackDefinitions(dev),
  ]);
  env = started;
  const { s3, sqs, dynamodb } = env.clients;
  resources = await createLocalResources({ s3, sqs, dynamodb }, dev, definitions.notificationFilters);
});
afterAll(() => env?.stop());

describe('local resources from the dev stage config', () => {
  it('uses the stage names', () => {
    const names = resourceNames(dev);
    expect(resources).toMatchObject({
      bucket: names.localBucket,
      uploadPrefix: 'uploads/',
      uploadsTable: names.uploadsTable,
      limitsTable: names.limitsTable,
      eventBusName: names.eventBus,
    });
    expect(resources.ingestQueue.name).toBe(names.ingestQueue);
    expect(resources.statusQueue.deadLetter.name).toBe(names.statusDeadLetterQueue);
  });

  it('creates both work queues with a DLQ, the stage maxReceiveCount and the derived visibility timeout', async () => {
    for (const [queue, fn, source] of [
      [resources.ingestQueue, dev.functions.ingest, dev.sources.ingestQueue],
      [resources.statusQueue, dev.functions.poll, dev.sources.statusQueue],
    ] as const) {
      const attributes = await queueAttributes(env.clients.sqs, queue.url);
      expect(JSON.parse(attributes['RedrivePolicy'] ?? '{}')).toEqual({
        deadLetterTargetArn: queue.deadLetter.arn,
        maxReceiveCount: source.maxReceiveCount,
      });
      expect(Number(attributes['VisibilityTimeout'])).toBe(visibilityTimeoutSeconds(fn.timeoutSeconds, source));
      expect(Number(attributes['MessageRetentionPeriod'])).toBe(source.retentionDays * 86_400);
      const dlq = await queueAttributes(env.clients.sqs, queue.deadLetter.url);
      expect(Number(dlq['MessageRetentionPeriod'])).toBe(14 * 86_400);
    }
    expect(resources.ingestQueue.visibilityTimeoutSeconds).toBe(6 * 120 + 1);
  });

  it('creates the uploads table with its stream and GSI, and the limits table without a stream', async () => {
    const uploads = (await env.clients.dynamodb.send(new DescribeTableCommand({ TableName: resources.uploadsTable })))
      .Table;
    expect(uploads?.StreamSpecification).toEqual({ StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' });
    expect(uploads?.GlobalSecondaryIndexes?.map((i) => i.IndexName).sort()).toEqual(
      [
        resourceNames(dev).uploadsByLibraryFileIdIndex,
        resourceNames(dev).uploadsByKeyIndex,
        resourceNames(dev).uploadsByStatusIndex,
        UPLOADS_INDEXES.byETag.name,
      ].sort(),
    );
    expect(resources.uploadsStreamArn).toBe(uploads?.LatestStreamArn);
    const ttl = await env.clients.dynamodb.send(new DescribeTimeToLiveCommand({ TableName: resources.uploadsTable }));
    expect(ttl.TimeToLiveDescription?.AttributeName).toBe('expiresAt');
    const limits = (await env.clients.dynamodb.send(new DescribeTableCommand({ TableName: resources.limitsTable })))
      .Table;
    expect(limits?.StreamSpecification?.StreamEnabled ?? false).toBe(false);
  });

  it('configures bucket notifications as the stack does (prefix filter, ObjectCreated, ObjectRemoved when dev trashes)', async () => {
    const config = await env.clients.s3.send(
      new GetBucketNotificationConfigurationCommand({ Bucket: resources.bucket }),
    );
    expect(config.QueueConfigurations).toHaveLength(1);
    expect(config.QueueConfigurations?.[0]).toMatchObject({
      QueueArn: resources.ingestQueue.arn,
      Events: ['s3:ObjectCreated:*', 's3:ObjectRemoved:*'],
      Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'uploads/' }] } },
    });
  });

  it('delivers S3 event notifications in AWS format (URL-encoded key, size, eTag, sequencer) only below the prefix', async () => {
    // Prepare: drain the s3:TestEvent sent when the configuration was set
    const received: Array<{ body: string; handle: string }> = [];
    const drain = async (): Promise<void> => {
      const result = await env.clients.sqs.send(
        new ReceiveMessageCommand({ QueueUrl: resources.ingestQueue.url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
      );
      for (const m of result.Messages ?? []) {
        received.push({ body: m.Body ?? '', handle: m.ReceiptHandle ?? '' });
        await env.clients.sqs.send(
          new DeleteMessageCommand({ QueueUrl: resources.ingestQueue.url, ReceiptHandle: m.ReceiptHandle }),
        );
      }
    };
    await waitFor(
      async () => {
        await drain();
        return received.some((r) => r.body.includes('s3:TestEvent'));
      },
      { what: 'the s3:TestEvent', timeoutMs: 10_000 },
    );
    received.length = 0;
    // Act
    const key = 'uploads/Sommer Fotos/été+1 (copy).png';
    const put = await env.clients.s3.send(
      new PutObjectCommand({ Bucket: resources.bucket, Key: key, Body: Buffer.from('0123456789') }),
    );
    await env.clients.s3.send(
      new PutObjectCommand({ Bucket: resources.bucket, Key: 'elsewhere/x.png', Body: Buffer.from('x') }),
    );
    await waitFor(
      async () => {
        await drain();
        return received.length >= 1;
      },
      { what: 'the notification', timeoutMs: 10_000 },
    );
    await new Promise((r) => setTimeout(r, 500));
    await drain();
    // Assess
    expect(received).toHaveLength(1);
    const body = JSON.parse(received[0]?.body ?? '{}') as {
      Records: Array<
        Record<string, unknown> & { s3: { bucket: Record<string, unknown>; object: Record<string, unknown> } }
      >;
    };
    expect(body.Records).toHaveLength(1);
    const record = body.Records[0];
    expect(record).toMatchObject({
      eventVersion: '2.1',
      eventSource: 'aws:s3',
      eventName: 'ObjectCreated:Put',
      awsRegion: 'us-east-1',
    });
    expect(record?.s3.bucket).toMatchObject({ name: resources.bucket, arn: `arn:aws:s3:::${resources.bucket}` });
    expect(record?.s3.object).toMatchObject({
      key: 'uploads/Sommer+Fotos/%C3%A9t%C3%A9%2B1+%28copy%29.png',
      size: 10,
      eTag: put.ETag?.replace(/"/g, ''),
    });
    expect(record?.s3.object['sequencer']).toMatch(/^[0-9A-F]+$/);
    expect(record?.s3.object).not.toHaveProperty('versionId');
  });
});
