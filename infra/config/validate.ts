/**
 * Checks a stage record against the limits of the services it configures, so a typo fails `cdk synth`
 * with a sentence instead of failing a deployment half-way (or, worse, deploying).
 */
import type { SqsSourceSettings, StageConfig } from './types.ts';

/** The retention periods CloudWatch Logs accepts, in days. */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

/** The vendor's limits per API key (docs/library-api.md, "Limits"): a stage may use a share, never more. */
export const API_KEY_LIMITS = { requestsPerSecond: 4, requestsPerDay: 10_000 } as const;

/** SQS keeps a message at most this long; dead-letter queues always use it. */
export const MAX_SQS_RETENTION_DAYS = 14;

/**
 * The visibility timeout of a queue consumed by a function: AWS recommends at least six times the
 * function timeout (a batch can be retried while the first invocation's throttled retries are still
 * pending), plus the batching window during which messages are already in flight.
 */
export function visibilityTimeoutSeconds(functionTimeoutSeconds: number, source: SqsSourceSettings): number {
  return 6 * functionTimeoutSeconds + source.maxBatchingWindowSeconds;
}

/** Every problem with a stage record, as readable sentences; empty when the record is valid. */
export function validateStageConfig(config: StageConfig): string[] {
  const problems: string[] = [];
  const check: Check = (ok, message) => {
    if (!ok) problems.push(message);
  };
  checkEnvironment(config.env, check);
  checkLibrary(config.library, check);
  checkUploads(config.uploads, check);
  checkPoll(config.poll, check);
  checkRetention(config, check);
  checkFunctions(config.functions, check);
  checkSources(config, check);
  checkObservability(config.observability, check);
  checkEventConsumers(config.events, check);
  return problems;
}

function checkEventConsumers(events: StageConfig['events'], check: Check): void {
  for (const account of events.consumers.accounts) {
    check(/^\d{12}$/.test(account), `events.consumers.accounts: "${account}" is not a 12-digit AWS account id`);
  }
  const org = events.consumers.organizationId;
  if (org !== undefined) {
    check(/^o-[a-z0-9]{10,32}$/.test(org), `events.consumers.organizationId: "${org}" is not an organization id (o-…)`);
  }
}

/** Records a problem unless `ok`. */
type Check = (ok: boolean, message: string) => void;

/** A whole number within [min, max]. */
function int(value: number, min: number, max: number): boolean {
  return Number.isInteger(value) && value >= min && value <= max;
}

/** Checks the account and region. */
function checkEnvironment(env: StageConfig['env'], check: Check): void {
  check(env.account === undefined || /^\d{12}$/.test(env.account), 'env.account must be 12 digits or undefined');
  check(/^[a-z]{2}(-gov)?-[a-z]+-\d$/.test(env.region), `env.region "${env.region}" is not a region name`);
}

/** Checks the library account and the API key's budget. */
function checkLibrary(library: StageConfig['library'], check: Check): void {
  check(isHttpsUrl(library.baseUrl), `library.baseUrl "${library.baseUrl}" must be an https URL`);
  check(
    library.secret.kind === 'create' || library.secret.secretName.trim() !== '',
    'library.secret.secretName must name the imported secret',
  );
  check(library.defaultFolderId.trim() !== '', 'library.defaultFolderId must not be empty ("0" is the root)');
  check(
    int(library.requestsPerSecond, 1, API_KEY_LIMITS.requestsPerSecond),
    `library.requestsPerSecond must be 1-${API_KEY_LIMITS.requestsPerSecond} (the API key's limit)`,
  );
  check(
    int(library.requestsPerDay, 1, API_KEY_LIMITS.requestsPerDay),
    `library.requestsPerDay must be 1-${API_KEY_LIMITS.requestsPerDay} (the API key's limit)`,
  );
}

