/**
 * Every local AWS service in one call: DynamoDB Local and fauxqs as child processes, the EventBridge and
 * Secrets Manager stand-ins in this process. `startLocalAws` starts all four (local mode);
 * `startLocalServices` starts the ones asked for (integration tests, through `startTestEnvironment`).
 */
import { startDynamoDbLocal, type DynamoDbLocal, type DynamoDbLocalOptions } from './dynamodb-local.ts';
import { startFauxqsProcess, type Fauxqs, type FauxqsOptions } from './fauxqs.ts';
import {
  LOCAL_REGION,
  localAwsEnvironment,
  localClientConfigs,
  type LocalAwsEndpoints,
  type LocalClientConfigs,
} from './aws-endpoints.ts';
import { reapRegisteredProcesses } from './registry.ts';
import {
  startEventBridgeStandIn,
  type EventBridgeStandIn,
  type EventBridgeStandInOptions,
} from '../standins/eventbridge.ts';
import {
  startSecretsManagerStandIn,
  type SecretsManagerStandIn,
  type SecretsManagerStandInOptions,
} from '../standins/secrets-manager.ts';

export * from './aws-endpoints.ts';
export { startDynamoDbLocal, locateDynamoDbLocal } from './dynamodb-local.ts';
export type { DynamoDbLocal, DynamoDbLocalOptions } from './dynamodb-local.ts';
export { startFauxqsProcess, startFauxqsServer, FAUXQS_SERVER_ENTRY } from './fauxqs.ts';
export type { Fauxqs, FauxqsOptions } from './fauxqs.ts';
export {
  findFreePort,
  httpProbe,
  isPortListening,
  isProcessAlive,
  liveProcesses,
  spawnManaged,
  stopAllProcesses,
  waitUntilReady,
} from './processes.ts';
export type { ManagedProcess, ProcessExit, SpawnManagedOptions, WaitUntilReadyOptions } from './processes.ts';
export { listRegisteredProcesses, reapRegisteredProcesses } from './registry.ts';

/** The services, by the option that asks for them. */
export type LocalServiceName = 'dynamodb' | 'fauxqs' | 'eventBridge' | 'secretsManager';

/** Which services to start: `true` for the defaults, an object for options; absent or false = not started. */
export interface LocalServiceSelection {
  dynamodb?: boolean | DynamoDbLocalOptions;
  /** fauxqs serves both S3 and SQS. */
  fauxqs?: boolean | FauxqsOptions;
  /** e.g. `{ eventsFile: '.local/events.jsonl' }` in local mode. */
  eventBridge?: boolean | EventBridgeStandInOptions;
  secretsManager?: boolean | SecretsManagerStandInOptions;
}

/** The services that were asked for, their endpoints, and one `stop()` for all of them. */
export interface LocalServices {
  dynamodb?: DynamoDbLocal;
  fauxqs?: Fauxqs;
  eventBridge?: EventBridgeStandIn;
  secretsManager?: SecretsManagerStandIn;
  /** Endpoints of the services started; the others are absent. */
  endpoints: Partial<LocalAwsEndpoints> & { region: string };
  /** Milliseconds each service took to start. */
  startupMs: Partial<Record<LocalServiceName, number>>;
  /** Stops every service started; safe to call twice. */
  stop(): Promise<void>;
}

const optionsOf = <T extends object>(value: boolean | T | undefined): T | undefined =>
  value === undefined || value === false ? undefined : value === true ? ({} as T) : value;

/**
 * Starts the selected services in parallel (DynamoDB Local's JVM dominates: a few seconds). If one fails
 * to start, the others are stopped and the first failure is thrown.
 */
