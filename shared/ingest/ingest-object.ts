/**
 * Ingests one S3 object version: claim → (resume?) → read and validate → resolve the folder →
 * stream to the library → record Submitted → queue the first status check.
 *
 * Only the holder of the upload lease posts, and every POST is counted first, so a later attempt knows
 * to search the library before posting again (docs/pipeline.md, "One record per object version").
 * A Rejection is recorded here; every other error is thrown for the batch layer's retry policy.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { uploadCertainlyNotStored } from '../library/client.ts';
import { LibraryInputError, LibraryValidationError } from '../library/errors.ts';
import type { LibraryClient, LibraryFile, LibraryFileType } from '../library/types.ts';
import { countMetric, METRIC } from '../observability/index.ts';
import type { StatusCheckMessage } from '../poll/status-message.ts';
import { firstStatusCheck } from '../poll/status-message.ts';
import type { AttemptDetails, UploadsStore } from '../store/uploads-store.ts';
import { objectIdOf } from '../record/object-id.ts';
import { folderPathOf, formatFolderPath, isUnderPrefix } from '../files/folder-path.ts';
import { libraryDescription } from '../files/naming.ts';
import type { UploadMetadata } from '../s3/object-metadata.ts';
import { tagObjectOutcome, type OutcomeTagging } from '../s3/outcome-tags.ts';
import { isFinalStatus, type ObjectRef, type RecordStatus, type UploadRecord } from '../record/upload-record.ts';
import type { Rejection } from '../files/validation.ts';
import { findUploadedCopy } from './find-uploaded-copy.ts';
import { findRenamedTwin } from '../sync/library-sync.ts';
import { KEEP_EVERYTHING, type SyncPolicy } from '../sync/sync-policy.ts';
import type { SpareBudget } from '../poll/spare-budget.ts';
import type { FolderResolver } from './folder-resolver.ts';
import { inspectObject, readUnlessGone, type InspectedFile } from './inspect-object.ts';
import type { LibraryInfoCache } from './library-info-cache.ts';
import type { S3ObjectReader } from '../s3/object-reader.ts';

/** The stage settings ingest reads. */
export interface IngestSettings {
  uploadPrefix: string;
  defaultFolderId: string;
  mirrorFolders: boolean;
  pollFirstDelaySeconds: number;
}

/** What ingesting one object needs; the runtime builds it (shared/runtime/ingest-dependencies.ts). */
export interface IngestDependencies {
  store: UploadsStore;
  library: LibraryClient;
  objects: S3ObjectReader;
  folders: FolderResolver;
  libraryInfo: LibraryInfoCache;
  sendStatusCheck: (message: StatusCheckMessage, delaySeconds: number) => Promise<void>;
  tagging: OutcomeTagging;
  settings: IngestSettings;
  now: () => Date;
  /** The stage's sync policy (default: keep everything; a rename is then a new upload). */
  syncPolicy?: SyncPolicy;
  /** A sooner first check while the day's budget is spare, for a trickle's files (absent: the schedule). */
  spareBudget?: Pick<SpareBudget, 'delaySeconds'>;
}

/** One delivery's attempt at an object. */
export interface IngestAttempt {
  logger: Logger;
  /** Unique per delivery: identifies the lease holder. */
  leaseId: string;
  /** How long the lease lasts; longer than the rest of this invocation. */
  leaseMs: number;
}

/** How an ingest ended without an error. */
export type IngestOutcome =
  | { outcome: 'submitted'; libraryFileId: string; adopted: boolean }
  | { outcome: 'rejected'; rejection: Rejection }
  | { outcome: 'already-handled'; status: RecordStatus; libraryFileId?: string | undefined }
  /** Another delivery holds the lease: come back when it has expired, in case the holder died. */
  | { outcome: 'in-progress-elsewhere'; leaseExpiresAt: number }
  | { outcome: 'ignored'; reason: 'outside-prefix' };

