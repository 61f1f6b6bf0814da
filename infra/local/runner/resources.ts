/**
 * Creates, on the emulators, what the CDK stack creates on AWS for a stage, from the same typed stage
 * config (infra/config/) and the same physical names (`resourceNames`):
 *
 *  - the upload bucket, with S3 → ingest-queue notifications filtered as the stack filters them;
 *  - the ingest and status queues, each with its dead-letter queue (RedrivePolicy with the stage's
 *    maxReceiveCount), visibility timeout derived from the consumer's timeout
 *    (`visibilityTimeoutSeconds`, as the stack does) and the stage's retention; DLQs keep 14 days;
 *  - the publish-failures queue (the stream mapping's on-failure destination);
 *  - the uploads table (stream NEW_AND_OLD_IMAGES, GSI, TTL) and the limits table, with the store's own
 *    `createUploadsTable` / `createLimitsTable`.
 *
 * Not created (no local counterpart needed): encryption, bucket policies, alarms, dashboard, the event
 * bus (the EventBridge stand-in accepts any bus name) and the event archive.
 */
import {
  CreateBucketCommand,
  PutBucketNotificationConfigurationCommand,
  type NotificationConfigurationFilter,
  type S3Client,
} from '@aws-sdk/client-s3';
import { CreateQueueCommand, GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  MAX_SQS_RETENTION_DAYS,
  resourceNames,
  visibilityTimeoutSeconds,
  type FunctionSettings,
  type ResourceNames,
  type SqsSourceSettings,
  type StageConfig,
} from '../../config/index.ts';
import { createLimitsTable, createUploadsTable } from '../../../shared/store/index.ts';
import { LOCAL_ACCOUNT_ID, LOCAL_REGION } from '../emulators/aws-endpoints.ts';
import type { NotificationKeyFilter } from './stack-definitions.ts';

/** A queue created for local mode. */
export interface LocalQueue {
  name: string;
  url: string;
  arn: string;
}

/** A queue that feeds a function, with its dead-letter queue. */
export interface LocalWorkQueue extends LocalQueue {
  deadLetter: LocalQueue;
  visibilityTimeoutSeconds: number;
  maxReceiveCount: number;
}

/** Everything local mode created for the stage, by the stack's names. */
export interface LocalResources {
  names: ResourceNames;
  bucket: string;
  uploadPrefix: string;
  ingestQueue: LocalWorkQueue;
  statusQueue: LocalWorkQueue;
  publishFailureQueue: LocalQueue;
  uploadsTable: string;
  limitsTable: string;
  uploadsStreamArn: string;
  eventBusName: string;
}

/** The clients resources are created with. */
export interface LocalResourceClients {
  s3: S3Client;
  sqs: SQSClient;
  dynamodb: DynamoDBClient;
}

const DAY_SECONDS = 24 * 60 * 60;

/** The ARN of a local queue, as Lambda puts it on the records. */
export function queueArn(name: string, region: string = LOCAL_REGION): string {
  return `arn:aws:sqs:${region}:${LOCAL_ACCOUNT_ID}:${name}`;
}

async function createQueue(sqs: SQSClient, name: string, attributes: Record<string, string>): Promise<LocalQueue> {
  const result = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
  if (!result.QueueUrl) throw new Error(`CreateQueue ${name} returned no URL`);
  return { name, url: result.QueueUrl, arn: queueArn(name) };
}

async function createWorkQueue(
  sqs: SQSClient,
  name: string,
  deadLetterName: string,
  consumer: FunctionSettings,
  source: SqsSourceSettings,
): Promise<LocalWorkQueue> {
  const deadLetter = await createQueue(sqs, deadLetterName, {
    MessageRetentionPeriod: String(MAX_SQS_RETENTION_DAYS * DAY_SECONDS),
  });
  const visibility = visibilityTimeoutSeconds(consumer.timeoutSeconds, source);
  const queue = await createQueue(sqs, name, {
    VisibilityTimeout: String(visibility),
    MessageRetentionPeriod: String(source.retentionDays * DAY_SECONDS),
    RedrivePolicy: JSON.stringify({ deadLetterTargetArn: deadLetter.arn, maxReceiveCount: source.maxReceiveCount }),
  });
  return { ...queue, deadLetter, visibilityTimeoutSeconds: visibility, maxReceiveCount: source.maxReceiveCount };
}

