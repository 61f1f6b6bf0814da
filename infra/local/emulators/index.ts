/**
 * Every local AWS service in one call, for `npm start` (local mode) and the end-to-end test:
 * DynamoDB Local and fauxqs as child processes, the EventBridge and Secrets Manager stand-ins
 * in this process. Returns the endpoints, the environment for handler processes, and `stop()`.
 *
 * (Integration tests that need only some services use `startTestEnvironment` in test/support.)
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
  startupMs: Record<'dynamodb' | 'fauxqs' | 'eventBridge' | 'secretsManager', number>;
  /** Stops everything; safe to call twice. */
  stop(): Promise<void>;
}

export async function startLocalAws(options: LocalAwsOptions = {}): Promise<LocalAws> {
  if (options.reapOrphans ?? true) reapRegisteredProcesses({ onlyOrphans: true });
  const timed = async <T>(start: () => Promise<T>): Promise<[T, number]> => {
    const t0 = performance.now();
    const value = await start();
    return [value, Math.round(performance.now() - t0)];
  };
  const results = await Promise.allSettled([
    timed(() => startDynamoDbLocal(options.dynamodb)),
    timed(() => startFauxqsProcess(options.fauxqs)),
    timed(() => startEventBridgeStandIn(options.eventBridge)),
    timed(() => startSecretsManagerStandIn(options.secretsManager)),
  ] as const);
  const [dynamoResult, fauxqsResult, eventsResult, secretsResult] = results;
  if (
    dynamoResult.status === 'rejected' ||
    fauxqsResult.status === 'rejected' ||
    eventsResult.status === 'rejected' ||
    secretsResult.status === 'rejected'
  ) {
    await Promise.allSettled(results.map((r) => (r.status === 'fulfilled' ? r.value[0].stop() : undefined)));
    const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    throw failure?.reason;
  }
  const [dynamodb, dynamoMs] = dynamoResult.value;
  const [fauxqs, fauxqsMs] = fauxqsResult.value;
  const [eventBridge, eventsMs] = eventsResult.value;
  const [secretsManager, secretsMs] = secretsResult.value;
  const endpoints: LocalAwsEndpoints = {
    dynamodb: dynamodb.endpoint,
    s3: fauxqs.endpoint,
    sqs: fauxqs.endpoint,
    eventbridge: eventBridge.endpoint,
    secretsmanager: secretsManager.endpoint,
    region: LOCAL_REGION,
  };
  let stopped: Promise<void> | undefined;
  return {
    endpoints,
    env: localAwsEnvironment(endpoints),
    clientConfigs: localClientConfigs(endpoints),
    dynamodb,
    fauxqs,
    eventBridge,
    secretsManager,
    startupMs: { dynamodb: dynamoMs, fauxqs: fauxqsMs, eventBridge: eventsMs, secretsManager: secretsMs },
    stop() {
      stopped ??= Promise.allSettled([dynamodb.stop(), fauxqs.stop(), eventBridge.stop(), secretsManager.stop()]).then(
        () => undefined,
      );
      return stopped;
    },
  };
}
