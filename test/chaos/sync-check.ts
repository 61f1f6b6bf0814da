/**
 * "The library follows the bucket", checked at the end of a fault run: the bucket's live keys against
 * the library's live files (not in the Trash). Pure, so a crafted wrong state can be shown to fail it.
 *
 * Library files are matched to keys by name (the last key segment; the run's names are unique per
 * key) and by the file ids the records hold, so a file the pipeline uploaded without recording it is
 * seen too.
 */
import type { UploadRecord } from '../../shared/record/upload-record.ts';
import type { LibraryCopy } from './copies.ts';

/** What the bucket holds at the end: each live key's last written bytes, and the keys deleted. */
export interface BucketTruth {
  live: ReadonlyMap<string, { eTag: string; expected: string }>;
  gone: ReadonlySet<string>;
}

/** Broken sync promises, each a list of keys or file ids (all empty = the library follows the bucket). */
export interface SyncFindings {
  /** Live keys whose latest version is not Active with exactly that one live library file. */
  liveWithoutItsFile: string[];
  /** Live keys with more than one live library file of their name (or one where none is expected). */
  liveWithExtraFiles: string[];
  /** Deleted keys still with a live library file or an Active record. */
  goneWithFile: string[];
  /** Files put into the library by someone else that are no longer live. */
  foreignNotLive: string[];
  /** Trashed library files that no record names (deleted although the pipeline did not upload them). */
  trashedNotOurs: string[];
}

/** Library statuses of a file that is in the library and not in the Trash. */
export const LIVE_STATUSES: ReadonlySet<string> = new Set(['Active', 'Processing', 'Uploaded']);

const baseName = (key: string): string => key.slice(key.lastIndexOf('/') + 1);

/** Compares the bucket's live keys and deletions with the library's files and the records. */
export function checkSync(
  truth: BucketTruth,
  records: readonly UploadRecord[],
  libraryFiles: readonly LibraryCopy[],
  foreignIds: readonly string[],
): SyncFindings {
  const foreign = new Set(foreignIds);
  const live = libraryFiles.filter((f) => LIVE_STATUSES.has(f.status) && !foreign.has(f.id));
  const liveByName = (key: string): string[] => live.filter((f) => f.name === baseName(key)).map((f) => f.id);
  const liveIds = new Set(live.map((f) => f.id));
  const findings: SyncFindings = {
    liveWithoutItsFile: [],
    liveWithExtraFiles: [],
    goneWithFile: [],
    foreignNotLive: [],
    trashedNotOurs: [],
  };
  for (const [key, { eTag, expected }] of truth.live) {
    const named = liveByName(key);
    if (expected !== 'Active') {
      if (named.length > 0) findings.liveWithExtraFiles.push(key);
      continue;
    }
    const latest = records.find((r) => r.key === key && r.eTag === eTag);
    const fileId = latest?.status === 'Active' ? latest.libraryFileId : undefined;
    if (fileId === undefined || !liveIds.has(fileId)) findings.liveWithoutItsFile.push(key);
    if (named.filter((id) => id !== fileId).length > 0) findings.liveWithExtraFiles.push(key);
  }
  for (const key of truth.gone) {
    const activeRecord = records.some((r) => r.key === key && r.status === 'Active');
    if (activeRecord || liveByName(key).length > 0) findings.goneWithFile.push(key);
  }
  const byId = new Map(libraryFiles.map((f) => [f.id, f]));
  findings.foreignNotLive = foreignIds.filter((id) => !LIVE_STATUSES.has(byId.get(id)?.status ?? 'missing'));
  const recorded = new Set(records.map((r) => r.libraryFileId).filter((id) => id !== undefined));
  findings.trashedNotOurs = libraryFiles.filter((f) => f.status === 'Deleted' && !recorded.has(f.id)).map((f) => f.id);
  return findings;
}

/** The findings as verdict lines (empty when every sync promise holds). */
export function syncProblems(findings: SyncFindings): string[] {
  const lines: Array<[keyof SyncFindings, string]> = [
    ['liveWithoutItsFile', 'live keys without their latest version’s live library file'],
    ['liveWithExtraFiles', 'live keys with a second live library file'],
    ['goneWithFile', 'deleted keys with a live library file or Active record'],
    ['foreignNotLive', 'files uploaded by someone else no longer live'],
    ['trashedNotOurs', 'trashed files no record names'],
  ];
  return lines
    .filter(([field]) => findings[field].length > 0)
    .map(([field, what]) => `${findings[field].length} ${what}: ${findings[field].slice(0, 5).join(', ')}`);
}
