/**
 * The event contract: what the pipeline tells the rest of the organisation, on the stage's EventBridge
 * bus, once per file that reaches a final state. Documented in docs/events.md; the JSON Schema
 * (schema/library-upload-event.v1.schema.json) is the normative form and tests hold every built event to
 * it. Changing anything here is changing a public API: read the versioning policy in docs/events.md.
 *
 * Envelope (set by the publisher; EventBridge adds `id`, `account`, `region`):
 * - `source`: always `library-upload-pipeline` (the same in every stage: the bus tells stages apart,
 *   and `detail.stage` names it).
 * - `detail-type`: one per outcome family, see `DETAIL_TYPES`.
 * - `time`: when the record reached its final status (not when the event was sent).
 *
 * Self-contained on purpose: consumers import it as `library-upload-pipeline/events`, so it imports
 * nothing of the pipeline (a test holds its statuses equal to the upload record's final statuses).
 */
import type { ErrorKey, ErrorKeyOf } from './error-keys.ts';

/** Every `detail.status`: the upload record's final statuses. */
export const EVENT_STATUSES = [
  'Active',
  'VirusFound',
  'Failed',
  'Deleted',
  'Rejected',
  'TimedOut',
  'Replaced',
  'Removed',
] as const;
export type EventStatus = (typeof EVENT_STATUSES)[number];

/** The fixed `source` of every event the pipeline publishes. */
export const EVENT_SOURCE = 'library-upload-pipeline';

/** The version of the detail's shape, carried in `detail.version`. */
export const EVENT_VERSION = '1';

/** One `detail-type` per outcome family, so a consumer subscribes to the outcomes it cares about. */
export const DETAIL_TYPES = {
  /** The file is in the library and usable (status `Active`). */
  uploaded: 'Library File Uploaded',
  /** The file reached the library but did not become usable: `VirusFound`, `Failed`, `Deleted`, `TimedOut`. */
  failed: 'Library File Failed',
  /** The pipeline refused the file before uploading it (type, size, name…): `Rejected`. */
  rejected: 'Library File Rejected',
  /** A newer version of the key is Active and this version's library file went to the Trash: `Replaced`. */
  replaced: 'Library File Replaced',
  /** The key was deleted from the bucket and its library file went to the Trash: `Removed`. */
  removed: 'Library File Removed',
} as const;

export type DetailType = (typeof DETAIL_TYPES)[keyof typeof DETAIL_TYPES];

/**
 * The statuses each detail-type carries: the one table a new detail-type is added to (with its
 * detail interface below, its error keys in error-keys.ts and its branch in the schema).
 */
export const STATUSES_BY_DETAIL_TYPE = {
  [DETAIL_TYPES.uploaded]: ['Active'],
  [DETAIL_TYPES.failed]: ['VirusFound', 'Failed', 'Deleted', 'TimedOut'],
  [DETAIL_TYPES.rejected]: ['Rejected'],
  [DETAIL_TYPES.replaced]: ['Replaced'],
  [DETAIL_TYPES.removed]: ['Removed'],
} as const satisfies Record<DetailType, readonly EventStatus[]>;

/** The detail-type announcing a final status. */
export function detailTypeFor(status: EventStatus): DetailType {
  const entry = Object.entries(STATUSES_BY_DETAIL_TYPE).find(([, statuses]) =>
    (statuses as readonly EventStatus[]).includes(status),
  );
  if (!entry) throw new Error(`No detail-type announces status "${status}"`);
  return entry[0] as DetailType;
}

/** The S3 object version the event is about. */
export interface EventObject {
  bucket: string;
  /** The decoded S3 key. */
  key: string;
  versionId?: string;
  eTag?: string;
  /** Bytes, as S3 reported them. */
  size?: number;
}

/**
 * Why a file did not become usable. `errorKey` is stable and machine-readable (one of `ERROR_KEYS` for
 * the detail-type, or `api.<error_key>` passed through from the library API); `message` is for people.
 */
export interface EventReason<Key extends string = ErrorKey> {
  errorKey: Key;
  message: string;
}

/** The hosted file, on `Active` when the pipeline fetched the library's file record. */
export interface EventFile {
  url: string;
  thumbnailUrl?: string;
  width?: number;
  height?: number;
  size?: number;
}

