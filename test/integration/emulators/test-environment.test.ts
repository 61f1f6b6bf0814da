import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { ListBucketsCommand } from '@aws-sdk/client-s3';
import { ListQueuesCommand } from '@aws-sdk/client-sqs';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { startTestEnvironment } from '../../support/environment.ts';
import { setup as globalSetup } from '../../support/global-setup.ts';
import {
  findFreePort,
  httpProbe,
  isPortListening,
  isProcessAlive,
  spawnManaged,
  waitUntilReady,
} from '../../../infra/local/emulators/processes.ts';
import { REGISTRY_DIR_ENV } from '../../../infra/local/emulators/registry.ts';

describe('startTestEnvironment', () => {
  it('starts every service asked for, with working clients, and stop() leaves no process and no port', async () => {
    // Prepare / Act
    const env = await startTestEnvironment({
      dynamodb: true,
      fauxqs: true,
      eventBridge: true,
      secretsManager: { secrets: { s: 'v' } },
    });
    const pids = [env.dynamodb.pid, env.fauxqs.pid];
    const ports = [env.dynamodb.port, env.fauxqs.port, env.eventBridge.port, env.secretsManager.port];
    try {
      const tables = await env.clients.dynamodb.send(new ListTablesCommand({}));
      const buckets = await env.clients.s3.send(new ListBucketsCommand({}));
      const queues = await env.clients.sqs.send(new ListQueuesCommand({}));
      const put = await env.clients.eventBridge.send(
        new PutEventsCommand({ Entries: [{ Source: 's', DetailType: 'd', Detail: '{}', EventBusName: 'b' }] }),
      );
      const secret = await env.clients.secretsManager.send(new GetSecretValueCommand({ SecretId: 's' }));

      // Assess (while running)
      console.info('start-up times (ms):', env.startupMs);
      expect(tables.TableNames).toEqual([]);
      expect(buckets.$metadata.httpStatusCode).toBe(200);
      expect(queues.QueueUrls ?? []).toEqual([]);
      expect(put.FailedEntryCount).toBe(0);
      expect(secret.SecretString).toBe('v');
      expect(env.clients.documentClient).toBeDefined();
      expect(Object.keys(env.awsEnv)).toEqual(
        expect.arrayContaining(['AWS_ENDPOINT_URL_S3', 'AWS_ENDPOINT_URL_SQS', 'AWS_ENDPOINT_URL_DYNAMODB']),
      );
      for (const port of ports) expect(await isPortListening(port)).toBe(true);
    } finally {
      await env.stop();
    }

    // Assess (after stop)
    for (const pid of pids) expect(isProcessAlive(pid)).toBe(false);
    for (const port of ports) expect(await isPortListening(port)).toBe(false);
    await env.stop(); // idempotent
  });

  it('starts only what is asked for and names the missing option when something else is used', async () => {
    const env = await startTestEnvironment({ eventBridge: true });
    try {
      expect(env.endpoints).toEqual({ region: 'us-east-1', eventbridge: env.eventBridge.endpoint });
      expect(() => env.clients.s3).toThrow(/fauxqs \(S3\) was not started: pass \{ fauxqs: true \}/);
      expect(() => env.dynamodb).toThrow(/DynamoDB Local was not started: pass \{ dynamodb: true \}/);
    } finally {
      await env.stop();
    }
  });

  it('stops what it started when another service fails to start', async () => {
    // A port already taken makes fauxqs fail; the EventBridge stand-in started beside it must go.
    const blocker = await startTestEnvironment({ secretsManager: true });
    try {
      const eventBridgePort = await findFreePort();
      await expect(
        startTestEnvironment({ eventBridge: { port: eventBridgePort }, fauxqs: { port: blocker.secretsManager.port } }),
      ).rejects.toThrow(/fauxqs exited[\s\S]*EADDRINUSE/);
      expect(await isPortListening(eventBridgePort)).toBe(false);
    } finally {
      await blocker.stop();
    }
  });
});

describe('vitest globalSetup guard', () => {
  it('kills processes left running at teardown and fails the run with their names', async () => {
    // Prepare: a run directory of our own, and a child that nobody stops.
    const saved = process.env[REGISTRY_DIR_ENV];
    const teardown = globalSetup();
    const port = await findFreePort();
    const listener = fileURLToPath(new URL('./fixtures/listener.mjs', import.meta.url));
    const leaked = spawnManaged({ name: 'leaked-listener', command: process.execPath, args: [listener, String(port)] });
    await waitUntilReady(leaked, httpProbe(`http://127.0.0.1:${port}/`));

    try {
      // Act / Assess
      expect(() => teardown()).toThrow(/left running.*leaked-listener \(pid \d+/);
      await leaked.exited;
      expect(isProcessAlive(leaked.pid)).toBe(false);
      expect(await isPortListening(port)).toBe(false);
    } finally {
      if (saved === undefined) delete process.env[REGISTRY_DIR_ENV];
      else process.env[REGISTRY_DIR_ENV] = saved;
    }
  });

  it('passes quietly when everything was stopped', async () => {
    const saved = process.env[REGISTRY_DIR_ENV];
    const teardown = globalSetup();
    try {
      const env = await startTestEnvironment({ fauxqs: true });
      await env.stop();
      expect(() => teardown()).not.toThrow();
    } finally {
      if (saved === undefined) delete process.env[REGISTRY_DIR_ENV];
      else process.env[REGISTRY_DIR_ENV] = saved;
    }
  });
});
