/**
 * Why a file cannot be uploaded. A rejection is final: the version is recorded as `Rejected` with the
 * key below and a message a person can act on, and it is never retried (retrying cannot change the
 * outcome; a corrected file is a new S3 version with its own notification).
 */
import type { LibraryFileType } from '../library/types.ts';
import { FILE_TYPES } from '../library/types.ts';
import { contentMatchesType, detectContentFamily, expectedFamilyOf, libraryFileTypeOf } from './file-types.ts';

/** Every reason a file is rejected: the record's and the event's `errorKey`. */
export const REJECTION_KEYS = [
  'unsupported-type',
  'empty-file',
  'too-large',
  'content-mismatch',
  'object-missing',
  'object-changed',
  'outside-prefix',
  'library-refused',
] as const;
/** One rejection reason. */
export type RejectionKey = (typeof REJECTION_KEYS)[number];

/** A rejection as recorded: the reason and a message a person can act on. */
export interface Rejection {
  errorKey: RejectionKey;
  errorMessage: string;
}

/** A check's result: the checked value or the rejection. */
export type Check<T> = { ok: true; value: T } | { ok: false; rejection: Rejection };

const reject = (errorKey: RejectionKey, errorMessage: string): { ok: false; rejection: Rejection } => ({
  ok: false,
  rejection: { errorKey, errorMessage },
});

/** The API's `file_type` for the name, from its extension (case-insensitive). */
export function checkFileType(fileName: string): Check<LibraryFileType> {
  const fileType = libraryFileTypeOf(fileName);
  if (fileType === undefined) {
    return reject(
      'unsupported-type',
      `"${fileName}" is not a type the library accepts (${FILE_TYPES.map((t) => t.toLowerCase()).join(', ')}).`,
    );
  }
  return { ok: true, value: fileType };
}

/** Not empty: checked before the size limit, which costs a library request the first time. */
export function checkNotEmpty(size: number): Check<number> {
  return size <= 0 ? reject('empty-file', 'The file is empty (0 bytes).') : { ok: true, value: size };
}

/** Not empty and not over the account's `max_upload_size_limit`. */
export function checkSize(size: number, maxUploadSize: number): Check<number> {
  if (size <= 0) return reject('empty-file', 'The file is empty (0 bytes).');
  if (size > maxUploadSize) {
    return reject(
      'too-large',
      `The file has ${size} bytes; the library accepts at most ${maxUploadSize} bytes per file.`,
    );
  }
  return { ok: true, value: size };
}

/** The first bytes must be what the extension claims. */
export function checkContent(fileType: LibraryFileType, head: Uint8Array): Check<LibraryFileType> {
  if (contentMatchesType(fileType, head)) return { ok: true, value: fileType };
  const found = detectContentFamily(head);
  return reject(
    'content-mismatch',
    `The file is named as ${fileType} but its content ${found === 'UNKNOWN' ? 'is not a recognised format' : `looks like ${found}`} (expected ${expectedFamilyOf(fileType)}).`,
  );
}