export async function startLocalServices(selection: LocalServiceSelection): Promise<LocalServices> {
  const started: Omit<LocalServices, 'endpoints' | 'stop'> = { startupMs: {} };
  const start = async <T>(name: LocalServiceName, run: (() => Promise<T>) | undefined, keep: (value: T) => void) => {
    if (!run) return;
    const t0 = performance.now();
    keep(await run());
    started.startupMs[name] = Math.round(performance.now() - t0);
  };
  const dynamo = optionsOf(selection.dynamodb);
  const fauxqs = optionsOf(selection.fauxqs);
  const events = optionsOf(selection.eventBridge);
  const secrets = optionsOf(selection.secretsManager);
  const stopAll = async (): Promise<void> => {
    const services = [started.dynamodb, started.fauxqs, started.eventBridge, started.secretsManager];
    await Promise.allSettled(services.map((service) => service?.stop()));
  };
  const results = await Promise.allSettled([
    start('dynamodb', dynamo && (() => startDynamoDbLocal(dynamo)), (v) => (started.dynamodb = v)),
    start('fauxqs', fauxqs && (() => startFauxqsProcess(fauxqs)), (v) => (started.fauxqs = v)),
    start('eventBridge', events && (() => startEventBridgeStandIn(events)), (v) => (started.eventBridge = v)),
    start(
      'secretsManager',
      secrets && (() => startSecretsManagerStandIn(secrets)),
      (v) => (started.secretsManager = v),
    ),
  ]);
  const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failure) {
    await stopAll();
    throw failure.reason;
  }
  let stopped: Promise<void> | undefined;
  return {
    ...started,
    endpoints: endpointsOf(started),
    stop: () => (stopped ??= stopAll()),
  };
}

function endpointsOf(started: Omit<LocalServices, 'endpoints' | 'stop'>): LocalServices['endpoints'] {
  const endpoints: LocalServices['endpoints'] = { region: LOCAL_REGION };
  if (started.dynamodb) endpoints.dynamodb = started.dynamodb.endpoint;
  if (started.fauxqs) endpoints.s3 = endpoints.sqs = started.fauxqs.endpoint;
  if (started.eventBridge) endpoints.eventbridge = started.eventBridge.endpoint;
  if (started.secretsManager) endpoints.secretsmanager = started.secretsManager.endpoint;
  return endpoints;
}

/** Options of `startLocalAws`: each service's own, and whether to clean up after a crashed run. */
export interface LocalAwsOptions {
  dynamodb?: DynamoDbLocalOptions;
  fauxqs?: FauxqsOptions;
  /** e.g. `{ eventsFile: '.local/events.jsonl' }` in local mode. */
  eventBridge?: EventBridgeStandInOptions;
  secretsManager?: SecretsManagerStandInOptions;
  /**
   * Kill emulator processes an earlier run left behind (their owner died), before starting.
   * Default true.
   */
  reapOrphans?: boolean;
}

/** All four services, started. */
export interface LocalAws {
  endpoints: LocalAwsEndpoints;
  /** AWS_* variables for a handler process (merge with `withLocalAwsEnvironment`). */
  env: Record<string, string>;
  clientConfigs: LocalClientConfigs;
  dynamodb: DynamoDbLocal;
  fauxqs: Fauxqs;
  eventBridge: EventBridgeStandIn;
  secretsManager: SecretsManagerStandIn;
  /** Milliseconds each service took to start. */
  startupMs: Record<LocalServiceName, number>;
  /** Stops everything; safe to call twice. */
  stop(): Promise<void>;
}

/** Starts every local AWS service (local mode, end-to-end tests). */
export async function startLocalAws(options: LocalAwsOptions = {}): Promise<LocalAws> {
  if (options.reapOrphans ?? true) reapRegisteredProcesses({ onlyOrphans: true });
  const services = await startLocalServices({
    dynamodb: options.dynamodb ?? true,
    fauxqs: options.fauxqs ?? true,
    eventBridge: options.eventBridge ?? true,
    secretsManager: options.secretsManager ?? true,
  });
  const { dynamodb, fauxqs, eventBridge, secretsManager } = services;
  // Each was asked for, so each is there once startLocalServices resolved.
  if (!dynamodb || !fauxqs || !eventBridge || !secretsManager) throw new Error('a local AWS service did not start');
  const endpoints = services.endpoints as LocalAwsEndpoints;
  return {
    endpoints,
    env: localAwsEnvironment(endpoints),
    clientConfigs: localClientConfigs(endpoints),
    dynamodb,
    fauxqs,
    eventBridge,
    secretsManager,
    startupMs: services.startupMs as Record<LocalServiceName, number>,
    stop: () => services.stop(),
  };
}
