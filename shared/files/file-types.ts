/**
 * Which files the library accepts, how to name their type to the API, and how to tell from the first
 * bytes whether the content is what the extension claims.
 *
 * The library checks content itself (a PNG that is really a JPEG ends up `Failed` after the upload);
 * checking here first turns that into an immediate, explained `Rejected content-mismatch` and saves
 * the upload and the status checks.
 */
import { FILE_TYPES, type LibraryFileType } from '../library/types.ts';

/** The content type sent with each library file type. */
export const CONTENT_TYPES: Readonly<Record<LibraryFileType, string>> = {
  JPEG: 'image/jpeg',
  JPG: 'image/jpeg',
  GIF: 'image/gif',
  PNG: 'image/png',
  PDF: 'application/pdf',
  DOC: 'application/msword',
  DOCX: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  XLS: 'application/vnd.ms-excel',
  XLSX: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  PPT: 'application/vnd.ms-powerpoint',
  PPTX: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
};

/** The container format the leading bytes announce. Office "x" formats are zip, the old ones OLE2. */
export type ContentFamily = 'PNG' | 'JPEG' | 'GIF' | 'PDF' | 'ZIP' | 'OLE' | 'UNKNOWN';

const EXPECTED_FAMILY: Readonly<Record<LibraryFileType, ContentFamily>> = {
  PNG: 'PNG',
  JPEG: 'JPEG',
  JPG: 'JPEG',
  GIF: 'GIF',
  PDF: 'PDF',
  DOCX: 'ZIP',
  XLSX: 'ZIP',
  PPTX: 'ZIP',
  DOC: 'OLE',
  XLS: 'OLE',
  PPT: 'OLE',
};

/** How many leading bytes `detectContentFamily` needs (read with a ranged GET). */
export const MAGIC_BYTES_LENGTH = 16;

/** The file's extension (after the last dot), upper-cased; undefined without one. */
export function extensionOf(fileName: string): string | undefined {
  const dot = fileName.lastIndexOf('.');
  if (dot <= 0 || dot === fileName.length - 1) return undefined;
  return fileName.slice(dot + 1).toUpperCase();
}

/** The API's `file_type` for a file name (case-insensitive), or undefined when not accepted. */
export function libraryFileTypeOf(fileName: string): LibraryFileType | undefined {
  const extension = extensionOf(fileName);
  return extension !== undefined && (FILE_TYPES as readonly string[]).includes(extension)
    ? (extension as LibraryFileType)
    : undefined;
}

/** The format the first bytes show. */
export function detectContentFamily(head: Uint8Array): ContentFamily {
  const starts = (bytes: readonly number[]): boolean =>
    head.length >= bytes.length && bytes.every((b, i) => head[i] === b);
  const ascii = (length: number): string => Buffer.from(head.subarray(0, length)).toString('latin1');
  if (starts([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'PNG';
  if (starts([0xff, 0xd8, 0xff])) return 'JPEG';
  if (ascii(6) === 'GIF87a' || ascii(6) === 'GIF89a') return 'GIF';
  if (ascii(4) === '%PDF') return 'PDF';
  if (starts([0x50, 0x4b, 0x03, 0x04])) return 'ZIP';
  if (starts([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])) return 'OLE';
  return 'UNKNOWN';
}

/** True when the first bytes are what `fileType` claims. */
export function contentMatchesType(fileType: LibraryFileType, head: Uint8Array): boolean {
  return detectContentFamily(head) === EXPECTED_FAMILY[fileType];
}

/** The format a library file type's content must have. */
export function expectedFamilyOf(fileType: LibraryFileType): ContentFamily {
  return EXPECTED_FAMILY[fileType];
}
