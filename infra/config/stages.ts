/**
 * One configuration record per stage. `cdk deploy -c stage=<name>` picks one; nothing else about a stage
 * comes from the command line. Values shared by every stage are named constants below, so a record
 * shows at a glance what makes its stage different.
 *
 * Pure data (no aws-cdk-lib import): the local runner imports these records too.
 */
import type { FunctionSettings, SqsSourceSettings, StageConfig, StageName, StreamSourceSettings } from './types.ts';

/** The file types MyLibrary accepts (docs/library-api.md: `file_type` values), as lower-case suffixes. */
export const ACCEPTED_SUFFIXES = [
  '.png',
  '.jpg',
  '.jpeg',
  '.gif',
  '.pdf',
  '.doc',
  '.docx',
  '.xls',
  '.xlsx',
  '.ppt',
  '.pptx',
] as const;

const CONSTANT_CONTACT_V2 = 'https://api.constantcontact.com/v2';

/**
 * Ingest streams one file at a time from S3 into a multipart POST (files are at most the account's
 * `max_upload_size_limit`, 5 MB in the vendor's example), so memory does not grow with file size; 512 MB
 * buys the CPU share and network bandwidth that keep a 5 MB upload at a few seconds. 120 s covers a batch
 * of files that each wait for a token from the shared 4 req/s bucket and then upload over a slow link.
 */
const INGEST_FUNCTION: FunctionSettings = { memoryMb: 512, timeoutSeconds: 120, reservedConcurrency: undefined };
/** Poll makes one status GET per batch plus an optional file GET per Active file: little memory, short. */
const POLL_FUNCTION: FunctionSettings = { memoryMb: 256, timeoutSeconds: 60, reservedConcurrency: undefined };
/** Publish turns stream records into PutEvents calls: no API traffic at all. */
const PUBLISH_FUNCTION: FunctionSettings = { memoryMb: 256, timeoutSeconds: 30, reservedConcurrency: undefined };

/**
 * Ingest queue: batches of 2 (each file is a multi-second upload) and a concurrency of 8. The
 * concurrency follows from `npm run bench` (docs/benchmarks.md, "Backlog of real-sized files over a real
 * link"): with 1-5 MB files sent at ~2.5 MB/s and 100 ms of latency an upload keeps an invocation busy
 * over a second, and a batch's files go one after another, so the drain reached 0.57 of what the key's
 * 4 req/s allows with 2 invocations and 0.75 with 4 (40 files); from about 7 the limiter, not the
 * concurrency, paces it. Invocations beyond that only wait for a slot, before their request and without
 * an upload in flight (billed time, but no extra API traffic). Batches of 2: the files of a batch are
 * sequential, so a small batch changes little for throughput, puts few files back after a throttle or
 * a time-out, and keeps what a new drop waits behind short: at most 8 x 2 files already received plus
 * the backfill's window of 20 queued (infra/ops/backfill/pacing.ts). Throttles
 * and 401s do not use up receives: ingest puts such a message back as a new, delayed one. What does
 * count is a crash, a timeout or an error ingest cannot classify: 10 receives x a 12-minute visibility
 * timeout is about two hours of retrying a vendor outage before the DLQ, yet a poison message is parked
 * the same day instead of cycling for days.
 */
const INGEST_QUEUE: SqsSourceSettings = {
  batchSize: 2,
  maxBatchingWindowSeconds: 1,
  maxConcurrency: 8,
  maxReceiveCount: 10,
  retentionDays: 4,
};
/**
 * Status queue: bigger batches, because one `GET /library/files/uploadstatus/{id1,id2,...}` answers for
 * the whole batch; a 5 s batching window collects more ids per request and so saves daily quota.
 * Re-checks (and checks put back after a throttle) are new messages sent with DelaySeconds, not
 * receives, so maxReceiveCount only counts failed attempts at a check: 10 x a 6-minute visibility
 * timeout is about an hour of unexplained trouble before the DLQ.
 */
