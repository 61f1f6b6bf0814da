/**
 * What the ingest and poll functions share, built once per cold start from the runtime config and
 * reused by every invocation: SDK clients and the library client keep their connections warm, and the
 * caches (secret, rate limiter) live as long as the execution environment. Each function adds its own
 * parts on top (ingest-dependencies.ts, poll-dependencies.ts), so neither builds the other's.
 *
 * Tests and the local runner call `buildPipelineRuntime` with their own clients or settings; the
 * handlers use `pipelineRuntime()`, which builds from `process.env` on first use.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Logger } from '@aws-lambda-powertools/logger';
import { loadRuntimeConfig, type RuntimeConfig } from '../config/runtime-config.ts';
import { createLibraryClient } from '../library/index.ts';
import type { CredentialsProvider, LibraryClient, LibraryClientOptions } from '../library/types.ts';
import { logger as defaultLogger, metrics, reportLibraryRequest, tracer } from '../observability/index.ts';
import type { StatusCheckMessage } from '../poll/status-message.ts';
import { createDynamoRateLimiter, rateLimitKeyId, type ApiRateLimiter } from '../rate-limit/index.ts';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from '../retry/retry-policy.ts';
import { TAGGING_FAILED_METRIC, type OutcomeTagging } from '../s3/outcome-tags.ts';
import { createSecretsCredentialsProvider } from '../secrets/library-credentials.ts';
import { UploadsStore } from '../store/uploads-store.ts';
import { sendDelayed } from './queue-sender.ts';
import { UnauthorizedHold } from './unauthorized-hold.ts';
import { SpareBudget, type SpareBudgetOptions } from '../poll/spare-budget.ts';

/** Seams for tests, the local runner and benchmarks; production uses none. */
export interface PipelineRuntimeOptions {
  /** SDK clients to use instead of default ones (tests: clients pointed at the emulators). */
  clients?: { s3?: S3Client; sqs?: SQSClient; dynamodb?: DynamoDBClient };
  /** A credentials provider instead of the Secrets Manager one. */
  credentials?: CredentialsProvider;
  /** Extra library client options (timeouts, pool size). */
  libraryOptions?: Partial<Omit<LibraryClientOptions, 'baseUrl' | 'credentials'>>;
  retryPolicy?: Partial<RetryPolicy>;
  maxMissingChecks?: number;
  /** From this many Active files in a poll batch, one list request replaces the per-file GETs (default 2). */
  listActiveFilesFrom?: number;
  /** Longest a request may wait for a rate-limit slot before the work is put back (default 10 s). */
  rateLimitMaxWaitMs?: number;
  /** How long this process sends no library request after a confirmed 401 (default 60 s). */
  unauthorizedHoldMs?: number;
  /**
   * Extra spacing between rate-limit slots, as a fraction of `1000 / REQUESTS_PER_SECOND` (default 0.08:
   * 270 ms at 4/s). Below `rateLimitMaxSafetyMargin` the margin is adaptive: it starts here, widens on
   * each per-second 403 and narrows back slowly (shared/rate-limit/adaptive-margin.ts).
   */
  rateLimitSafetyMargin?: number;
  /** The most an adaptive margin widens to after per-second 403s (default 0.08). */
  rateLimitMaxSafetyMargin?: number;
  /** Faster checks for a trickle while the day's budget is spare (shared/poll/spare-budget.ts); `false` turns them off. */
  spareBudget?: Partial<SpareBudgetOptions> | false;
  logger?: Logger;
  now?: () => Date;
  random?: () => number;
}

/**
 * Extra spacing between rate-limit slots, as a fraction of one slot: 8 %, a ceiling of 0.93 of the key's
 * rate. 20 % drained a backlog at 0.80 with no throttle but capped it at 0.83; an adaptive 5 -> 20 %
 * throttled 3.8 % of requests on a loaded machine (docs/benchmarks.md, figure 2, has today's figures).
 */
export const DEFAULT_RATE_LIMIT_SAFETY_MARGIN = 0.08;
/** The widest an adaptive margin gets after per-second 403s. */
export const DEFAULT_RATE_LIMIT_MAX_SAFETY_MARGIN = 0.08;

/** The parts ingest and poll share; each function adds its own (ingest-dependencies.ts, poll-dependencies.ts). */
export interface PipelineRuntime {
  config: RuntimeConfig;
  /** The options it was built with, for the settings a function reads from them. */
  options: PipelineRuntimeOptions;
  s3: S3Client;
  sqs: SQSClient;
  documentClient: DynamoDBDocumentClient;
  store: UploadsStore;
  library: LibraryClient;
  limiter: ApiRateLimiter;
  /** Sooner status checks for a trickle while the day's budget is spare (undefined: turned off). */
  spareBudget: SpareBudget | undefined;
  tagging: OutcomeTagging;
  retryPolicy: RetryPolicy;
  logger: Logger;
  now: () => Date;
  /** Queues a status check on the status queue. */
  sendStatusCheck: (message: StatusCheckMessage, delaySeconds: number) => Promise<void>;
  /** Tells the shared limiter the API answered "over limit". */
  reportThrottle: (scope: 'second' | 'day') => Promise<void>;
  /** Holds this process's library requests after a confirmed 401. */
  reportUnauthorized: () => void;
  /** Closes the library client's connection pool and the SDK clients it created. */
  close(): Promise<void>;
}