/** Claims, validates, uploads and records one object version; throws what the retry policy must decide. */
export async function ingestObject(
  ref: ObjectRef,
  deps: IngestDependencies,
  attempt: IngestAttempt,
): Promise<IngestOutcome> {
  const { store, settings } = deps;
  const log = attempt.logger;
  if (!isUnderPrefix(ref.key, settings.uploadPrefix)) {
    log.info('Key is outside the upload prefix: ignored', { uploadPrefix: settings.uploadPrefix });
    return { outcome: 'ignored', reason: 'outside-prefix' };
  }
  const objectId = objectIdOf(ref);
  const claim = await store.claim(ref);
  if (claim.claimed) {
    countMetric(METRIC.FilesReceived);
    log.info('Received');
  }
  const settled = await settleExisting(claim.record, deps, log);
  if (settled !== undefined) return settled;

  const lease = await store.acquireLease(objectId, attempt.leaseId, attempt.leaseMs);
  if (!lease.acquired) {
    const again = lease.record === undefined ? undefined : await settleExisting(lease.record, deps, log);
    if (again !== undefined) return again;
    const leaseExpiresAt = lease.record?.leaseExpiresAt ?? deps.now().getTime();
    log.info('Another delivery holds the upload lease: checking again once it has expired', { leaseExpiresAt });
    return { outcome: 'in-progress-elsewhere', leaseExpiresAt };
  }
  try {
    return await uploadUnderLease(lease.record, ref, deps, attempt);
  } catch (error) {
    // Hand the work to the retry copy (or the redelivery) at once rather than after the lease expires.
    await store.releaseLease(objectId, attempt.leaseId).catch(() => undefined);
    throw error;
  }
}

/** A record past the upload needs nothing more, except a status check that a crash may have skipped. */
async function settleExisting(
  record: UploadRecord,
  deps: IngestDependencies,
  log: Logger,
): Promise<IngestOutcome | undefined> {
  if (isFinalStatus(record.status)) {
    log.info('Already final: duplicate delivery ignored', { status: record.status });
    return { outcome: 'already-handled', status: record.status, libraryFileId: record.libraryFileId };
  }
  if (record.libraryFileId === undefined) return undefined;
  if (record.pollScheduledAt === undefined) {
    log.info('Submitted but no status check queued yet (interrupted run): queueing it', {
      libraryFileId: record.libraryFileId,
    });
    await scheduleFirstCheck(record, deps);
  } else {
    log.info('Already submitted: duplicate delivery ignored', {
      status: record.status,
      libraryFileId: record.libraryFileId,
    });
  }
  return { outcome: 'already-handled', status: record.status, libraryFileId: record.libraryFileId };
}

/** The library's fields for the upload, decided before the attempt is counted. */
type PlannedUpload = Omit<AttemptDetails, 'size'> & { fileType: LibraryFileType };

/** The upload itself, by the lease holder: adopt an earlier copy, or check, count and post the file. */
async function uploadUnderLease(
  record: UploadRecord,
  ref: ObjectRef,
  deps: IngestDependencies,
  attempt: IngestAttempt,
): Promise<IngestOutcome> {
  const log = attempt.logger;
  const earlier = await adoptEarlierCopy(record, deps, log);
  if (earlier !== undefined) return earlier;
  const inspection = await inspectObject(ref, deps.objects, () => deps.libraryInfo.maxUploadSize());
  if (!inspection.ok) return reject(record, inspection.rejection, inspection.details, deps, log);
  const upload = await planUpload(ref.key, inspection.file, deps, log);
  const moved = await moveRenamedFile(record, ref, { ...upload, size: inspection.file.size }, deps, attempt);
  if (moved !== undefined) return moved;
  // Opened before the attempt is counted: a vanished object is a rejection, not an attempt that makes
  // the next delivery search the library.
  const opened = await readUnlessGone(() => deps.objects.open(ref));
  if (!opened.ok) return reject(record, opened.rejection, { fileName: upload.fileName }, deps, log);
  const stream = opened.value;
  try {
    await deps.store.beginAttempt(record.objectId, attempt.leaseId, { ...upload, size: stream.size });
  } catch (error) {
    stream.body.destroy();
    throw error;
  }
  const { fileName, fileType, folderId, folderPath } = upload;
  log.info('Uploading', { fileName, fileType, size: stream.size, folderId, folderPath });
  let fileId: string;
  try {
    ({ fileId } = await deps.library.uploadFile({
      fileName,
      folderId,
      description: upload.description,
      fileType,
      contentType: upload.contentType,
      data: stream.body,
      size: stream.size,
    }));
  } catch (error) {
    stream.body.destroy();
    return afterFailedPost(error, record, { ...upload, size: stream.size }, deps, attempt);
  }
  return recordSubmission(record, fileId, false, deps, log);
}