/** Checks which keys are uploaded. */
function checkUploads(uploads: StageConfig['uploads'], check: Check): void {
  check(
    uploads.prefix === '' || (uploads.prefix.endsWith('/') && !uploads.prefix.startsWith('/')),
    'uploads.prefix must be empty or a key prefix ending with "/" (and not starting with one)',
  );
  check(uploads.suffixes.length > 0, 'uploads.suffixes must list at least one suffix');
  for (const suffix of uploads.suffixes) {
    check(/^\.[a-z0-9]+$/.test(suffix), `uploads.suffixes: "${suffix}" must be a lower-case ".ext"`);
  }
  check(new Set(uploads.suffixes).size === uploads.suffixes.length, 'uploads.suffixes has duplicates');
}

/** Checks the status-check schedule (SQS DelaySeconds limits). */
function checkPoll(poll: StageConfig['poll'], check: Check): void {
  check(int(poll.firstDelaySeconds, 0, 900), 'poll.firstDelaySeconds must be 0-900 (SQS DelaySeconds)');
  check(int(poll.maxDelaySeconds, 1, 900), 'poll.maxDelaySeconds must be 1-900 (SQS DelaySeconds)');
  check(poll.firstDelaySeconds <= poll.maxDelaySeconds, 'poll.firstDelaySeconds must not exceed poll.maxDelaySeconds');
  check(
    Number.isInteger(poll.maxWaitSeconds) && poll.maxWaitSeconds >= poll.maxDelaySeconds,
    'poll.maxWaitSeconds must be a whole number of seconds, at least poll.maxDelaySeconds',
  );
}

/** Checks retention (CloudWatch Logs values; prod keeps its data). */
function checkRetention(config: StageConfig, check: Check): void {
  check(
    (LOG_RETENTION_DAYS as readonly number[]).includes(config.retention.logDays),
    `retention.logDays ${config.retention.logDays} is not a CloudWatch Logs retention (${LOG_RETENTION_DAYS.join(', ')})`,
  );
  check(
    int(config.retention.recordTtlDays, 0, 36_500),
    'retention.recordTtlDays must be a whole number of days, 0 = never',
  );
  check(
    config.retention.noncurrentVersionDays === undefined || int(config.retention.noncurrentVersionDays, 1, 36_500),
    'retention.noncurrentVersionDays must be at least 1 day or undefined',
  );
  check(
    int(config.retention.eventArchiveDays, 0, 36_500),
    'retention.eventArchiveDays must be whole days, 0 = forever',
  );
  check(
    config.retention.accessLogDays === undefined || int(config.retention.accessLogDays, 1, 36_500),
    'retention.accessLogDays must be at least 1 day or undefined',
  );
  check(
    config.stage !== 'prod' || config.retention.data === 'retain',
    'retention.data must be "retain" in prod: a stack deletion must never take the records with it',
  );
}

/** Checks function sizes (Lambda limits). */
function checkFunctions(functions: StageConfig['functions'], check: Check): void {
  for (const [name, fn] of Object.entries(functions)) {
    check(int(fn.memoryMb, 128, 10_240), `functions.${name}.memoryMb must be 128-10240`);
    check(int(fn.timeoutSeconds, 1, 900), `functions.${name}.timeoutSeconds must be 1-900`);
    check(
      fn.reservedConcurrency === undefined || int(fn.reservedConcurrency, 1, 10_000),
      `functions.${name}.reservedConcurrency must be at least 1 or undefined`,
    );
  }
}

