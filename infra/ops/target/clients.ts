/**
 * The SDK clients of a target, built from one config (the default chain on AWS, the emulators' dummy
 * credentials and endpoints locally).
 */
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { OpsClients } from './types.ts';

/** Per-service config: region, and for local mode endpoint and credentials. */
export interface ClientConfigs {
  region?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
  endpoints?: { dynamodb: string; s3: string; sqs: string; eventbridge: string };
}

export function buildClients(config: ClientConfigs): { clients: OpsClients; close(): void } {
  const base = (endpoint: string | undefined) => ({
    ...(config.region === undefined ? {} : { region: config.region }),
    // A copy per client: SDK v3 writes a marker into the credentials object it is given.
    ...(config.credentials === undefined ? {} : { credentials: { ...config.credentials } }),
    ...(endpoint === undefined ? {} : { endpoint }),
  });
  const e = config.endpoints;
  const dynamodb = new DynamoDBClient(base(e?.dynamodb));
  const streams = new DynamoDBStreamsClient(base(e?.dynamodb));
  const s3 = new S3Client({ ...base(e?.s3), ...(e === undefined ? {} : { forcePathStyle: true }) });
  const sqs = new SQSClient(base(e?.sqs));
  const eventBridge = new EventBridgeClient(base(e?.eventbridge));
  const lambda = new LambdaClient(base(undefined));
  const cloudWatch = new CloudWatchClient(base(undefined));
  const all = [dynamodb, streams, s3, sqs, eventBridge, lambda, cloudWatch];
  return {
    clients: {
      dynamodb: DynamoDBDocumentClient.from(dynamodb, { marshallOptions: { removeUndefinedValues: true } }),
      streams,
      s3,
      sqs,
      eventBridge,
      lambda,
      cloudWatch,
    },
    close: () => all.forEach((client) => client.destroy()),
  };
}