/**
 * A rename: the same bytes were Active under a key that is gone. The library file is moved and renamed
 * (PUT) instead of uploaded again, so its hosted URL stays; the old key's record is then Removed with
 * `trashed: false`, since this record names the file (shared/sync/library-sync.ts).
 */
async function moveRenamedFile(
  record: UploadRecord,
  ref: ObjectRef,
  upload: AttemptDetails,
  deps: IngestDependencies,
  attempt: IngestAttempt,
): Promise<IngestOutcome | undefined> {
  const policy = deps.syncPolicy ?? KEEP_EVERYTHING;
  const twin = await findRenamedTwin(ref, { store: deps.store, objects: deps.objects, policy });
  if (twin?.libraryFileId === undefined) return undefined;
  const log = attempt.logger;
  // Counted like a POST: a crash after the PUT makes the next attempt search, and find the moved file.
  await deps.store.beginAttempt(record.objectId, attempt.leaseId, upload);
  await deps.library.updateFile(twin.libraryFileId, { name: upload.fileName, folderId: upload.folderId });
  log.info('Renamed: moved the library file of the deleted key instead of uploading again', {
    libraryFileId: twin.libraryFileId,
    renamedFrom: twin.key,
  });
  return recordSubmission(record, twin.libraryFileId, true, deps, log);
}

/** An earlier attempt may have reached the library: look before posting again. */
async function adoptEarlierCopy(
  record: UploadRecord,
  deps: IngestDependencies,
  log: Logger,
): Promise<IngestOutcome | undefined> {
  if (record.attempts === 0 || record.fileName === undefined || record.size === undefined) return undefined;
  const copy = await searchForCopy(
    record,
    { fileName: record.fileName, size: record.size, folderId: record.folderId },
    deps,
  );
  if (copy === undefined) {
    log.info('No copy from the earlier attempt in the library: uploading again', { attempts: record.attempts });
    return undefined;
  }
  log.info('Found the file an interrupted attempt uploaded: adopting it instead of posting again', {
    libraryFileId: copy.id,
    attempts: record.attempts,
  });
  return recordSubmission(record, copy.id, true, deps, log);
}

async function planUpload(
  key: string,
  file: InspectedFile,
  deps: IngestDependencies,
  log: Logger,
): Promise<PlannedUpload> {
  const folder = await resolveFolder(key, file.metadata, deps, log);
  return {
    fileName: file.fileName,
    description: libraryDescription(file.metadata.description, file.fileName),
    fileType: file.fileType,
    contentType: file.contentType,
    folderId: folder.folderId,
    ...(folder.folderPath === undefined ? {} : { folderPath: folder.folderPath }),
  };
}

/** A POST that threw: rejected, certainly not stored (thrown, count taken back) or maybe stored. */
async function afterFailedPost(
  error: unknown,
  record: UploadRecord,
  upload: AttemptDetails,
  deps: IngestDependencies,
  attempt: IngestAttempt,
): Promise<IngestOutcome> {
  const log = attempt.logger;
  if (error instanceof LibraryValidationError || error instanceof LibraryInputError) {
    // 400, or input the client would not send (e.g. a malformed folder-id in the metadata): sending
    // the same file with the same metadata again cannot change that.
    const apiMessage = error.apiErrors.map((e) => `${e.errorKey}: ${e.errorMessage}`).join('; ') || error.message;
    const rejection: Rejection = {
      errorKey: 'library-refused',
      errorMessage: `The library refused the upload (${apiMessage}).`,
    };
    return reject(record, rejection, {}, deps, log);
  }
  if (uploadCertainlyNotStored(error)) {
    // Nothing can be in the library: the next try need not search it first.
    await deps.store.abandonAttempt(record.objectId, attempt.leaseId).catch((undoError: unknown) => {
      log.warn('Could not take back the attempt count: the next try will search the library first', {
        error: (undoError as Error).message,
      });
    });
    throw error;
  }
  // The answer was lost: look now, while a file the library will cancel (VirusFound, Failed) is still
  // listed; a search on the next delivery could miss it and post it again (docs/pipeline.md).
  const copy = await searchForCopy(record, upload, deps).catch((searchError: unknown) => {
    log.warn('Could not search the library after the lost answer: the next try searches again', {
      error: (searchError as Error).message,
    });
    return undefined;
  });
  if (copy === undefined) throw error;
  log.info('The upload stored the file before its answer was lost: adopting it', {
    libraryFileId: copy.id,
    error: (error as Error).message,
  });
  return recordSubmission(record, copy.id, true, deps, log);
}

