/**
 * The upload record: one DynamoDB item per S3 object version, the source of truth for the pipeline.
 * The table's stream is the outbox: the publish function announces every record that enters a final
 * state. Changing a field here changes the event contract (shared/events/): version it there.
 */

/** The statuses a record never leaves; entering one publishes the event. */
export const FINAL_STATUSES = [
  'Active',
  'VirusFound',
  'Failed',
  'Deleted',
  'Rejected',
  'TimedOut',
  'Replaced',
  'Removed',
] as const;
/** A final status. */
export type FinalStatus = (typeof FINAL_STATUSES)[number];

/** Every status a record can be in, in the order a file moves through them. */
export const RECORD_STATUSES = ['Received', 'Submitted', 'Processing', 'Uploaded', ...FINAL_STATUSES] as const;
/** A record's status. */
export type RecordStatus = (typeof RECORD_STATUSES)[number];

/**
 * A status may only move to a higher rank: a late `Processing` never overwrites `Uploaded`, and nothing
 * overwrites a final status. Stored on the item so DynamoDB can enforce it in a condition expression.
 */
export const STATUS_RANK: Readonly<Record<RecordStatus, number>> = {
  Received: 0,
  Submitted: 1,
  Processing: 2,
  Uploaded: 3,
  Active: 9,
  VirusFound: 9,
  Failed: 9,
  Deleted: 9,
  Rejected: 9,
  TimedOut: 9,
  // An Active file the bucket no longer holds (a newer version replaced it, or the key was deleted):
  // ranked above the upload outcomes so the stream announces the move, and nothing moves it back.
  Replaced: 10,
  Removed: 10,
};

/** The statuses that end a live library file because the bucket changed (docs/pipeline.md, "Sync"). */
export const SYNC_STATUSES = ['Replaced', 'Removed'] as const;
/** A sync status. */
export type SyncStatus = (typeof SYNC_STATUSES)[number];

/** Whether `status` is final. */
export function isFinalStatus(status: string): status is FinalStatus {
  return (FINAL_STATUSES as readonly string[]).includes(status);
}

/** Which S3 object version a record is about. */
export interface ObjectRef {
  bucket: string;
  /** The decoded key (S3 notifications URL-encode it, with '+' for a space). */
  key: string;
  /** Absent when the bucket is not versioned (local mode); the eTag then tells versions apart. */
  versionId?: string;
  eTag?: string;
  /** Size as the notification reported it. */
  size?: number;
  /** The notification's sequencer, to order events for the same key. */
  sequencer?: string;
}

/** One uploads-table item: an object version's upload, from claim to final state. */
export interface UploadRecord extends ObjectRef {
  /** Partition key: derived from bucket, key and versionId (or eTag). See shared/store/. */
  objectId: string;
  status: RecordStatus;
  statusRank: number;
  libraryFileId?: string;
  folderId?: string;
  /** The library folder path the key mirrored into, e.g. "Events/2026". */
  folderPath?: string;
  fileName?: string;
  description?: string;
  fileType?: string;
  contentType?: string;
  /** Upload attempts (POSTs begun). */
  attempts: number;
  /** Status checks made. */
  polls?: number;
  errorKey?: string;
  errorMessage?: string;
  /** Set on Active when enrichment is on. */
  url?: string;
  thumbnailUrl?: string;
  width?: number;
  height?: number;
  /** ISO-8601 time of each transition, by status. */
  transitions: Partial<Record<RecordStatus, string>>;
  createdAt: string;
  updatedAt: string;
  /** DynamoDB TTL (epoch seconds), set on final records when the stage keeps them for a limited time. */
  expiresAt?: number;
  /**
   * Upload lease (ingest only): who is uploading this version and until when (epoch ms). A duplicate
   * delivery that finds a live lease leaves the work to its holder; an expired lease (crashed attempt)
   * may be taken over. Removed once the upload is recorded.
   */
  leaseId?: string;
  leaseExpiresAt?: number;
  /** The lease whose attempt is the last one counted, until that attempt is taken back (it sent nothing). */
  attemptLeaseId?: string;
  /** When the first status check was queued, so a redelivered notification does not queue another. */
  pollScheduledAt?: string;
  /** True when the library file was found by searching after an interrupted upload (not re-posted). */
  adopted?: boolean;
  /** On `Replaced`: the version whose library file took this one's place. */
  replacedBy?: Replacement;
  /** On `Replaced`/`Removed`: false when the file was kept because another live key's record names it. */
  trashed?: boolean;
  /** Set by an operator's retry (`ops retry`): which re-run this is and the final outcome it replaced. */
  retry?: RecordRetry;
}

/** The record and library file that replaced a `Replaced` record's file. */
export interface Replacement {
  objectId: string;
  libraryFileId: string;
  url?: string;
}

/** The statuses an operator may retry: outcomes a fixed cause can change. */
export const RETRYABLE_STATUSES = ['Failed', 'Rejected', 'TimedOut'] as const;
export type RetryableStatus = (typeof RETRYABLE_STATUSES)[number];

export interface RecordRetry {
  count: number;
  previous: { status: RetryableStatus; errorKey?: string; finalAt?: string };
}
