/**
 * How AWS SDK v3 clients reach the local emulators: one record of endpoints, and from it either
 * explicit client configs (tests, the local runner) or environment variables (a handler process
 * that builds its clients with no endpoint in code).
 *
 * Environment variables: SDK v3 (through @smithy/core's endpoint middleware) reads
 * `AWS_ENDPOINT_URL_<SERVICE ID>` (service id upper-cased, spaces → `_`), falling back to
 * `AWS_ENDPOINT_URL`, unless `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true`. An `endpoint` given in
 * code wins over both. Verified by test/integration/emulators/aws-endpoints.test.ts.
 *
 * S3 path style: SDK v3 has no environment variable for `forcePathStyle` (there is no
 * `AWS_S3_FORCE_PATH_STYLE`). It does not need one here: when the custom endpoint's host is an IP
 * address (127.0.0.1), the S3 endpoint rules use path style by themselves
 * (`http://127.0.0.1:PORT/bucket/key`). With a host name such as `localhost` they would use virtual
 * hosts (`bucket.localhost`), which needs `*.localhost` to resolve: so endpoints are always
 * 127.0.0.1, and the configs below also set `forcePathStyle: true` explicitly.
 */
import type { DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import type { S3ClientConfig } from '@aws-sdk/client-s3';
import type { SQSClientConfig } from '@aws-sdk/client-sqs';
import type { EventBridgeClientConfig } from '@aws-sdk/client-eventbridge';
import type { SecretsManagerClientConfig } from '@aws-sdk/client-secrets-manager';
import type { DynamoDBStreamsClientConfig } from '@aws-sdk/client-dynamodb-streams';

/** Region every local client and emulator uses. */
export const LOCAL_REGION = 'us-east-1';

/**
 * Static dummy credentials: the emulators accept any signature. (DynamoDB Local insists on an
 * access key id of letters and digits only.) Pass a copy to a client, never this object: SDK v3
 * writes a `$source` marker into the credentials object it is given.
 */
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const;

/** The account id fauxqs puts in queue URLs and ARNs. */
export const LOCAL_ACCOUNT_ID = '000000000000';

/** Base URLs (http://127.0.0.1:PORT) of every local service. */
export interface LocalAwsEndpoints {
  dynamodb: string;
  s3: string;
  sqs: string;
  eventbridge: string;
  secretsmanager: string;
  region: string;
}

/** The common part of every client config. */
export interface LocalClientConfig {
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
}

/** SDK v3 client settings for one local endpoint: the endpoint, the region and the dummy credentials. */
export function localClientConfig(endpoint: string, region: string = LOCAL_REGION): LocalClientConfig {
  return { endpoint, region, credentials: { ...LOCAL_CREDENTIALS } };
}

/** S3 needs path style: `http://127.0.0.1:PORT/bucket/key` (no `*.localhost` DNS needed). */
export function localS3ClientConfig(
  endpoint: string,
  region: string = LOCAL_REGION,
): S3ClientConfig & LocalClientConfig {
  return { ...localClientConfig(endpoint, region), forcePathStyle: true };
}

/** Client settings per service, ready for `new XClient(config)`. */
export interface LocalClientConfigs {
  dynamodb: DynamoDBClientConfig & LocalClientConfig;
  dynamodbStreams: DynamoDBStreamsClientConfig & LocalClientConfig;
  s3: S3ClientConfig & LocalClientConfig;
  sqs: SQSClientConfig & LocalClientConfig;
  eventbridge: EventBridgeClientConfig & LocalClientConfig;
  secretsmanager: SecretsManagerClientConfig & LocalClientConfig;
}

/** Client configs for every service in `endpoints`. */
export function localClientConfigs(endpoints: LocalAwsEndpoints): LocalClientConfigs {
  const { region } = endpoints;
  return {
    dynamodb: localClientConfig(endpoints.dynamodb, region),
    dynamodbStreams: localClientConfig(endpoints.dynamodb, region),
    s3: localS3ClientConfig(endpoints.s3, region),
    sqs: localClientConfig(endpoints.sqs, region),
    eventbridge: localClientConfig(endpoints.eventbridge, region),
    secretsmanager: localClientConfig(endpoints.secretsmanager, region),
  };
}

/** Environment variable names, by service, that SDK v3 reads for an endpoint. */
export const ENDPOINT_ENV_VARS = {
  dynamodb: 'AWS_ENDPOINT_URL_DYNAMODB',
  dynamodbStreams: 'AWS_ENDPOINT_URL_DYNAMODB_STREAMS',
  s3: 'AWS_ENDPOINT_URL_S3',
  sqs: 'AWS_ENDPOINT_URL_SQS',
  eventbridge: 'AWS_ENDPOINT_URL_EVENTBRIDGE',
  secretsmanager: 'AWS_ENDPOINT_URL_SECRETS_MANAGER',
} as const;

/**
 * The variables that point an unmodified SDK v3 handler at the local services: endpoints, dummy
 * credentials, region. Services missing from `endpoints` get no variable. To merge them into an
 * existing environment use `withLocalAwsEnvironment`, which also removes AWS_PROFILE and friends.
 */
export function localAwsEnvironment(
  endpoints: Partial<LocalAwsEndpoints> & { region?: string },
): Record<string, string> {
  const region = endpoints.region ?? LOCAL_REGION;
  const env: Record<string, string> = {
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
  };
  if (endpoints.dynamodb) {
    env[ENDPOINT_ENV_VARS.dynamodb] = endpoints.dynamodb;
    env[ENDPOINT_ENV_VARS.dynamodbStreams] = endpoints.dynamodb;
  }
  if (endpoints.s3) env[ENDPOINT_ENV_VARS.s3] = endpoints.s3;
  if (endpoints.sqs) env[ENDPOINT_ENV_VARS.sqs] = endpoints.sqs;
  if (endpoints.eventbridge) env[ENDPOINT_ENV_VARS.eventbridge] = endpoints.eventbridge;
  if (endpoints.secretsmanager) env[ENDPOINT_ENV_VARS.secretsmanager] = endpoints.secretsmanager;
  return env;
}

/** Variables that would send the SDK to a real account, profile or endpoint: removed for every local run. */
export const NON_LOCAL_AWS_VARIABLES: readonly string[] = [
  'AWS_PROFILE',
  'AWS_SESSION_TOKEN',
  'AWS_ENDPOINT_URL',
  'AWS_IGNORE_CONFIGURED_ENDPOINT_URLS',
  'AWS_CONTAINER_CREDENTIALS_FULL_URI',
  'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
  'AWS_WEB_IDENTITY_TOKEN_FILE',
  ...Object.values(ENDPOINT_ENV_VARS),
];

/** `base` (default `process.env`) without `NON_LOCAL_AWS_VARIABLES`, with the local AWS variables applied. */
export function withLocalAwsEnvironment(
  endpoints: Partial<LocalAwsEndpoints> & { region?: string },
  base: NodeJS.ProcessEnv = process.env,
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base };
  for (const name of NON_LOCAL_AWS_VARIABLES) delete env[name];
  return { ...env, ...localAwsEnvironment(endpoints) };
}