/** Checks event sources and their queues (SQS and stream limits). */
function checkSources(config: StageConfig, check: Check): void {
  const queues: [string, SqsSourceSettings, number][] = [
    ['ingestQueue', config.sources.ingestQueue, config.functions.ingest.timeoutSeconds],
    ['statusQueue', config.sources.statusQueue, config.functions.poll.timeoutSeconds],
  ];
  for (const [name, source, timeout] of queues) {
    check(int(source.batchSize, 1, 10_000), `sources.${name}.batchSize must be 1-10000`);
    check(
      source.batchSize <= 10 || source.maxBatchingWindowSeconds > 0,
      `sources.${name}: a batchSize above 10 needs a maxBatchingWindowSeconds`,
    );
    check(int(source.maxBatchingWindowSeconds, 0, 300), `sources.${name}.maxBatchingWindowSeconds must be 0-300`);
    check(int(source.maxConcurrency, 2, 1_000), `sources.${name}.maxConcurrency must be 2-1000 (SQS event source)`);
    check(int(source.maxReceiveCount, 1, 1_000), `sources.${name}.maxReceiveCount must be 1-1000`);
    check(
      int(source.retentionDays, 1, MAX_SQS_RETENTION_DAYS - 1),
      `sources.${name}.retentionDays must be 1-${MAX_SQS_RETENTION_DAYS - 1}: a message keeps its original ` +
        `enqueue time in the DLQ, so the DLQ (${MAX_SQS_RETENTION_DAYS} days) must keep messages longer`,
    );
    check(
      visibilityTimeoutSeconds(timeout, source) <= 43_200,
      `sources.${name}: 6 x the function timeout exceeds the 12-hour SQS visibility timeout limit`,
    );
  }
  const stream = config.sources.uploadsStream;
  check(int(stream.batchSize, 1, 10_000), 'sources.uploadsStream.batchSize must be 1-10000');
  check(int(stream.maxBatchingWindowSeconds, 0, 300), 'sources.uploadsStream.maxBatchingWindowSeconds must be 0-300');
  check(int(stream.retryAttempts, 0, 100), 'sources.uploadsStream.retryAttempts must be bounded: 0-100');
  check(
    int(stream.maxRecordAgeSeconds, 60, 86_400),
    'sources.uploadsStream.maxRecordAgeSeconds must be 60-86400 (the stream keeps records 24 hours)',
  );
}

/** Checks metrics and alarm settings. */
function checkObservability(observability: StageConfig['observability'], check: Check): void {
  check(observability.serviceName.trim() !== '', 'observability.serviceName must not be empty');
  check(
    observability.metricsNamespace.trim() !== '' && !observability.metricsNamespace.startsWith('AWS/'),
    'observability.metricsNamespace must not be empty nor start with "AWS/"',
  );
  for (const problem of alarmRecipientProblems(observability.alarmRecipients)) check(false, problem);
  const t = observability.thresholds;
  check(t.dailyQuotaRatio > 0 && t.dailyQuotaRatio <= 1, 'observability.thresholds.dailyQuotaRatio must be in (0, 1]');
  for (const [name, value] of Object.entries(t)) {
    check(value > 0, `observability.thresholds.${name} must be positive`);
  }
}

/**
 * Domains RFC 2606 reserves for documentation and invalid names: mail to them reaches nobody, so they
 * only ever stand for "not filled in yet". (`.test` stays allowed: the infra tests use it.)
 */
const RESERVED_DOMAIN = /(^|\.)(example\.(com|net|org)|example|invalid|localhost)$/i;

function alarmRecipientProblems(recipients: StageConfig['observability']['alarmRecipients']): string[] {
  if (recipients === undefined || recipients === 'none') return [];
  if (recipients.length === 0) return ['observability.alarmRecipients must list at least one address, or be "none"'];
  return recipients.flatMap((address) => {
    const domain = /^[^@\s]+@([^@\s]+\.[^@\s]+)$/.exec(address)?.[1];
    if (domain === undefined) return [`observability.alarmRecipients: "${address}" is not an e-mail address`];
    if (RESERVED_DOMAIN.test(domain)) {
      return [`observability.alarmRecipients: "${address}" is at a reserved domain, so no alarm would reach anyone`];
    }
    return [];
  });
}

/**
 * What a stage must have before it can be deployed, beyond a valid record: the settings only the
 * adopter knows. Empty when the stage can be synthesized.
 */
export function deploymentProblems(config: StageConfig): string[] {
  return config.observability.alarmRecipients === undefined
    ? [
        `observability.alarmRecipients is required for stage "${config.stage}": give the addresses alarms ` +
          'go to ("alarmRecipients": ["team@…"] in the stage settings file, or -c alarmRecipients=team@…), ' +
          'or "none" for no subscription',
      ]
    : [];
}

function isHttpsUrl(value: string): boolean {
  try {
    return new URL(value).protocol === 'https:';
  } catch {
    return false;
  }
}