function s3KeyFilter(filter: NotificationKeyFilter): NotificationConfigurationFilter | undefined {
  const rules = [
    ...(filter.prefix ? [{ Name: 'prefix' as const, Value: filter.prefix }] : []),
    ...(filter.suffix ? [{ Name: 'suffix' as const, Value: filter.suffix }] : []),
  ];
  return rules.length === 0 ? undefined : { Key: { FilterRules: rules } };
}

/**
 * Creates the stage's bucket (with notifications), queues and tables as the stack defines them.
 * `beforeNotifications` runs once the bucket exists and before its notifications are set (`--preload`).
 */
export async function createLocalResources(
  clients: LocalResourceClients,
  stage: StageConfig,
  notificationFilters: readonly NotificationKeyFilter[],
  beforeNotifications?: (bucket: string) => Promise<void>,
): Promise<LocalResources> {
  const names = resourceNames(stage);
  const bucket = names.localBucket;
  const [ingestQueue, statusQueue, publishFailureQueue] = await Promise.all([
    createWorkQueue(
      clients.sqs,
      names.ingestQueue,
      names.ingestDeadLetterQueue,
      stage.functions.ingest,
      stage.sources.ingestQueue,
    ),
    createWorkQueue(
      clients.sqs,
      names.statusQueue,
      names.statusDeadLetterQueue,
      stage.functions.poll,
      stage.sources.statusQueue,
    ),
    createQueue(clients.sqs, names.publishFailureQueue, {
      MessageRetentionPeriod: String(MAX_SQS_RETENTION_DAYS * DAY_SECONDS),
    }),
    createUploadsTable(clients.dynamodb, names.uploadsTable),
    createLimitsTable(clients.dynamodb, names.limitsTable),
    clients.s3.send(new CreateBucketCommand({ Bucket: bucket })).catch((error: unknown) => {
      if ((error as { name?: string }).name !== 'BucketAlreadyOwnedByYou') throw error;
    }),
  ]);
  await beforeNotifications?.(bucket);
  // As on AWS, the notification configuration needs the queue to exist; S3 then sends an s3:TestEvent.
  await clients.s3.send(
    new PutBucketNotificationConfigurationCommand({
      Bucket: bucket,
      NotificationConfiguration: {
        QueueConfigurations: notificationFilters.map((filter, index) => {
          const s3Filter = s3KeyFilter(filter);
          return {
            Id: `ingest-${index + 1}`,
            QueueArn: ingestQueue.arn,
            // As the stack: deletions are notified when the stage trashes a deleted key's library file.
            Events: ['s3:ObjectCreated:*', ...(stage.sync.onDelete === 'trash' ? ['s3:ObjectRemoved:*' as const] : [])],
            ...(s3Filter ? { Filter: s3Filter } : {}),
          };
        }),
      },
    }),
  );
  const table = await clients.dynamodb.send(new DescribeTableCommand({ TableName: names.uploadsTable }));
  const uploadsStreamArn = table.Table?.LatestStreamArn;
  if (!uploadsStreamArn) throw new Error(`Table ${names.uploadsTable} has no stream`);
  return {
    names,
    bucket,
    uploadPrefix: stage.uploads.prefix,
    ingestQueue,
    statusQueue,
    publishFailureQueue,
    uploadsTable: names.uploadsTable,
    limitsTable: names.limitsTable,
    uploadsStreamArn,
    eventBusName: names.eventBus,
  };
}

/** The attributes of a queue as the emulator reports them (tests check the redrive policy with it). */
export async function queueAttributes(sqs: SQSClient, url: string): Promise<Record<string, string>> {
  const result = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] }));
  return result.Attributes ?? {};
}
