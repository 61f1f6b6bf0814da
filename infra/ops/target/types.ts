/**
 * What every command works on: one stage's resources and the SDK clients that reach them, whether the
 * stage is deployed (`--stage`, found through the stack's outputs) or the running `npm start` instance
 * (`--local`, found through `.local/endpoints.json`). Commands never ask which one it is, except where
 * AWS has an API the emulators lack (event source mappings, message move tasks, archives, metrics).
 */
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { StageConfig } from '../../config/index.ts';

/** A queue by URL; the ARN when the target knows it (a move task needs it). */
export interface QueueRef {
  url: string;
  arn?: string;
}

export interface OpsResources {
  bucket: string;
  uploadPrefix: string;
  uploadsTable: string;
  limitsTable: string;
  eventBusName: string;
  eventBusArn?: string;
  /** AWS only: the bus's archive, for `replay`. */
  eventArchiveArn?: string;
  queues: {
    ingest: QueueRef;
    ingestDeadLetter: QueueRef;
    status: QueueRef;
    statusDeadLetter: QueueRef;
    publishFailures: QueueRef;
  };
  /** AWS only: the event source mappings `pause` disables. */
  eventSourceMappings?: { ingest: string; status: string };
}

export interface OpsClients {
  dynamodb: DynamoDBDocumentClient;
  streams: DynamoDBStreamsClient;
  s3: S3Client;
  sqs: SQSClient;
  eventBridge: EventBridgeClient;
  lambda: LambdaClient;
  cloudWatch: CloudWatchClient;
}

export interface OpsTarget {
  kind: 'local' | 'aws';
  /** The stage's typed config (limits, poll settings, names). */
  stage: StageConfig;
  resources: OpsResources;
  clients: OpsClients;
  /** Local only: the state directory (`.local`) holding endpoints.json and logs/functions.jsonl. */
  stateDir?: string;
  /** Releases the clients' sockets. */
  close(): void;
}
