/**
 * A wire-level stand-in for AWS Secrets Manager, for tests and local mode only.
 *
 * AWS JSON 1.1 (`X-Amz-Target: secretsmanager.<Operation>`) on 127.0.0.1, enough for
 * `@aws-sdk/client-secrets-manager` and Powertools' `SecretsProvider`:
 *  - GetSecretValue (by name or ARN; VersionStage AWSCURRENT / AWSPREVIOUS, or VersionId);
 *  - PutSecretValue (a new AWSCURRENT version; the old one becomes AWSPREVIOUS), for rotation tests;
 *  - CreateSecret and DescribeSecret, for completeness.
 * Unknown ids answer 400 `ResourceNotFoundException` ("Secrets Manager can't find the specified
 * secret."). Reads are counted per secret so tests can prove caching and the re-read on a 401.
 */
import { randomUUID } from 'node:crypto';
import { AwsJsonError, startJsonProtocolServer } from './json-protocol.ts';

/** Port, region and account, and the secrets present from the start. */
export interface SecretsManagerStandInOptions {
  port?: number;
  region?: string;
  account?: string;
  /** Secrets present from the start: id (name) → value (a string, or an object stored as JSON). */
  secrets?: Record<string, string | Record<string, unknown>>;
}

/** The running stand-in and its secrets. */
export interface SecretsManagerStandIn {
  /** http://127.0.0.1:PORT */
  readonly endpoint: string;
  readonly port: number;
  /** Creates the secret or stores a new current version of it; returns its ARN. */
  setSecret(id: string, value: string | Record<string, unknown>): string;
  /** Removes a secret: reads then fail with ResourceNotFoundException. */
  deleteSecret(id: string): void;
  /** The current value, or undefined. */
  currentValue(id: string): string | undefined;
  /** GetSecretValue calls that named this secret (by name or ARN), or all of them. */
  readCount(id?: string): number;
  /** The next `count` GetSecretValue calls fail (default 500 InternalServiceError). */
  failNextReads(count: number, failure?: { statusCode?: number; code?: string; message?: string }): void;
  arnOf(id: string): string | undefined;
  stop(): Promise<void>;
}

interface SecretVersion {
  versionId: string;
  value: string;
  stages: Set<string>;
  created: number;
}

interface Secret {
  name: string;
  arn: string;
  versions: SecretVersion[];
  created: number;
}

