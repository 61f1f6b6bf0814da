/**
 * From a final upload record to the event announcing it. Pure: the same record always gives the same
 * event (apart from nothing: no clock, no randomness), which is what makes re-publishing harmless.
 */
import { redactText } from '../observability/redact.ts';
import { isFinalStatus } from '../record/upload-record.ts';
import type { FinalStatus, RecordRetry, SyncStatus, UploadRecord } from '../record/upload-record.ts';
import { EVENT_SOURCE, EVENT_VERSION, detailTypeFor } from './contract.ts';
import type {
  EventFile,
  EventObject,
  EventReason,
  EventRetry,
  EventTimings,
  UploadEvent,
  UploadEventDetail,
} from './contract.ts';
import { eventIdFor } from './event-id.ts';

/** Longest `reason.message` carried (the API's messages are short; a stack trace is not). */
export const REASON_MESSAGE_MAX_LENGTH = 1000;

/** The reason used when the record holds none, by status: a key of the contract's closed set. */
export const DEFAULT_REASONS: Readonly<Record<Exclude<FinalStatus, 'Active' | SyncStatus>, EventReason>> = {
  VirusFound: { errorKey: 'virus-found', message: 'The library found a virus in the file.' },
  Failed: { errorKey: 'library-failed', message: 'The library could not process the file.' },
  Deleted: { errorKey: 'deleted', message: 'The file was deleted from the library before it became usable.' },
  TimedOut: {
    errorKey: 'timed-out',
    message: 'The library did not report a final status within the maximum wait.',
  },
  Rejected: { errorKey: 'rejected', message: 'The pipeline refused the file before uploading it.' },
};

export class NotFinalRecordError extends Error {
  constructor(objectId: string, status: string) {
    super(`Record ${objectId} is not final (status ${status}): there is no event to build`);
    this.name = 'NotFinalRecordError';
  }
}

/**
 * Builds the event for a record in a final state. Throws `NotFinalRecordError` for any other record
 * (use `toFinalTransition` to decide whether a stream record deserves an event).
 */
export function buildUploadEvent(record: UploadRecord, options: { stage: string }): UploadEvent {
  const status = record.status;
  if (!isFinalStatus(status)) throw new NotFinalRecordError(record.objectId, status);
  const timings = timingsOf(record, status);
  const fileName = record.fileName ?? baseName(record.key);
  // Property order is the order the contract documents (JSON consumers do not care; people reading do).
  const head = {
    version: EVENT_VERSION as typeof EVENT_VERSION,
    eventId: eventIdFor(record.objectId, status, record.retry?.count),
    stage: options.stage,
    objectId: record.objectId,
    object: objectOf(record),
  };
  const tail = {
    ...optional('folderId', record.folderId),
    ...optional('folderPath', record.folderPath),
    fileName,
    fileType: record.fileType ?? extensionOf(fileName),
  };
  const timingsAndAttempts = {
    timings,
    attempts: record.attempts ?? 0,
    ...(record.retry === undefined ? {} : { retry: retryOf(record.retry) }),
  };
  let detail: UploadEventDetail;
  if (status === 'Replaced' || status === 'Removed') {
    detail = syncedDetail(record, status, { head, tail, timingsAndAttempts });
  } else if (status === 'Active') {
    if (record.libraryFileId === undefined) {
      throw new Error(`Record ${record.objectId} is Active without a library file id: the record is inconsistent`);
    }
    const file = fileOf(record);
    detail = {
      ...head,
      status,
      libraryFileId: record.libraryFileId,
      ...tail,
      ...(file ? { file } : {}),
      ...timingsAndAttempts,
    };
  } else {
    // The status decides which keys the reason may carry; the schema (and its tests) hold them together.
    detail = {
      ...head,
      status,
      ...optional('libraryFileId', record.libraryFileId),
      ...tail,
      reason: reasonOf(record, status),
      ...timingsAndAttempts,
    } as UploadEventDetail;
  }
  return { source: EVENT_SOURCE, detailType: detailTypeFor(status), time: new Date(timings.finalAt), detail };
}

