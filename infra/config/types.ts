/**
 * The shape of one stage's configuration: everything that differs between dev, staging and prod, as
 * one typed record per stage (see `stages.ts`). No loose context strings: `cdk deploy -c stage=prod`
 * selects a record, and the record is all the CDK app reads.
 *
 * Pure types and data only. The local runner (infra/local/) imports the same records to create its
 * emulated resources, so nothing under infra/config/ may import aws-cdk-lib or touch the environment.
 */
import type { SyncPolicy } from '../../shared/sync/sync-policy.ts';

/** The stages this app knows. Adding one means adding a record to `STAGES` in `stages.ts`. */
export type StageName = 'dev' | 'staging' | 'prod';

/** Where a stage is deployed. */
export interface StageEnvironment {
  /**
   * The 12-digit AWS account id, or `undefined` for an account-agnostic template: the stack then
   * deploys into whatever account the CLI's credentials belong to. Pin it for prod once known: the CLI
   * then refuses to deploy the stage with credentials for another account.
   */
  readonly account: string | undefined;
  /** Always explicit: the region decides where the data lives. */
  readonly region: string;
}

/**
 * How S3 notifications are filtered before they reach the ingest queue.
 * - `prefix`: every object below the upload prefix; the ingest function validates the type and records a
 *   `Rejected` outcome (with an event) for anything it cannot upload, so nobody waits for a file that was
 *   silently ignored.
 * - `prefix-and-suffixes`: one notification per accepted suffix, lower- and upper-case (S3 filters are
 *   case-sensitive); an object with another suffix (or mixed case such as `.Jpg`) produces no event at all.
 */
export type NotificationFilterMode = 'prefix' | 'prefix-and-suffixes';

/** Where the library credentials come from. */
export type LibrarySecretSource =
  /** The stack creates `library-upload/<stage>/library-credentials` with a placeholder value. */
  | { readonly kind: 'create' }
  /** An existing secret, looked up by name (not ARN): the stack neither creates nor deletes it. */
  | { readonly kind: 'import'; readonly secretName: string };

/** The library account: where it is, how to authenticate, where files go, the key's budget. */
export interface LibraryConfig {
  /** e.g. `https://api.constantcontact.com/v2`. */
  readonly baseUrl: string;
  readonly secret: LibrarySecretSource;
  /** Library folder id used when neither metadata nor the key's path names one (`"0"` = root). */
  readonly defaultFolderId: string;
  /** Mirror the key's path below the upload prefix into library folders. */
  readonly mirrorFolders: boolean;
  /** This stage's share of the API key's per-second limit (the vendor allows 4). */
  readonly requestsPerSecond: number;
  /** This stage's share of the API key's daily limit (the vendor allows 10,000). */
  readonly requestsPerDay: number;
}

/** Which objects are uploaded. */
export interface UploadsConfig {
  /** Keys below this prefix are uploaded (`''` = the whole bucket). Must end with `/` when not empty. */
  readonly prefix: string;
  /** Accepted file name suffixes, lower-case, with the dot (`.png`). */
  readonly suffixes: readonly string[];
  readonly notificationFilter: NotificationFilterMode;
}

/** The status-check schedule. */
export interface PollConfig {
  /** Delay before the first status check (SQS DelaySeconds, at most 900). */
  readonly firstDelaySeconds: number;
  /** Cap of the growing delay between checks (at most 900). */
  readonly maxDelaySeconds: number;
  /** After this long without a final status the record becomes `TimedOut`. */
  readonly maxWaitSeconds: number;
}

/** Optional behaviour. */
export interface FeatureFlags {
  /** On `Active`, fetch the file record (url, thumbnail, size) to enrich the event. Costs one request. */
  readonly enrichActiveFiles: boolean;
  /** Tag the S3 object with the outcome (needs s3:PutObjectTagging for the poll function). */
  readonly tagObjects: boolean;
}

/**
 * What the library does when a key the pipeline uploaded is overwritten or deleted in the bucket
 * (docs/pipeline.md, "Sync"): `replace` trashes the previous version's file once the new one is Active;
 * `trash` trashes a deleted key's file. `keep` leaves the library as it is.
 */
export type StageSyncPolicy = SyncPolicy;

/** How long things are kept, and whether data outlives the stack. */
export interface RetentionConfig {
  /** CloudWatch Logs retention; must be one of the values CloudWatch accepts (1, 3, 5, 7, 14, 30, 60, 90, ...). */
  readonly logDays: number;
  /** Final records expire (DynamoDB TTL) this many days after they become final; 0 = never. */
  readonly recordTtlDays: number;
  /**
   * `retain`: tables, bucket, secret and log groups survive `cdk destroy`, and the tables carry
   * deletion protection. `destroy`: everything goes with the stack (the bucket is emptied first).
   */
  readonly data: 'retain' | 'destroy';
  /** Expire non-current object versions after this many days; `undefined` keeps them forever. */
  readonly noncurrentVersionDays: number | undefined;
  /** Event archive retention in days; 0 = keep indefinitely. */
  readonly eventArchiveDays: number;
  /** S3 server access logs into a separate log bucket, kept this many days; `undefined` = off. */
  readonly accessLogDays: number | undefined;
}