/** Builds the shared parts from the config; nothing here reads `process.env`. */
export function buildPipelineRuntime(config: RuntimeConfig, options: PipelineRuntimeOptions = {}): PipelineRuntime {
  const logger = options.logger ?? defaultLogger;
  const now = options.now ?? (() => new Date());
  const owned: Array<{ destroy(): void }> = [];
  const own = <T extends { destroy(): void }>(client: T): T => {
    owned.push(client);
    return client;
  };
  const s3 = options.clients?.s3 ?? own(tracer.captureAWSv3Client(new S3Client({})));
  const sqs = options.clients?.sqs ?? own(tracer.captureAWSv3Client(new SQSClient({})));
  const dynamodb = options.clients?.dynamodb ?? own(tracer.captureAWSv3Client(new DynamoDBClient({})));
  const documentClient = DynamoDBDocumentClient.from(dynamodb, { marshallOptions: { removeUndefinedValues: true } });
  const credentials = options.credentials ?? createSecretsCredentialsProvider({ secretId: config.librarySecretId });
  const limiter = sharedLimiter(config, options, credentials, documentClient, now);
  const hold = new UnauthorizedHold(options.unauthorizedHoldMs);
  const library = pacedLibraryClient(config, options, credentials, limiter, hold);
  const store = new UploadsStore({
    client: documentClient,
    tableName: config.uploadsTableName,
    recordTtlDays: config.recordTtlDays,
    now,
  });
  const tagging: OutcomeTagging = {
    s3,
    enabled: config.tagObjects,
    logger,
    countFailure: () => metrics.addMetric(TAGGING_FAILED_METRIC, MetricUnit.Count, 1),
  };
  return {
    config,
    options,
    s3,
    sqs,
    documentClient,
    store,
    library,
    limiter,
    spareBudget:
      options.spareBudget === false ? undefined : new SpareBudget(() => limiter.dailyState(), now, options.spareBudget),
    tagging,
    retryPolicy: { ...DEFAULT_RETRY_POLICY, ...options.retryPolicy },
    logger,
    now,
    sendStatusCheck: (message, delaySeconds) => sendDelayed(sqs, config.statusQueueUrl, message, delaySeconds),
    reportThrottle: (scope) => limiter.reportThrottle(scope),
    reportUnauthorized: () => hold.trip(),
    async close() {
      await library.close();
      for (const client of owned) client.destroy();
    },
  };
}

/**
 * The library client whose every request, from every function, waits for the shared limiter, so
 * together they stay under the key's limits; none is sent while credentials are known to be refused.
 */
function pacedLibraryClient(
  config: RuntimeConfig,
  options: PipelineRuntimeOptions,
  credentials: CredentialsProvider,
  limiter: ApiRateLimiter,
  hold: UnauthorizedHold,
): LibraryClient {
  return createLibraryClient({
    ...options.libraryOptions,
    baseUrl: config.libraryBaseUrl,
    credentials,
    beforeRequest: async (operation) => {
      hold.check();
      await limiter.acquire(operation);
    },
    onRequest: options.libraryOptions?.onRequest ?? reportLibraryRequest,
  });
}

/** One limiter for all functions, on the limits table, reading the runtime's clock. */
function sharedLimiter(
  config: RuntimeConfig,
  options: PipelineRuntimeOptions,
  credentials: CredentialsProvider,
  client: DynamoDBDocumentClient,
  now: () => Date,
): ApiRateLimiter {
  return limiterPerApiKey(credentials, (keyId) =>
    createDynamoRateLimiter({
      tableName: config.limitsTableName,
      client,
      perSecond: config.requestsPerSecond,
      perDay: config.requestsPerDay,
      keyId,
      // The same clock as the records: a test that moves time moves the daily window too.
      now: () => now().getTime(),
      maxWaitMs: options.rateLimitMaxWaitMs ?? 10_000,
      safetyMargin: options.rateLimitSafetyMargin ?? DEFAULT_RATE_LIMIT_SAFETY_MARGIN,
      maxSafetyMargin: options.rateLimitMaxSafetyMargin ?? DEFAULT_RATE_LIMIT_MAX_SAFETY_MARGIN,
    }),
  );
}

/**
 * The rate-limit budget belongs to the API key (the API counts per key), so the limiter is keyed by a
 * hash of the key in use, read from the credentials provider (cached there): rotating to a new key
 * starts a new budget without a redeploy.
 */
function limiterPerApiKey(credentials: CredentialsProvider, make: (keyId: string) => ApiRateLimiter): ApiRateLimiter {
  const limiters = new Map<string, ApiRateLimiter>();
  const current = async (): Promise<ApiRateLimiter> => {
    const keyId = rateLimitKeyId((await credentials()).apiKey);
    let limiter = limiters.get(keyId);
    if (limiter === undefined) {
      limiter = make(keyId);
      limiters.set(keyId, limiter);
    }
    return limiter;
  };
  return {
    acquire: async (operation) => (await current()).acquire(operation),
    reportThrottle: async (scope) => (await current()).reportThrottle(scope),
    dailyState: async () => (await current()).dailyState(),
  };
}

let cached: PipelineRuntime | undefined;

/** The process's runtime, built from `process.env` on first use (once per cold start). */
export function pipelineRuntime(): PipelineRuntime {
  cached ??= buildPipelineRuntime(loadRuntimeConfig());
  return cached;
}

/** Replaces (or, without an argument, forgets) the process's runtime: for tests and the local runner. */
export function setPipelineRuntime(runtime?: PipelineRuntime): void {
  cached = runtime;
}
