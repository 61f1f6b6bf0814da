/**
 * A small driver that runs the ingest and poll functions the way Lambda's SQS event source would,
 * against real emulators: DynamoDB Local (uploads + limits tables), fauxqs (bucket, ingest and status
 * queues), the Secrets Manager stand-in (the library secret) and the library sandbox.
 *
 * `drive()` receives from both queues (fauxqs honours DelaySeconds and visibility timeouts), builds SQS
 * events, calls the exported handlers, and deletes the messages the handler did not report as failed,
 * so re-sent copies, delayed status checks and redeliveries all happen as they would on AWS.
 */
import { randomUUID } from 'node:crypto';
import {
  CreateBucketCommand,
  PutObjectCommand,
  DeleteObjectCommand,
  GetObjectTaggingCommand,
} from '@aws-sdk/client-s3';
import { CreateQueueCommand, PurgeQueueCommand, ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import type { SQSEvent } from 'aws-lambda';
import { handler as ingestHandler } from '../../../functions/ingest/handler.ts';
import { handler as pollHandler } from '../../../functions/poll/handler.ts';
import type { RuntimeConfig } from '../../../shared/config/runtime-config.ts';
import {
  DEFAULT_FAULTS,
  DEFAULT_LIMITS,
  DEFAULT_PROCESSING,
  startSandbox,
  type Sandbox,
} from '../../../infra/local/sandbox/index.ts';
import type { SandboxOptions } from '../../../infra/local/sandbox/options.ts';
import { invokeSqsBatch, toSqsRecord, type SqsHandler } from '../../../infra/local/runner/event-sources/sqs-batch.ts';
import {
  buildPipelineRuntime,
  setPipelineRuntime,
  type PipelineRuntime,
  type PipelineRuntimeOptions,
} from '../../../shared/runtime/index.ts';
import { createSecretsCredentialsProvider } from '../../../shared/secrets/library-credentials.ts';
import { createLimitsTable, createUploadsTable, objectIdOf } from '../../../shared/store/index.ts';
import type { ObjectRef, UploadRecord } from '../../../shared/record/upload-record.ts';
import { isFinalStatus } from '../../../shared/record/upload-record.ts';
import { normalizeETag } from '../../../shared/s3/notification.ts';
import { s3Notification, s3RemovedNotification, sqsQueueArn } from '../../support/factories.ts';
import { startTestEnvironment, type TestEnvironment } from '../../support/index.ts';

/** The library secret's name in the tests. */
export const SECRET_ID = 'library/test';

/** Sandbox settings and config or runtime changes for one test file. */
export interface HarnessOptions {
  sandbox?: SandboxOptions;
  config?: Partial<RuntimeConfig>;
  runtime?: PipelineRuntimeOptions;
}

/** When `drive()` stops. */
export interface DriveOptions {
  until: () => Promise<boolean> | boolean;
  timeoutMs?: number;
}

/** Ingest and poll against real emulators and the sandbox, one step at a time. */
export interface PipelineHarness {
  env: TestEnvironment;
  sandbox: Sandbox;
  config: RuntimeConfig;
  runtime: PipelineRuntime;
  bucket: string;
  ingestQueueUrl: string;
  statusQueueUrl: string;
  /** Stores an object; returns its ref as a notification would name it. */
  putObject(key: string, body: Buffer | string, options?: { metadata?: Record<string, string> }): Promise<ObjectRef>;
  deleteObject(key: string): Promise<void>;
  /** Sends one S3 notification message per ref to the ingest queue (`copies` times each). */
  notify(refs: readonly ObjectRef[], options?: { copies?: number }): Promise<void>;
  /** Sends the `ObjectRemoved:*` notification of each key to the ingest queue. */
  notifyRemoved(keys: readonly string[], options?: { eventName?: string }): Promise<void>;
  /** The SQS event Lambda would build for these notification bodies (not sent to any queue). */
  ingestEvent(refs: readonly ObjectRef[]): SQSEvent;
  record(ref: ObjectRef): Promise<UploadRecord | undefined>;
  records(): Promise<UploadRecord[]>;
  tags(key: string): Promise<Record<string, string>>;
  /** Invocations and failed batch items since the last reset (a failed item would count towards a DLQ). */
  stats: { ingestInvocations: number; pollInvocations: number; ingestFailures: number; pollFailures: number };
  /** Runs the functions until `until` holds. */
  drive(options: DriveOptions): Promise<void>;
  /** Waits for every given ref to reach a final status. */
  settle(refs: readonly ObjectRef[], timeoutMs?: number): Promise<UploadRecord[]>;
  /** Empties the queues, resets the sandbox and rebuilds the runtime (fresh caches), optionally reconfigured. */
  reset(changes?: { config?: Partial<RuntimeConfig>; runtime?: PipelineRuntimeOptions }): Promise<void>;
  setSecret(value: { apiKey: string; accessToken: string }): void;
  close(): Promise<void>;
}

/** As the functions are configured in the tests: a minute each, as much memory as the stage gives ingest. */
const functionSettings = (functionName: 'ingest' | 'poll') => ({ functionName, timeoutSeconds: 60, memoryMb: 512 });

/** Starts the emulators and the sandbox, creates a bucket, two queues and two tables with fresh names. */
export async function startPipelineHarness(options: HarnessOptions = {}): Promise<PipelineHarness> {
  const env = await startTestEnvironment({ dynamodb: true, fauxqs: true, secretsManager: true });
  const sandbox = await startSandbox({ ...options.sandbox });
  const suffix = randomUUID().slice(0, 8);
  const bucket = `uploads-${suffix}`;
  const names = {
    ingest: `ingest-${suffix}`,
    status: `status-${suffix}`,
    uploads: `uploads-${suffix}`,
    limits: `limits-${suffix}`,
  };
  const { s3, sqs, dynamodb, documentClient, secretsManager } = env.clients;
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  // A short visibility timeout, so a failed batch item comes back within a test's patience.
  const queueAttributes = { VisibilityTimeout: '2' };
  const ingestQueueUrl = (
    await sqs.send(new CreateQueueCommand({ QueueName: names.ingest, Attributes: queueAttributes }))
  ).QueueUrl!;
  const statusQueueUrl = (
    await sqs.send(new CreateQueueCommand({ QueueName: names.status, Attributes: queueAttributes }))
  ).QueueUrl!;
  const arnOf = (url: string) => sqsQueueArn(url.split('/').at(-1) ?? '');
  await Promise.all([createUploadsTable(dynamodb, names.uploads), createLimitsTable(dynamodb, names.limits)]);
  env.secretsManager.setSecret(SECRET_ID, { ...sandbox.credentials });

  const baseConfig: RuntimeConfig = {
    stage: 'test',
    libraryBaseUrl: sandbox.baseUrl,
    librarySecretId: SECRET_ID,
    uploadsTableName: names.uploads,
    limitsTableName: names.limits,
    statusQueueUrl,
    eventBusName: 'bus',
    uploadPrefix: 'incoming/',
    defaultFolderId: '0',
    mirrorFolders: true,
    requestsPerSecond: 4,
    requestsPerDay: 10_000,
    poll: { firstDelaySeconds: 1, maxDelaySeconds: 2, maxWaitSeconds: 60 },
    enrichActiveFiles: true,
    tagObjects: true,
    recordTtlDays: 0,
    sync: { onOverwrite: 'replace', onDelete: 'trash' },
    ...options.config,
  };
  const baseRuntime: PipelineRuntimeOptions = {
    retryPolicy: { baseSeconds: 1, maxSeconds: 2, maxRetries: 4, unauthorizedDelaySeconds: 1 },
    unauthorizedHoldMs: 1500,
    ...options.runtime,
  };

  let config = baseConfig;
  let runtime: PipelineRuntime;
  const build = (configChanges: Partial<RuntimeConfig> = {}, runtimeChanges: PipelineRuntimeOptions = {}) => {
    config = { ...baseConfig, ...configChanges };
    runtime = buildPipelineRuntime(config, {
      clients: { s3, sqs, dynamodb },
      credentials: createSecretsCredentialsProvider({
        secretId: SECRET_ID,
        secretsProvider: new SecretsProvider({ awsSdkV3Client: secretsManager }),
      }),
      ...baseRuntime,
      ...runtimeChanges,
    });
    setPipelineRuntime(runtime);
  };
  build();

  const stats = { ingestInvocations: 0, pollInvocations: 0, ingestFailures: 0, pollFailures: 0 };
  /** One receive + invoke + delete round on a queue; false when the queue had nothing visible. */
  const pump = async (queueUrl: string, handler: SqsHandler, name: 'ingest' | 'poll'): Promise<boolean> => {
    const received = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 0,
        MessageSystemAttributeNames: ['All'],
      }),
    );
    const messages = received.Messages ?? [];
    if (messages.length === 0) return false;
    const target = { sqs, queueUrl, queueArn: arnOf(queueUrl), handler, function: functionSettings(name) };
    const report = await invokeSqsBatch(target, messages);
    // A handler that throws is a bug the test should see, not a batch to retry.
    if (report.error !== undefined) throw report.error;
    stats[`${name}Invocations`] += 1;
    stats[`${name}Failures`] += report.failedMessageIds.length;
    return true;
  };

  const refFor = (key: string, eTag: string | undefined, size: number): ObjectRef => ({
    bucket,
    key,
    ...(eTag ? { eTag: normalizeETag(eTag) } : {}),
    size,
  });

  const harness: PipelineHarness = {
    env,
    sandbox,
    get config() {
      return config;
    },
    get runtime() {
      return runtime;
    },
    bucket,
    ingestQueueUrl,
    statusQueueUrl,
    stats,
    async putObject(key, body, putOptions = {}) {
      const bytes = typeof body === 'string' ? Buffer.from(body) : body;
      const result = await s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: bytes,
          ...(putOptions.metadata ? { Metadata: putOptions.metadata } : {}),
        }),
      );
      return refFor(key, result.ETag, bytes.length);
    },
    async deleteObject(key) {
      await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    },
    async notify(refs, notifyOptions = {}) {
      for (let copy = 0; copy < (notifyOptions.copies ?? 1); copy++) {
        for (const ref of refs) {
          const body = JSON.stringify(s3Notification([ref]));
          await sqs.send(new SendMessageCommand({ QueueUrl: ingestQueueUrl, MessageBody: body }));
        }
      }
    },
    async notifyRemoved(keys, removedOptions = {}) {
      for (const key of keys) {
        const body = JSON.stringify(s3RemovedNotification(bucket, key, removedOptions));
        await sqs.send(new SendMessageCommand({ QueueUrl: ingestQueueUrl, MessageBody: body }));
      }
    },
    ingestEvent(refs) {
      return {
        Records: refs.map((ref) =>
          toSqsRecord(
            { MessageId: randomUUID(), ReceiptHandle: randomUUID(), Body: JSON.stringify(s3Notification([ref])) },
            arnOf(ingestQueueUrl),
          ),
        ),
      };
    },
    async record(ref) {
      return runtime.store.get(objectIdOf(ref));
    },
    async records() {
      const result = await documentClient.send(new ScanCommand({ TableName: names.uploads, ConsistentRead: true }));
      return (result.Items ?? []) as UploadRecord[];
    },
    async tags(key) {
      const result = await s3.send(new GetObjectTaggingCommand({ Bucket: bucket, Key: key }));
      return Object.fromEntries((result.TagSet ?? []).map((t) => [t.Key, t.Value]));
    },
    async drive(driveOptions) {
      const deadline = Date.now() + (driveOptions.timeoutMs ?? 30_000);
      while (Date.now() < deadline) {
        if (await driveOptions.until()) return;
        const ingested = await pump(ingestQueueUrl, ingestHandler, 'ingest');
        const polled = await pump(statusQueueUrl, pollHandler, 'poll');
        if (!ingested && !polled) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      if (await driveOptions.until()) return;
      throw new Error('drive(): the condition did not hold before the deadline');
    },
    async settle(refs, timeoutMs) {
      let records: (UploadRecord | undefined)[] = [];
      await harness.drive({
        until: async () => {
          records = await Promise.all(refs.map((ref) => harness.record(ref)));
          return records.every((r) => r !== undefined && isFinalStatus(r.status));
        },
        ...(timeoutMs === undefined ? {} : { timeoutMs }),
      });
      return records as UploadRecord[];
    },
    async reset(changes = {}) {
      await Promise.all([
        sqs.send(new PurgeQueueCommand({ QueueUrl: ingestQueueUrl })),
        sqs.send(new PurgeQueueCommand({ QueueUrl: statusQueueUrl })),
      ]);
      // The sandbox's reset forgets files and counters but keeps settings: restore those too.
      sandbox.setCredentials([{ ...sandbox.credentials }]);
      sandbox.setLimits({ ...DEFAULT_LIMITS, ...options.sandbox?.limits });
      sandbox.setFaults({ ...DEFAULT_FAULTS, ...options.sandbox?.faults, endpoints: null as unknown as undefined });
      sandbox.setProcessing({ ...DEFAULT_PROCESSING, ...options.sandbox?.processing });
      sandbox.reset();
      Object.assign(stats, { ingestInvocations: 0, pollInvocations: 0, ingestFailures: 0, pollFailures: 0 });
      env.secretsManager.setSecret(SECRET_ID, { ...sandbox.credentials });
      await runtime.close();
      build(changes.config, changes.runtime);
    },
    setSecret(value) {
      env.secretsManager.setSecret(SECRET_ID, value);
    },
    async close() {
      setPipelineRuntime(undefined);
      await runtime.close().catch(() => undefined);
      await sandbox.close();
      await env.stop();
    },
  };
  return harness;
}

export { pdfBytes, pngBytes } from '../../support/sample-files.ts';

/** A minimal JPEG (start and end markers around padding). */
export function jpegBytes(padding = 200): Buffer {
  return Buffer.concat([
    Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00]),
    Buffer.alloc(padding, 3),
    Buffer.from([0xff, 0xd9]),
  ]);
}

/** Upload-status requests the sandbox has answered (any outcome). */
export function statusRequests(sandbox: Sandbox): number {
  return Object.values(sandbox.counters().requests.getUploadStatus ?? {}).reduce((a, b) => a + b, 0);
}

/** Requests the sandbox has answered for one operation (any outcome). */
export function requestsOf(sandbox: Sandbox, operation: keyof ReturnType<Sandbox['counters']>['requests']): number {
  return Object.values(sandbox.counters().requests[operation] ?? {}).reduce((a, b) => a + b, 0);
}