const STATUS_QUEUE: SqsSourceSettings = {
  // 100 = the client's ids per status request (DEFAULT_STATUS_CHUNK_SIZE). With 10, one request
  // carried at most 10 ids and a backlog cost 1.24 requests per file; with 50, 1.074 all-in
  // (docs/benchmarks.md, figure 1). Lambda takes batches above 10 when a batching window is set.
  batchSize: 100,
  maxBatchingWindowSeconds: 5,
  maxConcurrency: 2,
  maxReceiveCount: 10,
  retentionDays: 4,
};
/**
 * Uploads table stream: bisect a failing batch to isolate the bad record, retry a bounded number of
 * times, and give up on records older than 6 hours (the stream keeps 24). Failures land in the
 * publish-failures queue as stream pointers; docs/operations.md explains how to re-publish them.
 */
const UPLOADS_STREAM: StreamSourceSettings = {
  batchSize: 10,
  maxBatchingWindowSeconds: 1,
  retryAttempts: 10,
  maxRecordAgeSeconds: 6 * 60 * 60,
};

const SERVICE_NAME = 'library-upload';

/**
 * The library account settings every stage starts from. Each stage has its own API key (its own
 * secret), and 5% of the key's daily limit stays free for people calling the API by hand with it.
 */
const LIBRARY: StageConfig['library'] = {
  baseUrl: CONSTANT_CONTACT_V2,
  secret: { kind: 'create' },
  defaultFolderId: '0',
  mirrorFolders: true,
  requestsPerSecond: 4,
  requestsPerDay: 9_500,
};

/** Alarm thresholds of the stages that do not set their own. */
const ALARM_THRESHOLDS: StageConfig['observability']['thresholds'] = {
  ingestOldestMessageSeconds: 3_600,
  statusOldestMessageSeconds: 1_800,
  apiThrottledPer5Minutes: 20,
  dailyQuotaRatio: 0.8,
  publishIteratorAgeSeconds: 600,
};

/** Developers' stage: everything destroyable, short retention, debug logs, alarms on the dashboard only. */
export const dev: StageConfig = {
  stage: 'dev',
  env: { account: undefined, region: 'us-east-1' },
  library: LIBRARY,
  uploads: { prefix: 'uploads/', suffixes: ACCEPTED_SUFFIXES, notificationFilter: 'prefix' },
  poll: { firstDelaySeconds: 10, maxDelaySeconds: 300, maxWaitSeconds: 3_600 },
  features: { enrichActiveFiles: true, tagObjects: true },
  // dev (and local mode, which runs the dev record) follows the bucket fully, so the behaviour is seen.
  sync: { onOverwrite: 'replace', onDelete: 'trash' },
  retention: {
    logDays: 14,
    recordTtlDays: 30,
    data: 'destroy',
    noncurrentVersionDays: 7,
    eventArchiveDays: 7,
    accessLogDays: undefined,
  },
  functions: { ingest: INGEST_FUNCTION, poll: POLL_FUNCTION, publish: PUBLISH_FUNCTION },
  sources: { ingestQueue: INGEST_QUEUE, statusQueue: STATUS_QUEUE, uploadsStream: UPLOADS_STREAM },
  // Other accounts subscribe only when an adopter lists them (stage settings: eventConsumerAccounts).
  events: { consumers: { accounts: [] } },
  observability: {
    serviceName: SERVICE_NAME,
    metricsNamespace: 'LibraryUpload/dev',
    logLevel: 'DEBUG',
    // Dev alarms show on the dashboard only: nobody is paged for a developer's experiments.
    alarmRecipients: 'none',
    thresholds: ALARM_THRESHOLDS,
  },
  tags: {},
};

