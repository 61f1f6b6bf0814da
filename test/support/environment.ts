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
import {
  startDynamoDbLocal,
  type DynamoDbLocal,
  type DynamoDbLocalOptions,
} from '../../infra/local/emulators/dynamodb-local.ts';
import { startFauxqsProcess, type Fauxqs, type FauxqsOptions } from '../../infra/local/emulators/fauxqs.ts';
import {
  LOCAL_REGION,
  localAwsEnvironment,
  localClientConfig,
  localS3ClientConfig,
  type LocalAwsEndpoints,
} from '../../infra/local/emulators/aws-endpoints.ts';
import {
  startEventBridgeStandIn,
  type EventBridgeStandIn,
  type EventBridgeStandInOptions,
} from '../../infra/local/standins/eventbridge.ts';
import {
  startSecretsManagerStandIn,
  type SecretsManagerStandIn,
  type SecretsManagerStandInOptions,
} from '../../infra/local/standins/secrets-manager.ts';

export interface TestEnvironmentOptions {
  dynamodb?: boolean | DynamoDbLocalOptions;
  /** fauxqs serves both S3 and SQS. */
  fauxqs?: boolean | FauxqsOptions;
  eventBridge?: boolean | EventBridgeStandInOptions;
  secretsManager?: boolean | SecretsManagerStandInOptions;
}

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
  readonly startupMs: Partial<Record<'dynamodb' | 'fauxqs' | 'eventBridge' | 'secretsManager', number>>;
  /** Destroys clients and stops every service; safe to call twice. */
  stop(): Promise<void>;
}

type Started = {
  dynamodb?: DynamoDbLocal;
  fauxqs?: Fauxqs;
  eventBridge?: EventBridgeStandIn;
  secretsManager?: SecretsManagerStandIn;
};

const optionsOf = <T extends object>(value: boolean | T | undefined): T | undefined =>
  value === undefined || value === false ? undefined : value === true ? ({} as T) : value;

async function timed<T>(start: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const t0 = performance.now();
  const value = await start();
  return { value, ms: Math.round(performance.now() - t0) };
}

export async function startTestEnvironment(options: TestEnvironmentOptions = {}): Promise<TestEnvironment> {
  const started: Started = {};
  const startupMs: TestEnvironment['startupMs'] = {};
  const stopStarted = async (): Promise<void> => {
    await Promise.allSettled([
      started.dynamodb?.stop(),
      started.fauxqs?.stop(),
      started.eventBridge?.stop(),
      started.secretsManager?.stop(),
    ]);
  };

  const jobs: Promise<void>[] = [];
  const dynamoOptions = optionsOf(options.dynamodb);
  if (dynamoOptions) {
    jobs.push(
      timed(() => startDynamoDbLocal(dynamoOptions)).then(({ value, ms }) => {
        started.dynamodb = value;
        startupMs.dynamodb = ms;
      }),
    );
  }
  const fauxqsOptions = optionsOf(options.fauxqs);
  if (fauxqsOptions) {
    jobs.push(
      timed(() => startFauxqsProcess(fauxqsOptions)).then(({ value, ms }) => {
        started.fauxqs = value;
        startupMs.fauxqs = ms;
      }),
    );
  }
  const eventBridgeOptions = optionsOf(options.eventBridge);
  if (eventBridgeOptions) {
    jobs.push(
      timed(() => startEventBridgeStandIn(eventBridgeOptions)).then(({ value, ms }) => {
        started.eventBridge = value;
        startupMs.eventBridge = ms;
      }),
    );
  }
  const secretsOptions = optionsOf(options.secretsManager);
  if (secretsOptions) {
    jobs.push(
      timed(() => startSecretsManagerStandIn(secretsOptions)).then(({ value, ms }) => {
        started.secretsManager = value;
        startupMs.secretsManager = ms;
      }),
    );
  }

  const results = await Promise.allSettled(jobs);
  const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failure) {
    await stopStarted();
    throw failure.reason;
  }

  const region = LOCAL_REGION;
  const endpoints: TestEnvironment['endpoints'] = { region };
  if (started.dynamodb) endpoints.dynamodb = started.dynamodb.endpoint;
  if (started.fauxqs) {
    endpoints.s3 = started.fauxqs.endpoint;
    endpoints.sqs = started.fauxqs.endpoint;
  }
  if (started.eventBridge) endpoints.eventbridge = started.eventBridge.endpoint;
  if (started.secretsManager) endpoints.secretsmanager = started.secretsManager.endpoint;

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
      return need(started.dynamodb, 'DynamoDB Local', 'dynamodb');
    },
    get fauxqs() {
      return need(started.fauxqs, 'fauxqs', 'fauxqs');
    },
    get eventBridge() {
      return need(started.eventBridge, 'The EventBridge stand-in', 'eventBridge');
    },
    get secretsManager() {
      return need(started.secretsManager, 'The Secrets Manager stand-in', 'secretsManager');
    },
    startupMs,
    stop() {
      stopped ??= (async () => {
        for (const client of created) client.destroy();
        await stopStarted();
      })();
      return stopped;
    },
  };
}
