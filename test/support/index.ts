/** Test helpers for integration and end-to-end tests: emulators, stand-ins, clients. */
export { startTestEnvironment } from './environment.ts';
export type { TestEnvironment, TestEnvironmentOptions, TestClients } from './environment.ts';
export { startDynamoDbLocal } from '../../infra/local/emulators/dynamodb-local.ts';
export type { DynamoDbLocal, DynamoDbLocalOptions } from '../../infra/local/emulators/dynamodb-local.ts';
export { startFauxqsProcess } from '../../infra/local/emulators/fauxqs.ts';
export type { Fauxqs, FauxqsOptions } from '../../infra/local/emulators/fauxqs.ts';
export { startEventBridgeStandIn, toEnvelope } from '../../infra/local/standins/eventbridge.ts';
export type { EventBridgeStandIn, RecordedEvent, EventEnvelope } from '../../infra/local/standins/eventbridge.ts';
export { startSecretsManagerStandIn } from '../../infra/local/standins/secrets-manager.ts';
export type { SecretsManagerStandIn } from '../../infra/local/standins/secrets-manager.ts';
export {
  LOCAL_REGION,
  LOCAL_CREDENTIALS,
  localAwsEnvironment,
  withLocalAwsEnvironment,
  localClientConfig,
  localS3ClientConfig,
  localClientConfigs,
} from '../../infra/local/emulators/aws-endpoints.ts';
export type { LocalAwsEndpoints } from '../../infra/local/emulators/aws-endpoints.ts';
export { waitFor } from './wait.ts';
export { startLocalAws } from '../../infra/local/emulators/index.ts';
export type { LocalAws, LocalAwsOptions } from '../../infra/local/emulators/index.ts';
