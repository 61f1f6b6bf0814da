/**
 * After an upload whose answer was lost (a crash after the POST, a reset connection, a time-out after
 * the body was sent), the file may already be in the library. Posting again would make a second copy,
 * so the next attempt looks first and adopts what it finds.
 *
 * The search: the library's most recent files (CREATED_DATE_DESC, large pages), newest first, back to
 * shortly before our first attempt; a file matches on name and size (and folder, when both sides know
 * it). A match already recorded for another object version is skipped: it is that version's copy.
 */
import type { LibraryClient, LibraryFile } from '../library/types.ts';

/** The file an earlier POST of a record may have created, and the record it belongs to. */
export interface CopyToFind {
  objectId: string;
  fileName: string;
  size: number;
  folderId?: string;
  /** ISO time of our first claim: files created well before it cannot be ours. */
  claimedAt: string;
}

/** Paging of the search (tests use small pages). */
export interface FindCopyOptions {
  pageSize?: number;
  maxPages?: number;
  /** Clock skew between us and the library (default 10 minutes). */
  skewMs?: number;
}

/** The newest library file that matches and is not claimed by another version, searching back to shortly before the claim. */
export async function findUploadedCopy(
  library: Pick<LibraryClient, 'listFiles'>,
  isClaimedElsewhere: (libraryFileId: string) => Promise<boolean>,
  wanted: CopyToFind,
  options: FindCopyOptions = {},
): Promise<LibraryFile | undefined> {
  const pageSize = options.pageSize ?? 200;
  const maxPages = options.maxPages ?? 5;
  const notBefore = Date.parse(wanted.claimedAt) - (options.skewMs ?? 10 * 60_000);
  let next: string | undefined;
  for (let page = 0; page < maxPages; page++) {
    const result = await library.listFiles({
      sortBy: 'CREATED_DATE_DESC',
      limit: pageSize,
      ...(next === undefined ? {} : { next }),
    });
    for (const file of result.results) {
      if (matches(file, wanted) && !(await isClaimedElsewhere(file.id))) return file;
    }
    const oldest = result.results.at(-1)?.createdDate;
    if (oldest !== undefined && Number.isFinite(Date.parse(oldest)) && Date.parse(oldest) < notBefore) return undefined;
    next = result.nextLink;
    if (next === undefined) return undefined;
  }
  return undefined;
}

function matches(file: LibraryFile, wanted: CopyToFind): boolean {
  if (file.name !== wanted.fileName) return false;
  if (file.size !== undefined && file.size !== wanted.size) return false;
  const sameFolder =
    wanted.folderId === undefined ||
    wanted.folderId === '0' ||
    file.folderId === undefined ||
    file.folderId === wanted.folderId;
  return sameFolder;
}