/** The rehearsal of prod: prod's shape with shorter retention; alarm recipients from the adopter. */
export const staging: StageConfig = {
  stage: 'staging',
  env: { account: undefined, region: 'us-east-1' },
  library: LIBRARY,
  uploads: { prefix: 'uploads/', suffixes: ACCEPTED_SUFFIXES, notificationFilter: 'prefix' },
  poll: { firstDelaySeconds: 10, maxDelaySeconds: 300, maxWaitSeconds: 3_600 },
  features: { enrichActiveFiles: true, tagObjects: true },
  // staging rehearses what prod does with overwrites, and also trashes on delete so tests can see it.
  sync: { onOverwrite: 'replace', onDelete: 'trash' },
  retention: {
    logDays: 30,
    recordTtlDays: 90,
    data: 'destroy',
    noncurrentVersionDays: 30,
    eventArchiveDays: 30,
    accessLogDays: undefined,
  },
  functions: { ingest: INGEST_FUNCTION, poll: POLL_FUNCTION, publish: PUBLISH_FUNCTION },
  sources: { ingestQueue: INGEST_QUEUE, statusQueue: STATUS_QUEUE, uploadsStream: UPLOADS_STREAM },
  // Other accounts subscribe only when an adopter lists them (stage settings: eventConsumerAccounts).
  events: { consumers: { accounts: [] } },
  observability: {
    serviceName: SERVICE_NAME,
    metricsNamespace: 'LibraryUpload/staging',
    logLevel: 'INFO',
    // Required, and only the adopter knows it: given in the stage settings file or as -c alarmRecipients=…
    alarmRecipients: undefined,
    thresholds: ALARM_THRESHOLDS,
  },
  tags: {},
};

/** Production: data retained, records kept for good, tighter alarms; alarm recipients from the adopter. */
export const prod: StageConfig = {
  stage: 'prod',
  env: { account: undefined, region: 'us-east-1' },
  library: LIBRARY,
  uploads: { prefix: 'uploads/', suffixes: ACCEPTED_SUFFIXES, notificationFilter: 'prefix' },
  // The vendor's virus scan can queue up under load: wait two hours before calling a file TimedOut.
  poll: { firstDelaySeconds: 10, maxDelaySeconds: 300, maxWaitSeconds: 7_200 },
  features: { enrichActiveFiles: true, tagObjects: true },
  // prod: an overwrite is an intended update (replace); a deletion is more often a tidy-up of the bucket
  // than a wish to break the URLs in emails already sent, so deleted keys keep their library files.
  sync: { onOverwrite: 'replace', onDelete: 'keep' },
  retention: {
    logDays: 90,
    // Records are the audit trail of what reached the library: kept for good.
    recordTtlDays: 0,
    data: 'retain',
    noncurrentVersionDays: 90,
    eventArchiveDays: 365,
    accessLogDays: 365,
  },
  functions: { ingest: INGEST_FUNCTION, poll: POLL_FUNCTION, publish: PUBLISH_FUNCTION },
  sources: { ingestQueue: INGEST_QUEUE, statusQueue: STATUS_QUEUE, uploadsStream: UPLOADS_STREAM },
  // Other accounts subscribe only when an adopter lists them (stage settings: eventConsumerAccounts).
  events: { consumers: { accounts: [] } },
  observability: {
    serviceName: SERVICE_NAME,
    metricsNamespace: 'LibraryUpload/prod',
    logLevel: 'INFO',
    // Required, and only the adopter knows it: given in the stage settings file or as -c alarmRecipients=…
    alarmRecipients: undefined,
    // Tighter than the other stages: consumers depend on prod's events arriving promptly.
    thresholds: { ...ALARM_THRESHOLDS, apiThrottledPer5Minutes: 10, publishIteratorAgeSeconds: 300 },
  },
  tags: {},
};

/** Every known stage by name. */
export const STAGES: Readonly<Record<StageName, StageConfig>> = { dev, staging, prod };

/** The known stage names, in promotion order. */
export const STAGE_NAMES: readonly StageName[] = ['dev', 'staging', 'prod'];