/** Starts the GetSecretValue stand-in on 127.0.0.1. */
export async function startSecretsManagerStandIn(
  options: SecretsManagerStandInOptions = {},
): Promise<SecretsManagerStandIn> {
  const region = options.region ?? 'us-east-1';
  const account = options.account ?? '000000000000';
  const secrets = new Map<string, Secret>();
  const reads = new Map<string, number>();
  let totalReads = 0;
  let readFaults: { remaining: number; statusCode: number; code: string; message: string } | undefined;

  const arnFor = (name: string): string => {
    // Real ARNs end with '-' and six random characters.
    const suffix = randomUUID().replace(/-/g, '').slice(0, 6);
    return `arn:aws:secretsmanager:${region}:${account}:secret:${name}-${suffix}`;
  };

  const find = (id: string): Secret | undefined => {
    const byName = secrets.get(id);
    if (byName) return byName;
    for (const secret of secrets.values()) {
      // A full ARN, or a "partial ARN" without the random suffix.
      if (secret.arn === id || secret.arn.slice(0, secret.arn.length - 7) === id) return secret;
    }
    return undefined;
  };

  const notFound = (): never => {
    throw new AwsJsonError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
  };

  const store = (id: string, value: string, versionId: string = randomUUID()): Secret => {
    const now = Date.now() / 1000;
    let secret = find(id);
    if (!secret) {
      if (id.startsWith('arn:')) notFound();
      secret = { name: id, arn: arnFor(id), versions: [], created: now };
      secrets.set(id, secret);
    }
    for (const version of secret.versions) {
      version.stages.delete('AWSPREVIOUS');
      if (version.stages.delete('AWSCURRENT')) version.stages.add('AWSPREVIOUS');
    }
    secret.versions = secret.versions.filter((v) => v.stages.size > 0);
    secret.versions.push({ versionId, value, stages: new Set(['AWSCURRENT']), created: now });
    return secret;
  };

  const current = (secret: Secret): SecretVersion | undefined =>
    secret.versions.find((v) => v.stages.has('AWSCURRENT'));

  const requireId = (input: Record<string, unknown>): string => {
    const id = input['SecretId'];
    if (typeof id !== 'string' || id.length === 0) {
      throw new AwsJsonError('InvalidParameterException', 'You must provide a SecretId.');
    }
    return id;
  };

  const asString = (value: string | Record<string, unknown>): string =>
    typeof value === 'string' ? value : JSON.stringify(value);

  for (const [id, value] of Object.entries(options.secrets ?? {})) store(id, asString(value));

  const server = await startJsonProtocolServer(
    {
      targetPrefix: 'secretsmanager',
      operations: {
        GetSecretValue(input) {
          const id = requireId(input);
          totalReads++;
          const secret = find(id);
          if (secret) reads.set(secret.name, (reads.get(secret.name) ?? 0) + 1);
          if (readFaults && readFaults.remaining > 0) {
            readFaults.remaining--;
            throw new AwsJsonError(readFaults.code, readFaults.message, readFaults.statusCode);
          }
          if (!secret) return notFound();
          const versionId = input['VersionId'];
          const stage = typeof input['VersionStage'] === 'string' ? input['VersionStage'] : 'AWSCURRENT';
          const version =
            typeof versionId === 'string'
              ? secret.versions.find((v) => v.versionId === versionId)
              : secret.versions.find((v) => v.stages.has(stage));
          if (!version) return notFound();
          return {
            ARN: secret.arn,
            Name: secret.name,
            VersionId: version.versionId,
            SecretString: version.value,
            VersionStages: [...version.stages],
            CreatedDate: version.created,
          };
        },
        PutSecretValue(input) {
          const id = requireId(input);
          if (!find(id)) notFound();
          const value = input['SecretString'];
          if (typeof value !== 'string') {
            throw new AwsJsonError(
              'InvalidParameterException',
              'You must provide SecretString (SecretBinary is not supported here).',
            );
          }
          const token = typeof input['ClientRequestToken'] === 'string' ? input['ClientRequestToken'] : randomUUID();
          const secret = store(id, value, token);
          const version = current(secret);
          return { ARN: secret.arn, Name: secret.name, VersionId: version?.versionId, VersionStages: ['AWSCURRENT'] };
        },
        CreateSecret(input) {
          const name = input['Name'];
          if (typeof name !== 'string' || name.length === 0) {
            throw new AwsJsonError('InvalidParameterException', 'You must provide a Name.');
          }
          if (secrets.has(name)) {
            throw new AwsJsonError(
              'ResourceExistsException',
              `The operation failed because the secret ${name} already exists.`,
            );
          }
          const value = typeof input['SecretString'] === 'string' ? input['SecretString'] : undefined;
          if (value === undefined) {
            const now = Date.now() / 1000;
            secrets.set(name, { name, arn: arnFor(name), versions: [], created: now });
            return { ARN: secrets.get(name)?.arn, Name: name };
          }
          const secret = store(name, value);
          return { ARN: secret.arn, Name: name, VersionId: current(secret)?.versionId };
        },
        DescribeSecret(input) {
          const secret = find(requireId(input)) ?? notFound();
          return {
            ARN: secret.arn,
            Name: secret.name,
            CreatedDate: secret.created,
            VersionIdsToStages: Object.fromEntries(secret.versions.map((v) => [v.versionId, [...v.stages]])),
          };
        },
      },
    },
    options.port ?? 0,
  );

  return {
    endpoint: server.endpoint,
    port: server.port,
    setSecret: (id, value) => store(id, asString(value)).arn,
    deleteSecret(id) {
      const secret = find(id);
      if (secret) secrets.delete(secret.name);
    },
    currentValue(id) {
      const secret = find(id);
      return secret ? current(secret)?.value : undefined;
    },
    readCount(id) {
      if (id === undefined) return totalReads;
      const secret = find(id);
      return reads.get(secret?.name ?? id) ?? 0;
    },
    failNextReads(count, failure = {}) {
      readFaults = {
        remaining: count,
        statusCode: failure.statusCode ?? 500,
        code: failure.code ?? 'InternalServiceError',
        message: failure.message ?? 'Internal service error (injected by the stand-in).',
      };
    },
    arnOf: (id) => find(id)?.arn,
    stop: () => server.close(),
  };
}