/** The detail of a file the bucket no longer holds: the old file, and for Replaced the new one. */
function syncedDetail(
  record: UploadRecord,
  status: SyncStatus,
  parts: { head: object; tail: object; timingsAndAttempts: object },
): UploadEventDetail {
  if (record.libraryFileId === undefined) {
    throw new Error(`Record ${record.objectId} is ${status} without a library file id: the record is inconsistent`);
  }
  const file = fileOf(record);
  const by = record.replacedBy;
  if (status === 'Replaced' && by === undefined)
    throw new Error(`Record ${record.objectId} is Replaced without replacedBy`);
  return {
    ...parts.head,
    status,
    libraryFileId: record.libraryFileId,
    ...parts.tail,
    ...(file ? { file } : {}),
    ...(by === undefined || status !== 'Replaced'
      ? {}
      : { replacedBy: { objectId: by.objectId, libraryFileId: by.libraryFileId, ...optional('url', by.url) } }),
    trashed: record.trashed !== false,
    ...parts.timingsAndAttempts,
  } as UploadEventDetail;
}

/** A copy with only the contract's fields (the record's own may grow). */
function retryOf(retry: RecordRetry): EventRetry {
  const { status, errorKey, finalAt } = retry.previous;
  return {
    count: retry.count,
    previous: {
      status,
      ...(errorKey === undefined ? {} : { errorKey }),
      ...(finalAt === undefined ? {} : { finalAt }),
    },
  };
}

function optional<K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> {
  return value === undefined || value === '' ? {} : ({ [key]: value } as Record<K, string>);
}

function objectOf(record: UploadRecord): EventObject {
  const object: EventObject = { bucket: record.bucket, key: record.key };
  if (record.versionId) object.versionId = record.versionId;
  if (record.eTag) object.eTag = record.eTag;
  if (isCount(record.size)) object.size = record.size;
  return object;
}

function reasonOf(record: UploadRecord, status: Exclude<FinalStatus, 'Active' | SyncStatus>): EventReason {
  const fallback = DEFAULT_REASONS[status];
  const message = record.errorMessage?.trim() ? redactText(record.errorMessage.trim()) : fallback.message;
  // The record's key is passed on as recorded: a test holds every key the code records to the contract's set.
  return {
    errorKey: (record.errorKey?.trim() || fallback.errorKey) as EventReason['errorKey'],
    message:
      message.length > REASON_MESSAGE_MAX_LENGTH ? `${message.slice(0, REASON_MESSAGE_MAX_LENGTH - 1)}…` : message,
  };
}

/** The hosted file, when the record was enriched (it has the library's URL). */
function fileOf(record: UploadRecord): EventFile | undefined {
  if (!record.url) return undefined;
  const file: EventFile = { url: record.url };
  if (record.thumbnailUrl) file.thumbnailUrl = record.thumbnailUrl;
  if (isCount(record.width)) file.width = record.width;
  if (isCount(record.height)) file.height = record.height;
  if (isCount(record.size)) file.size = record.size;
  return file;
}

function timingsOf(record: UploadRecord, status: FinalStatus): EventTimings {
  const receivedAt = isoOr(record.transitions?.Received, record.createdAt);
  const finalAt = isoOr(record.transitions?.[status], record.updatedAt);
  const submitted = record.transitions?.Submitted;
  return {
    receivedAt,
    ...(submitted && !Number.isNaN(Date.parse(submitted)) ? { submittedAt: new Date(submitted).toISOString() } : {}),
    finalAt,
    secondsToFinal: Math.max(0, Math.round(Date.parse(finalAt) - Date.parse(receivedAt)) / 1000),
  };
}

/** A valid time as ISO-8601 (normalised), else the fallback normalised. */
function isoOr(value: string | undefined, fallback: string): string {
  const parsed = value === undefined ? Number.NaN : Date.parse(value);
  if (!Number.isNaN(parsed)) return new Date(parsed).toISOString();
  const fallbackParsed = Date.parse(fallback);
  if (Number.isNaN(fallbackParsed)) throw new Error(`Record has no valid timestamp (got "${fallback}")`);
  return new Date(fallbackParsed).toISOString();
}

function baseName(key: string): string {
  const trimmed = key.replace(/\/+$/, '');
  return trimmed.slice(trimmed.lastIndexOf('/') + 1) || key;
}

function extensionOf(fileName: string): string {
  const dot = fileName.lastIndexOf('.');
  return dot > 0 && dot < fileName.length - 1 ? fileName.slice(dot + 1).toUpperCase() : '';
}

function isCount(value: number | undefined): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}
