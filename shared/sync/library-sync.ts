/**
 * The library follows the bucket: when a key the pipeline uploaded is overwritten or deleted, the file
 * of the version the bucket no longer holds goes to the library's Trash and its record ends `Replaced`
 * or `Removed` (docs/pipeline.md, "Sync").
 *
 * Every decision is taken on the bucket's state as S3 reports it now (HeadObject on the key), never on
 * the order notifications arrived in: a late, duplicated or reordered notification reaches the same
 * verdict as a punctual one. Only Active records are ever moved on, and only by a conditional write, so
 * a file is announced as gone once; a file another live key's record names (a rename) is never trashed.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { LibraryNotFoundError } from '../library/errors.ts';
import type { LibraryClient } from '../library/types.ts';
import { countMetric, METRIC } from '../observability/index.ts';
import { objectIdOf } from '../record/object-id.ts';
import { STATUS_RANK, type Replacement, type SyncStatus, type UploadRecord } from '../record/upload-record.ts';
import type { S3ObjectReader } from '../s3/object-reader.ts';
import type { UploadsStore } from '../store/uploads-store.ts';
import type { SyncPolicy } from './sync-policy.ts';

/** What the sync steps need. */
export interface SyncDependencies {
  store: UploadsStore;
  library: Pick<LibraryClient, 'deleteFiles' | 'deleteFile'>;
  objects: Pick<S3ObjectReader, 'current'>;
  policy: SyncPolicy;
  logger: Logger;
}

/** How handling a deleted key ended. */
export type RemoveOutcome =
  /** Policy `keep`, or nothing live to remove. */
  | { outcome: 'nothing' }
  /** The key holds an object again (a later upload): its own version replaces the old one. */
  | { outcome: 'key-exists' }
  /**
   * An upload of the key, or a rename's copy of its bytes under another key, is still in flight: look
   * again later (the key's own Active check also removes it).
   */
  | { outcome: 'wait'; inFlight: number }
  | { outcome: 'removed'; records: number };

/** A record that may still become Active: claimed, submitted, processing. */
function inFlight(record: UploadRecord): boolean {
  return record.statusRank < STATUS_RANK.Active;
}

/** A notification said the key was deleted: trash the files of its live records, if the key is still gone. */
export async function removeDeletedKey(
  ref: { bucket: string; key: string },
  deps: SyncDependencies,
): Promise<RemoveOutcome> {
  if (deps.policy.onDelete !== 'trash') return { outcome: 'nothing' };
  if ((await deps.objects.current(ref.bucket, ref.key)) !== undefined) return { outcome: 'key-exists' };
  const records = (await deps.store.findByKey(ref.key)).filter((record) => record.bucket === ref.bucket);
  const active = records.filter((record) => record.status === 'Active');
  const renaming = await renamesInFlight(active, deps.store);
  if (renaming > 0) return { outcome: 'wait', inFlight: renaming };
  const removed = await trashFiles(active, 'Removed', undefined, deps);
  const pending = records.filter(inFlight).length;
  if (pending > 0) return { outcome: 'wait', inFlight: pending };
  return removed > 0 ? { outcome: 'removed', records: removed } : { outcome: 'nothing' };
}

/**
 * After a record became Active: if the key is gone, this file goes (`Removed`); if this is the key's
 * current version, older Active versions go (`Replaced`); if a newer version is already Active, this one
 * goes. A newer version still in flight replaces this one when it becomes Active (or leaves it, if it
 * fails). Safe to run again: only Active records move.
 */
export async function followActive(record: UploadRecord, deps: SyncDependencies): Promise<void> {
  const { policy } = deps;
  if (policy.onOverwrite !== 'replace' && policy.onDelete !== 'trash') return;
  const current = await deps.objects.current(record.bucket, record.key);
  if (current === undefined) {
    // A rename still in flight may be taking this file over: the deletion's own message decides later.
    if (policy.onDelete === 'trash' && (await renamesInFlight([record], deps.store)) === 0)
      await trashFiles([record], 'Removed', undefined, deps);
    return;
  }
  if (policy.onOverwrite !== 'replace') return;
  const currentId = objectIdOf({ bucket: record.bucket, key: record.key, ...current });
  if (currentId === record.objectId) {
    await trashFiles(await olderActiveVersions(record, deps.store), 'Replaced', replacementOf(record), deps);
    return;
  }
  const newer = await deps.store.get(currentId);
  if (newer?.status === 'Active') await trashFiles([record], 'Replaced', replacementOf(newer), deps);
}

/**
 * The key's other versions that are Active now. The byKey index is eventually consistent, so each
 * candidate is read again from the table: two versions turning Active at the same moment in two
 * handlers then cannot both miss the other (each writes Active before it reads).
 */
