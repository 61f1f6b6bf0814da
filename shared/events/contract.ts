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
 */
import type { FinalStatus } from '../upload/record.ts';

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
} as const;

export type DetailType = (typeof DETAIL_TYPES)[keyof typeof DETAIL_TYPES];

export function detailTypeFor(status: FinalStatus): DetailType {
  switch (status) {
    case 'Active':
      return DETAIL_TYPES.uploaded;
    case 'Rejected':
      return DETAIL_TYPES.rejected;
    case 'VirusFound':
    case 'Failed':
    case 'Deleted':
    case 'TimedOut':
      return DETAIL_TYPES.failed;
  }
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

/** Why a file did not become usable. `errorKey` is stable and machine-readable; `message` is for people. */
export interface EventReason {
  errorKey: string;
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
  status: FinalStatus;
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
  reason: EventReason;
}

export interface RejectedEventDetail extends UploadEventDetailBase {
  status: 'Rejected';
  reason: EventReason;
}

/** The `detail` of every pipeline event, version 1. */
export type UploadEventDetail = UploadedEventDetail | FailedEventDetail | RejectedEventDetail;

/** A built event, ready for PutEvents. */
export interface UploadEvent {
  source: typeof EVENT_SOURCE;
  detailType: DetailType;
  /** The envelope `time`: `timings.finalAt`. */
  time: Date;
  detail: UploadEventDetail;
}