export interface EventTimings {
  /** When the pipeline first saw the object (ISO-8601). */
  receivedAt: string;
  /** When the library accepted the upload; absent for `Rejected`. */
  submittedAt?: string;
  /** When the record reached its final status. */
  finalAt: string;
  /** `finalAt - receivedAt`, in seconds (millisecond precision). */
  secondsToFinal: number;
}

interface UploadEventDetailBase {
  version: typeof EVENT_VERSION;
  /**
   * Stable across re-deliveries: derived from `objectId` and the final status only. EventBridge's own
   * envelope `id` differs on every PutEvents, so consumers de-duplicate on this one.
   */
  eventId: string;
  stage: string;
  /** The pipeline's id for the object version (the uploads table's key). */
  objectId: string;
  object: EventObject;
  status: EventStatus;
  libraryFileId?: string;
  folderId?: string;
  /** The library folder path the key mirrored into, e.g. `Events/2026`. */
  folderPath?: string;
  fileName: string;
  /** Upper-cased extension as sent to the library (`PNG`, `PDF`…); for `Rejected` whatever the key had. */
  fileType: string;
  timings: EventTimings;
  /** Upload attempts that may have reached the library (0 when refused before upload; a POST never sent or refused with a 4xx is not counted). */
  attempts: number;
  /** Only on an outcome of an operator's retry (`ops retry`): consumers tell it from a first outcome. */
  retry?: EventRetry;
}

/** Which re-run of the file this outcome is, and the outcome it replaced. */
export interface EventRetry {
  /** 1 for the first retry. */
  count: number;
  previous: { status: 'Failed' | 'Rejected' | 'TimedOut'; errorKey?: string; finalAt?: string };
}

export interface UploadedEventDetail extends UploadEventDetailBase {
  status: 'Active';
  libraryFileId: string;
  /** Present when enrichment is on and the library returned the file record. */
  file?: EventFile;
}

export interface FailedEventDetail extends UploadEventDetailBase {
  status: 'VirusFound' | 'Failed' | 'Deleted' | 'TimedOut';
  reason: EventReason<ErrorKeyOf<'Library File Failed'>>;
}

export interface RejectedEventDetail extends UploadEventDetailBase {
  status: 'Rejected';
  reason: EventReason<ErrorKeyOf<'Library File Rejected'>>;
}

/** The version whose library file took a replaced file's place. */
export interface EventReplacement {
  /** The pipeline's id of the new object version. */
  objectId: string;
  libraryFileId: string;
  /** The new file's hosted URL, when the pipeline fetched it. */
  url?: string;
}

/**
 * A file that was Active and is no longer what the bucket holds. `libraryFileId` and `file` describe the
 * old file (now in the library's Trash, unless `trashed` is false because another live key shares it).
 */
interface SyncedEventDetailBase extends UploadEventDetailBase {
  libraryFileId: string;
  /** The old file's hosted URL: consumers holding it know it is stale. */
  file?: EventFile;
  /** False when the file was kept because another live key's record names it (a rename). */
  trashed: boolean;
}

export interface ReplacedEventDetail extends SyncedEventDetailBase {
  status: 'Replaced';
  replacedBy: EventReplacement;
}

export interface RemovedEventDetail extends SyncedEventDetailBase {
  status: 'Removed';
}

/** The `detail` of every pipeline event, version 1. */
export type UploadEventDetail =
  UploadedEventDetail | FailedEventDetail | RejectedEventDetail | ReplacedEventDetail | RemovedEventDetail;

/** The detail a detail-type carries. */
export type DetailOf<T extends DetailType> = Extract<
  UploadEventDetail,
  { status: (typeof STATUSES_BY_DETAIL_TYPE)[T][number] }
>;

/**
 * The event as a consumer's target receives it (EventBridge's envelope around the detail). `id` differs
 * on every delivery: de-duplicate on `detail.eventId`.
 */
export type LibraryUploadEvent<T extends DetailType = DetailType> = {
  [K in T]: {
    version: '0';
    id: string;
    'detail-type': K;
    source: typeof EVENT_SOURCE;
    account: string;
    /** ISO-8601: `detail.timings.finalAt`. */
    time: string;
    region: string;
    resources: string[];
    detail: DetailOf<K>;
  };
}[T];

/** A built event, ready for PutEvents. */
export interface UploadEvent {
  source: typeof EVENT_SOURCE;
  detailType: DetailType;
  /** The envelope `time`: `timings.finalAt`. */
  time: Date;
  detail: UploadEventDetail;
}