/** The library file an earlier POST of this record's file created, unless another version claims it. */
function searchForCopy(
  record: UploadRecord,
  file: { fileName: string; size: number; folderId: string | undefined },
  deps: IngestDependencies,
): Promise<LibraryFile | undefined> {
  return findUploadedCopy(
    deps.library,
    async (fileId) =>
      (await deps.store.findByLibraryFileId(fileId)).some((other) => other.objectId !== record.objectId),
    {
      objectId: record.objectId,
      fileName: file.fileName,
      size: file.size,
      ...(file.folderId === undefined ? {} : { folderId: file.folderId }),
      claimedAt: record.transitions.Received ?? record.createdAt,
    },
  );
}

async function recordSubmission(
  record: UploadRecord,
  fileId: string,
  adopted: boolean,
  deps: IngestDependencies,
  log: Logger,
): Promise<IngestOutcome> {
  const result = await deps.store.recordSubmitted(record.objectId, fileId, { adopted });
  if (!result.applied) {
    // Only the lease holder records a submission, so this means the lease was lost to a takeover.
    log.warn('The record moved on while we uploaded (lease taken over?)', {
      libraryFileId: fileId,
      status: result.record?.status,
    });
    return {
      outcome: 'already-handled',
      status: result.record?.status ?? 'Submitted',
      libraryFileId: result.record?.libraryFileId,
    };
  }
  // From here on every line about this file names its library file id.
  log.appendPersistentKeys({ libraryFileId: fileId });
  countMetric(METRIC.FilesSubmitted);
  log.info('Submitted', { adopted });
  await scheduleFirstCheck(result.record, deps);
  return { outcome: 'submitted', libraryFileId: fileId, adopted };
}

/** Sends first, marks second: a crash in between costs a duplicate check, never a missing one. */
async function scheduleFirstCheck(record: UploadRecord, deps: IngestDependencies): Promise<void> {
  const scheduled = deps.settings.pollFirstDelaySeconds;
  const delaySeconds = deps.spareBudget ? await deps.spareBudget.delaySeconds(scheduled) : scheduled;
  await deps.sendStatusCheck(firstStatusCheck(record), delaySeconds);
  await deps.store.markPollScheduled(record.objectId);
}

async function resolveFolder(
  key: string,
  metadata: UploadMetadata,
  deps: IngestDependencies,
  log: Logger,
): Promise<{ folderId: string; folderPath?: string }> {
  if (metadata.folderId !== undefined) return { folderId: metadata.folderId };
  const path = deps.settings.mirrorFolders ? folderPathOf(key, deps.settings.uploadPrefix) : [];
  if (path.length === 0) return { folderId: deps.settings.defaultFolderId };
  const folderPath = formatFolderPath(path);
  try {
    return { folderId: await deps.folders.resolve(path), folderPath };
  } catch (error) {
    if (!(error instanceof LibraryValidationError)) throw error;
    // The library will not create this folder (e.g. a name it refuses): the file still goes in.
    log.warn('The library refused to create the mirrored folder: using the default folder', {
      folderPath,
      apiErrors: error.apiErrors,
    });
    return { folderId: deps.settings.defaultFolderId };
  }
}

async function reject(
  record: UploadRecord,
  rejection: Rejection,
  details: Record<string, string | number>,
  deps: IngestDependencies,
  log: Logger,
): Promise<IngestOutcome> {
  const result = await deps.store.recordFinal(record.objectId, 'Rejected', {
    errorKey: rejection.errorKey,
    errorMessage: rejection.errorMessage,
    ...details,
  });
  if (!result.applied) {
    return {
      outcome: 'already-handled',
      status: result.record?.status ?? 'Rejected',
      libraryFileId: result.record?.libraryFileId,
    };
  }
  log.warn('Rejected', { errorKey: rejection.errorKey, errorMessage: rejection.errorMessage });
  countMetric(METRIC.FilesRejected, 1, { reason: rejection.errorKey });
  countMetric(METRIC.FilesFinal, 1, { status: 'Rejected' });
  const receivedAt = Date.parse(record.transitions.Received ?? record.createdAt);
  if (Number.isFinite(receivedAt)) countMetric(METRIC.TimeToFinal, deps.now().getTime() - receivedAt);
  await tagObjectOutcome(deps.tagging, record, { status: 'Rejected' });
  return { outcome: 'rejected', rejection };
}
