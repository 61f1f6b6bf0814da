/**
 * What every function needs to know at run time, read from its environment.
 *
 * The CDK stack (infra/) and the local runner (infra/local/) both build the environment with
 * `toEnvironment()`, and the handlers read it with `loadRuntimeConfig()`: one schema, so the names
 * cannot drift apart. Per-stage values come from the typed stage config in `infra/config/`.
 */
import * as z from 'zod';
import { DELETE_POLICIES, OVERWRITE_POLICIES, type SyncPolicy } from '../sync/sync-policy.ts';

const positiveInt = z.coerce.number().int().positive();
const bool = z.enum(['true', 'false']).transform((v) => v === 'true');

/** The functions' environment variables and their rules, written once for stack, local mode and functions. */
export const runtimeConfigSchema = z.object({
  STAGE: z.string().min(1),
  /** e.g. https://api.constantcontact.com/v2 or the sandbox's http://127.0.0.1:PORT/v2 */
  LIBRARY_BASE_URL: z.url(),
  /** Secrets Manager secret id (name or ARN) holding {"apiKey": "...", "accessToken": "..."}. */
  LIBRARY_SECRET_ID: z.string().min(1),
  UPLOADS_TABLE_NAME: z.string().min(1),
  /** Table holding the shared API rate-limit buckets (no stream: tokens must not wake the publisher). */
  LIMITS_TABLE_NAME: z.string().min(1),
  STATUS_QUEUE_URL: z.url(),
  EVENT_BUS_NAME: z.string().min(1),
  /** Keys below this prefix are uploaded; the path below it mirrors into library folders. */
  UPLOAD_PREFIX: z.string().default(''),
  /** Library folder id used when neither metadata nor the key's path names one ("0" = root). */
  DEFAULT_FOLDER_ID: z.string().default('0'),
  MIRROR_FOLDERS: bool.default(true),
  REQUESTS_PER_SECOND: positiveInt.default(4),
  REQUESTS_PER_DAY: positiveInt.default(10_000),
  POLL_FIRST_DELAY_SECONDS: z.coerce.number().int().min(0).max(900).default(10),
  POLL_MAX_DELAY_SECONDS: z.coerce.number().int().min(1).max(900).default(300),
  POLL_MAX_WAIT_SECONDS: positiveInt.default(3600),
  ENRICH_ACTIVE_FILES: bool.default(true),
  TAG_OBJECTS: bool.default(true),
  /** Records expire (DynamoDB TTL) this many days after they reach a final state; 0 = never. */
  RECORD_TTL_DAYS: z.coerce.number().int().min(0).default(0),
  /** The stage's sync policy (shared/sync/sync-policy.ts); unset = nothing is ever deleted. */
  SYNC_ON_OVERWRITE: z.enum(OVERWRITE_POLICIES).default('keep'),
  SYNC_ON_DELETE: z.enum(DELETE_POLICIES).default('keep'),
});

/** The environment as the stack writes it. */
export type RuntimeEnvironment = z.input<typeof runtimeConfigSchema>;
type Parsed = z.output<typeof runtimeConfigSchema>;

/** The checked, typed settings the functions run with. */
export interface RuntimeConfig {
  stage: string;
  libraryBaseUrl: string;
  librarySecretId: string;
  uploadsTableName: string;
  limitsTableName: string;
  statusQueueUrl: string;
  eventBusName: string;
  uploadPrefix: string;
  defaultFolderId: string;
  mirrorFolders: boolean;
  requestsPerSecond: number;
  requestsPerDay: number;
  poll: { firstDelaySeconds: number; maxDelaySeconds: number; maxWaitSeconds: number };
  enrichActiveFiles: boolean;
  tagObjects: boolean;
  recordTtlDays: number;
  sync: SyncPolicy;
}

/** Reads and checks the environment; a missing or malformed variable is named in the error. */
export function loadRuntimeConfig(env: Record<string, string | undefined> = process.env): RuntimeConfig {
  const result = runtimeConfigSchema.safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`Invalid function environment: ${problems}`);
  }
  return fromParsed(result.data);
}

function fromParsed(p: Parsed): RuntimeConfig {
  return {
    stage: p.STAGE,
    libraryBaseUrl: p.LIBRARY_BASE_URL,
    librarySecretId: p.LIBRARY_SECRET_ID,
    uploadsTableName: p.UPLOADS_TABLE_NAME,
    limitsTableName: p.LIMITS_TABLE_NAME,
    statusQueueUrl: p.STATUS_QUEUE_URL,
    eventBusName: p.EVENT_BUS_NAME,
    uploadPrefix: p.UPLOAD_PREFIX,
    defaultFolderId: p.DEFAULT_FOLDER_ID,
    mirrorFolders: p.MIRROR_FOLDERS,
    requestsPerSecond: p.REQUESTS_PER_SECOND,
    requestsPerDay: p.REQUESTS_PER_DAY,
    poll: {
      firstDelaySeconds: p.POLL_FIRST_DELAY_SECONDS,
      maxDelaySeconds: p.POLL_MAX_DELAY_SECONDS,
      maxWaitSeconds: p.POLL_MAX_WAIT_SECONDS,
    },
    enrichActiveFiles: p.ENRICH_ACTIVE_FILES,
    tagObjects: p.TAG_OBJECTS,
    recordTtlDays: p.RECORD_TTL_DAYS,
    sync: { onOverwrite: p.SYNC_ON_OVERWRITE, onDelete: p.SYNC_ON_DELETE },
  };
}

/** The inverse of `loadRuntimeConfig`: the environment variables for a function. */
export function toEnvironment(config: RuntimeConfig): Record<keyof RuntimeEnvironment, string> {
  return {
    STAGE: config.stage,
    LIBRARY_BASE_URL: config.libraryBaseUrl,
    LIBRARY_SECRET_ID: config.librarySecretId,
    UPLOADS_TABLE_NAME: config.uploadsTableName,
    LIMITS_TABLE_NAME: config.limitsTableName,
    STATUS_QUEUE_URL: config.statusQueueUrl,
    EVENT_BUS_NAME: config.eventBusName,
    UPLOAD_PREFIX: config.uploadPrefix,
    DEFAULT_FOLDER_ID: config.defaultFolderId,
    MIRROR_FOLDERS: String(config.mirrorFolders),
    REQUESTS_PER_SECOND: String(config.requestsPerSecond),
    REQUESTS_PER_DAY: String(config.requestsPerDay),
    POLL_FIRST_DELAY_SECONDS: String(config.poll.firstDelaySeconds),
    POLL_MAX_DELAY_SECONDS: String(config.poll.maxDelaySeconds),
    POLL_MAX_WAIT_SECONDS: String(config.poll.maxWaitSeconds),
    ENRICH_ACTIVE_FILES: String(config.enrichActiveFiles),
    TAG_OBJECTS: String(config.tagObjects),
    RECORD_TTL_DAYS: String(config.recordTtlDays),
    SYNC_ON_OVERWRITE: config.sync.onOverwrite,
    SYNC_ON_DELETE: config.sync.onDelete,
  };
}
