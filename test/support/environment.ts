/**
 * One call for an integration test file: start the emulators it needs, get endpoints, ready SDK
 * clients and the environment a handler needs, and stop everything in `afterAll`.
 *
 * ```ts
 * let env: TestEnvironment;
 * beforeAll(async () => { env = await startTestEnvironment({ dynamodb: true, fauxqs: true, eventBridge: true }); });
 * afterAll(() => env?.stop());
 * ```
 *
 * Services are started in parallel; DynamoDB Local (a JVM) dominates, a few seconds. Asking for a
 * service that was not started (e.g. `env.clients.s3` without `fauxqs`) throws a clear error.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { DynamoDbLocal } from '../../infra/local/emulators/dynamodb-local.ts';
import type { Fauxqs } from '../../infra/local/emulators/fauxqs.ts';
import {
  localAwsEnvironment,
  localClientConfig,
  localS3ClientConfig,
  type LocalAwsEndpoints,
} from '../../infra/local/emulators/aws-endpoints.ts';
import {
  startLocalServices,
  type LocalServiceName,
  type LocalServiceSelection,
} from '../../infra/local/emulators/index.ts';
import type { EventBridgeStandIn } from '../../infra/local/standins/eventbridge.ts';
import type { SecretsManagerStandIn } from '../../infra/local/standins/secrets-manager.ts';

/** Which services a test file needs (`true`, or the service's options). */
export type TestEnvironmentOptions = LocalServiceSelection;

/** SDK v3 clients pointed at the started services. */
export interface TestClients {
  dynamodb: DynamoDBClient;
  /** lib-dynamodb document client over `dynamodb` (removeUndefinedValues on). */
  documentClient: DynamoDBDocumentClient;
  dynamodbStreams: DynamoDBStreamsClient;
  s3: S3Client;
  sqs: SQSClient;
  eventBridge: EventBridgeClient;
  secretsManager: SecretsManagerClient;
}

/** What `startTestEnvironment` gives a test file. */
export interface TestEnvironment {
  /** Endpoints of the services started; the others are absent. */
  readonly endpoints: Partial<LocalAwsEndpoints> & { region: string };
  /** AWS_* variables that point an unmodified SDK v3 at the started services. */
  readonly awsEnv: Record<string, string>;
  /** Lazily created SDK clients (throw if their service was not requested). */
  readonly clients: TestClients;
  readonly dynamodb: DynamoDbLocal;
  readonly fauxqs: Fauxqs;
  readonly eventBridge: EventBridgeStandIn;
  readonly secretsManager: SecretsManagerStandIn;
  /** Milliseconds each service took to start, for reports. */
  readonly startupMs: Partial<Record<LocalServiceName, number>>;
  /** Destroys clients and stops every service; safe to call twice. */
  stop(): Promise<void>;
}

/** Starts the services asked for and hands out clients for them. */
export async function startTestEnvironment(options: TestEnvironmentOptions = {}): Promise<TestEnvironment> {
  const services = await startLocalServices(options);
  const { endpoints } = services;
  const region = endpoints.region;

  const need = <T>(value: T | undefined, what: string, option: keyof TestEnvironmentOptions): T => {
    if (value === undefined) {
      throw new Error(`${what} was not started: pass { ${option}: true } to startTestEnvironment()`);
    }
    return value;
  };

  const created: Array<{ destroy(): void }> = [];
  const cache = new Map<string, unknown>();
  const lazy = <T extends { destroy(): void }>(name: string, make: () => T): T => {
    let client = cache.get(name) as T | undefined;
    if (!client) {
      client = make();
      cache.set(name, client);
      created.push(client);
    }
    return client;
  };

  const clients: TestClients = {
    get dynamodb() {
      const endpoint = need(endpoints.dynamodb, 'DynamoDB Local', 'dynamodb');
      return lazy('dynamodb', () => new DynamoDBClient(localClientConfig(endpoint, region)));
    },
    get documentClient() {
      const base = clients.dynamodb;
      return lazy('documentClient', () =>
        DynamoDBDocumentClient.from(base, { marshallOptions: { removeUndefinedValues: true } }),
      );
    },
    get dynamodbStreams() {
      const endpoint = need(endpoints.dynamodb, 'DynamoDB Local', 'dynamodb');
      return lazy('dynamodbStreams', () => new DynamoDBStreamsClient(localClientConfig(endpoint, region)));
    },
    get s3() {
      const endpoint = need(endpoints.s3, 'fauxqs (S3)', 'fauxqs');
      return lazy('s3', () => new S3Client(localS3ClientConfig(endpoint, region)));
    },
    get sqs() {
      const endpoint = need(endpoints.sqs, 'fauxqs (SQS)', 'fauxqs');
      return lazy('sqs', () => new SQSClient(localClientConfig(endpoint, region)));
    },
    get eventBridge() {
      const endpoint = need(endpoints.eventbridge, 'The EventBridge stand-in', 'eventBridge');
      return lazy('eventBridge', () => new EventBridgeClient(localClientConfig(endpoint, region)));
    },
    get secretsManager() {
      const endpoint = need(endpoints.secretsmanager, 'The Secrets Manager stand-in', 'secretsManager');
      return lazy('secretsManager', () => new SecretsManagerClient(localClientConfig(endpoint, region)));
    },
  };

  let stopped: Promise<void> | undefined;
  return {
    endpoints,
    awsEnv: localAwsEnvironment(endpoints),
    clients,
    get dynamodb() {
      return need(services.dynamodb, 'DynamoDB Local', 'dynamodb');
    },
    get fauxqs() {
      return need(services.fauxqs, 'fauxqs', 'fauxqs');
    },
    get eventBridge() {
      return need(services.eventBridge, 'The EventBridge stand-in', 'eventBridge');
    },
    get secretsManager() {
      return need(services.secretsManager, 'The Secrets Manager stand-in', 'secretsManager');
    },
    startupMs: services.startupMs,
    stop() {
      stopped ??= (async () => {
        for (const client of created) client.destroy();
        await services.stop();
      })();
      return stopped;
    },
  };
}
