/**
 * The emulators' on-disk modes that local mode uses against a real account: fauxqs restarted on the same
 * data directory still has its queues (at the new port), its messages (those in flight when it stopped
 * visible again at once) and its objects; DynamoDB Local restarted on the same -dbPath still has its
 * tables and items.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTableCommand, DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateQueueCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localClientConfig, localS3ClientConfig } from '../../../infra/local/emulators/aws-endpoints.ts';
import { startDynamoDbLocal } from '../../../infra/local/emulators/dynamodb-local.ts';
import { startFauxqsProcess } from '../../../infra/local/emulators/fauxqs.ts';

let workDir: string;

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'persistence-'));
});
afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

describe('emulators on disk', () => {
  it('fauxqs keeps queues, messages and objects across a restart, and releases messages left in flight', async () => {
    // Prepare: a queue with one message received (in flight for 10 minutes) and one object
    const dataDir = join(workDir, 'fauxqs');
    const first = await startFauxqsProcess({ dataDir });
    let sqs = new SQSClient(localClientConfig(first.endpoint));
    let s3 = new S3Client(localS3ClientConfig(first.endpoint));
    try {
      const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'work' }));
      await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'in flight at stop' }));
      const taken = await sqs.send(new ReceiveMessageCommand({ QueueUrl, VisibilityTimeout: 600 }));
      expect(taken.Messages).toHaveLength(1);
      await s3.send(new CreateBucketCommand({ Bucket: 'kept-bucket' }));
      await s3.send(new PutObjectCommand({ Bucket: 'kept-bucket', Key: 'k/../x.png', Body: 'bytes' }));
    } finally {
      sqs.destroy();
      s3.destroy();
      await first.stop();
    }
    // Act
    const second = await startFauxqsProcess({ dataDir });
    sqs = new SQSClient(localClientConfig(second.endpoint));
    s3 = new S3Client(localS3ClientConfig(second.endpoint));
    try {
      const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'work' }));
      const again = await sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 1 }));
      const object = await s3.send(new GetObjectCommand({ Bucket: 'kept-bucket', Key: 'k/../x.png' }));
      // Assess
      expect(QueueUrl).toBe(second.queueUrl('work'));
      expect(second.port).not.toBe(first.port);
      expect(again.Messages?.map((m) => m.Body)).toEqual(['in flight at stop']);
      expect(await object.Body?.transformToString()).toBe('bytes');
    } finally {
      sqs.destroy();
      s3.destroy();
      await second.stop();
    }
  });

  it('DynamoDB Local keeps tables and items across a restart with dbPath', async () => {
    // Prepare
    const dbPath = join(workDir, 'dynamodb');
    const first = await startDynamoDbLocal({ dbPath });
    let client = new DynamoDBClient(localClientConfig(first.endpoint));
    try {
      await client.send(
        new CreateTableCommand({
          TableName: 'kept-table',
          BillingMode: 'PAY_PER_REQUEST',
          AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
          KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        }),
      );
      await client.send(new PutItemCommand({ TableName: 'kept-table', Item: { id: { S: 'a' }, v: { S: 'kept' } } }));
    } finally {
      client.destroy();
      await first.stop();
    }
    // Act
    const second = await startDynamoDbLocal({ dbPath });
    client = new DynamoDBClient(localClientConfig(second.endpoint));
    try {
      const { Item } = await client.send(new GetItemCommand({ TableName: 'kept-table', Key: { id: { S: 'a' } } }));
      // Assess
      expect(Item?.['v']?.S).toBe('kept');
    } finally {
      client.destroy();
      await second.stop();
    }
  });
});