async function olderActiveVersions(record: UploadRecord, store: UploadsStore): Promise<UploadRecord[]> {
  const candidates = (await store.findByKey(record.key)).filter(
    (other) =>
      other.bucket === record.bucket &&
      other.objectId !== record.objectId &&
      (other.status === 'Active' || inFlight(other)),
  );
  const fresh = await Promise.all(candidates.map((other) => store.get(other.objectId)));
  return fresh.filter((other): other is UploadRecord => other?.status === 'Active');
}

function replacementOf(record: UploadRecord): Replacement {
  if (record.libraryFileId === undefined) throw new Error(`Record ${record.objectId} is Active without a file id`);
  return { objectId: record.objectId, libraryFileId: record.libraryFileId, ...(record.url ? { url: record.url } : {}) };
}

/**
 * Trashes the files of these Active records (one DELETE for all of them) and ends each record. A file
 * another key's live record names is kept (`trashed: false`). Returns how many records moved.
 */
async function trashFiles(
  records: readonly UploadRecord[],
  status: SyncStatus,
  replacedBy: Replacement | undefined,
  deps: SyncDependencies,
): Promise<number> {
  const decided: { record: UploadRecord; fileId: string; trash: boolean }[] = [];
  for (const record of records) {
    const fileId = record.libraryFileId;
    if (fileId === undefined || fileId === replacedBy?.libraryFileId) continue;
    decided.push({ record, fileId, trash: !(await sharedWithLiveKey(record, fileId, deps.store)) });
  }
  await deleteFiles(
    decided.filter((entry) => entry.trash).map((entry) => entry.fileId),
    deps,
  );
  let moved = 0;
  for (const { record, fileId, trash } of decided) {
    const result = await deps.store.recordSynced(record.objectId, fileId, status, {
      trashed: trash,
      ...(replacedBy === undefined ? {} : { replacedBy }),
    });
    if (!result.applied) continue;
    moved += 1;
    countMetric(METRIC.FilesFinal, 1, { status });
    deps.logger.info(status, {
      objectId: record.objectId,
      objectKey: record.key,
      libraryFileId: fileId,
      trashed: trash,
      ...(replacedBy === undefined ? {} : { replacedByFileId: replacedBy.libraryFileId }),
    });
  }
  return moved;
}

/**
 * Records of other keys with the same bytes (eTag and size) still in flight: a rename's copy that may be
 * moving one of these files with PUT and has not recorded it yet (its answer lost, its worker killed).
 * Trashing the file then would take it from under the new key, which would upload it again.
 */
async function renamesInFlight(records: readonly UploadRecord[], store: UploadsStore): Promise<number> {
  let count = 0;
  for (const record of records) count += (await sameBytesUnderOtherKeys(record, store)).filter(inFlight).length;
  return count;
}

/** Records of other keys of the bucket with the same eTag and size (renames and copies of `ref`). */
async function sameBytesUnderOtherKeys(
  ref: { bucket: string; key: string; eTag?: string | undefined; size?: number | undefined },
  store: UploadsStore,
): Promise<UploadRecord[]> {
  if (ref.eTag === undefined || ref.size === undefined) return [];
  return (await store.findByETag(ref.eTag)).filter(
    (other) => other.bucket === ref.bucket && other.key !== ref.key && other.size === ref.size,
  );
}

/** True when another key's record that is not over names the file (a rename moved it there). */
async function sharedWithLiveKey(record: UploadRecord, fileId: string, store: UploadsStore): Promise<boolean> {
  const named = await store.findByLibraryFileId(fileId);
  return named.some((other) => other.key !== record.key && (other.status === 'Active' || inFlight(other)));
}

/**
 * One DELETE for all ids. The API refuses the whole call with 404 when one id is unknown (already
 * emptied from the Trash): then each id goes alone and the unknown ones count as gone.
 */
async function deleteFiles(fileIds: readonly string[], deps: SyncDependencies): Promise<void> {
  if (fileIds.length === 0) return;
  try {
    await deps.library.deleteFiles(fileIds);
  } catch (error) {
    if (!(error instanceof LibraryNotFoundError)) throw error;
    for (const fileId of fileIds) {
      await deps.library.deleteFile(fileId).catch((single: unknown) => {
        if (!(single instanceof LibraryNotFoundError)) throw single;
      });
    }
  }
}

/**
 * A rename (copy to a new key + delete of the old one): the Active record of another key with the same
 * content (eTag and size) whose key is gone from the bucket. Its file can be moved and renamed with PUT
 * instead of uploading the bytes again, so its hosted URL stays.
 */
export async function findRenamedTwin(
  ref: { bucket: string; key: string; eTag?: string | undefined; size?: number | undefined },
  deps: Pick<SyncDependencies, 'store' | 'objects' | 'policy'>,
): Promise<UploadRecord | undefined> {
  if (deps.policy.onDelete !== 'trash') return undefined;
  const twins = (await sameBytesUnderOtherKeys(ref, deps.store)).filter(
    (other) => other.status === 'Active' && other.libraryFileId !== undefined,
  );
  for (const twin of twins) {
    if ((await deps.objects.current(twin.bucket, twin.key)) === undefined) return twin;
  }
  return undefined;
}