/** One function's size and limits. */
export interface FunctionSettings {
  readonly memoryMb: number;
  readonly timeoutSeconds: number;
  /**
   * Reserved concurrency, taken from the account's pool. `undefined` leaves the function unreserved and
   * relies on the event source's `maxConcurrency` (SQS) or the shard count (stream) as the ceiling.
   */
  readonly reservedConcurrency: number | undefined;
}

/** An SQS event source and its queue. */
export interface SqsSourceSettings {
  readonly batchSize: number;
  readonly maxBatchingWindowSeconds: number;
  /** Ceiling on concurrent invocations from this queue (2 to 1000). */
  readonly maxConcurrency: number;
  /** Receives before a message moves to the DLQ. */
  readonly maxReceiveCount: number;
  /** How long an unprocessed message stays in the queue (the DLQ always keeps 14 days). */
  readonly retentionDays: number;
}

/** The uploads-stream event source of the publisher. */
export interface StreamSourceSettings {
  readonly batchSize: number;
  readonly maxBatchingWindowSeconds: number;
  /** Retries of a failing batch (after bisecting) before it goes to the failure queue. */
  readonly retryAttempts: number;
  /** Records older than this are sent to the failure queue instead of the function. */
  readonly maxRecordAgeSeconds: number;
}

/** Powertools log level. */
export type LogLevel = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';

/** Logs, metrics and alarms. */
export interface ObservabilityConfig {
  /** Powertools service name: the `service` dimension on every custom metric and in every log line. */
  readonly serviceName: string;
  /** CloudWatch namespace of the custom metrics (see docs/operations.md). */
  readonly metricsNamespace: string;
  readonly logLevel: LogLevel;
  /**
   * Who the alarm topic notifies: e-mail addresses (one subscription each), or `'none'` for a stage
   * that deliberately notifies nobody. `undefined` means "not given yet": the stack refuses to synthesize
   * until the adopter gives it (stage settings file or `-c alarmRecipients=…`, see docs/deploy.md).
   */
  readonly alarmRecipients: AlarmRecipients | undefined;
  readonly thresholds: AlarmThresholds;
}

/** E-mail addresses subscribed to the alarm topic, or an explicit choice of no subscription. */
export type AlarmRecipients = readonly string[] | 'none';

/** When the alarms fire. */
export interface AlarmThresholds {
  /** Oldest message in the ingest queue, seconds. A backlog under the API limits is normal; hours are not. */
  readonly ingestOldestMessageSeconds: number;
  /** Oldest message in the status queue, seconds (re-checks are delayed up to 900 s by design). */
  readonly statusOldestMessageSeconds: number;
  /** `ApiThrottled` per 5 minutes, sustained for 3 periods, before an alarm. */
  readonly apiThrottledPer5Minutes: number;
  /** Alarm when the requests of the last 24 hours exceed this share of `requestsPerDay` (0-1). */
  readonly dailyQuotaRatio: number;
  /** Stream iterator age of the publish function, seconds. */
  readonly publishIteratorAgeSeconds: number;
}

/**
 * Consumers in other accounts: they may create rules on the stage's bus, each account only managing the
 * rules it created (docs/events.md, "Subscribing from another account"). Empty: same-account rules only.
 */
export interface EventsConfig {
  readonly consumers: {
    /** 12-digit AWS account ids. */
    readonly accounts: readonly string[];
    /** An AWS Organizations id (`o-…`): every account in it. */
    readonly organizationId?: string;
  };
}

/** One stage, complete. */
export interface StageConfig {
  readonly stage: StageName;
  readonly env: StageEnvironment;
  readonly library: LibraryConfig;
  readonly uploads: UploadsConfig;
  readonly poll: PollConfig;
  readonly features: FeatureFlags;
  readonly sync: StageSyncPolicy;
  readonly retention: RetentionConfig;
  readonly functions: {
    readonly ingest: FunctionSettings;
    readonly poll: FunctionSettings;
    readonly publish: FunctionSettings;
  };
  readonly sources: {
    readonly ingestQueue: SqsSourceSettings;
    readonly statusQueue: SqsSourceSettings;
    readonly uploadsStream: StreamSourceSettings;
  };
  readonly observability: ObservabilityConfig;
  /** Who outside the stage's account may subscribe to its events. */
  readonly events: EventsConfig;
  /** Extra tags on every resource (the stack adds `project` and `stage`). */
  readonly tags: Readonly<Record<string, string>>;
}
