/**
 * Do SDK v3 clients reach the local services from environment variables alone? (A handler process
 * in local mode is started with `withLocalAwsEnvironment(...)` and no endpoint code.) And how is S3
 * path style obtained?
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateBucketCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { CreateQueueCommand } from '@aws-sdk/client-sqs';
import {
  ENDPOINT_ENV_VARS,
  localAwsEnvironment,
  localClientConfigs,
  withLocalAwsEnvironment,
  type LocalAwsEndpoints,
} from '../../../infra/local/emulators/aws-endpoints.ts';
import { startTestEnvironment, type TestEnvironment } from '../../support/environment.ts';

const run = promisify(execFile);
const fixture = fileURLToPath(new URL('./fixtures/sdk-from-env.ts', import.meta.url));

/** Records the host and path of the first S3 request, then stops it before it is sent. */
async function s3RequestTarget(client: S3Client): Promise<{ hostname: string; path: string }> {
  let seen: { hostname: string; path: string } | undefined;
  client.middlewareStack.add(
    () => async (args) => {
      const request = args.request as { hostname: string; path: string };
      seen = { hostname: request.hostname, path: request.path };
      throw new Error('stop here');
    },
    { step: 'finalizeRequest', name: 'captureTarget' },
  );
  await client.send(new ListObjectsV2Command({ Bucket: 'some-bucket' })).catch(() => undefined);
  client.destroy();
  if (!seen) throw new Error('no request was built');
  return seen;
}

describe('local AWS endpoints', () => {
  let env: TestEnvironment;
  let endpoints: LocalAwsEndpoints;

  beforeAll(async () => {
    env = await startTestEnvironment({
      dynamodb: true,
      fauxqs: true,
      eventBridge: true,
      secretsManager: { secrets: { 'library/dev': { apiKey: 'k', accessToken: 't' } } },
    });
    endpoints = env.endpoints as LocalAwsEndpoints;
    await env.clients.s3.send(new CreateBucketCommand({ Bucket: 'env-bucket' }));
  });

  afterAll(() => env?.stop());

  it('builds the environment: one AWS_ENDPOINT_URL_<SERVICE> per service, dummy credentials, region', () => {
    expect(localAwsEnvironment(endpoints)).toEqual({
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_REGION: 'us-east-1',
      AWS_DEFAULT_REGION: 'us-east-1',
      AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
      AWS_ENDPOINT_URL_DYNAMODB_STREAMS: endpoints.dynamodb,
      AWS_ENDPOINT_URL_S3: endpoints.s3,
      AWS_ENDPOINT_URL_SQS: endpoints.sqs,
      AWS_ENDPOINT_URL_EVENTBRIDGE: endpoints.eventbridge,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: endpoints.secretsmanager,
    });
  });

  it('drops variables that could reach real AWS when merging with an existing environment', () => {
    const merged = withLocalAwsEnvironment(endpoints, {
      PATH: '/bin',
      AWS_PROFILE: 'prod',
      AWS_SESSION_TOKEN: 'secret',
      AWS_ENDPOINT_URL: 'https://example.com',
      AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'true',
    });
    expect(merged['PATH']).toBe('/bin');
    expect(merged['AWS_PROFILE']).toBeUndefined();
    expect(merged['AWS_SESSION_TOKEN']).toBeUndefined();
    expect(merged['AWS_ENDPOINT_URL']).toBeUndefined();
    expect(merged['AWS_IGNORE_CONFIGURED_ENDPOINT_URLS']).toBeUndefined();
    expect(merged[ENDPOINT_ENV_VARS.s3]).toBe(endpoints.s3);
  });

  it('client configs carry endpoint, region, static credentials, and forcePathStyle for S3', () => {
    const configs = localClientConfigs(endpoints);
    expect(configs.s3).toEqual({
      endpoint: endpoints.s3,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      forcePathStyle: true,
    });
    expect(configs.dynamodb.endpoint).toBe(endpoints.dynamodb);
    expect(configs.secretsmanager.endpoint).toBe(endpoints.secretsmanager);
  });

  it('SDK v3 in a separate process honours AWS_ENDPOINT_URL_* for S3, SQS, DynamoDB, EventBridge and Secrets Manager', async () => {
    // Prepare
    const { QueueUrl } = await env.clients.sqs.send(new CreateQueueCommand({ QueueName: 'env-queue' }));

    // Act
    const { stdout } = await run(process.execPath, [fixture, 'env-bucket', QueueUrl!, 'library/dev'], {
      env: withLocalAwsEnvironment(endpoints, { PATH: process.env['PATH'], HOME: process.env['HOME'] }),
      timeout: 30_000,
    });
    const seen = JSON.parse(stdout.trim()) as Record<string, unknown>;

    // Assess: every call reached a local service; S3 went path style with no setting at all.
    expect(seen['region']).toBe('us-east-1');
    expect(seen['s3Body']).toBe('env works');
    const s3Port = new URL(endpoints.s3).port;
    expect(seen['s3Urls']).toEqual([
      `127.0.0.1:${s3Port}/env-bucket/from-env.txt`,
      `127.0.0.1:${s3Port}/env-bucket/from-env.txt`,
    ]);
    expect(seen['sqsBodies']).toEqual(['from env']);
    expect(seen['dynamodbTables']).toEqual([]);
    expect(seen['eventIds']).toHaveLength(1);
    expect(env.eventBridge.events({ busName: 'env-bus' })).toHaveLength(1);
    expect(JSON.parse(String(seen['secret']))).toEqual({ apiKey: 'k', accessToken: 't' });
    expect(env.secretsManager.readCount('library/dev')).toBe(1);
  });

  it('S3 uses path style by itself when the endpoint host is an IP address (no forcePathStyle needed)', async () => {
    const target = await s3RequestTarget(
      new S3Client({
        endpoint: endpoints.s3,
        region: 'us-east-1',
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      }),
    );
    expect(target).toEqual({ hostname: '127.0.0.1', path: '/some-bucket/' });
  });

  it('S3 switches to virtual-hosted style for a host name endpoint (localhost) unless forcePathStyle is set', async () => {
    const port = new URL(endpoints.s3).port;
    const base = { region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
    const virtual = await s3RequestTarget(new S3Client({ ...base, endpoint: `http://localhost:${port}` }));
    const forced = await s3RequestTarget(
      new S3Client({ ...base, endpoint: `http://localhost:${port}`, forcePathStyle: true }),
    );
    expect(virtual).toEqual({ hostname: 'some-bucket.localhost', path: '/' });
    expect(forced).toEqual({ hostname: 'localhost', path: '/some-bucket/' });
  });

  it('an endpoint given in code wins over AWS_ENDPOINT_URL_*', async () => {
    const saved = process.env[ENDPOINT_ENV_VARS.s3];
    process.env[ENDPOINT_ENV_VARS.s3] = 'http://127.0.0.2:1';
    try {
      const target = await s3RequestTarget(new S3Client(localClientConfigs(endpoints).s3));
      expect(target.hostname).toBe('127.0.0.1');
    } finally {
      if (saved === undefined) delete process.env[ENDPOINT_ENV_VARS.s3];
      else process.env[ENDPOINT_ENV_VARS.s3] = saved;
    }
  });
});
