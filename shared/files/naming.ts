/**
 * The name and description a file gets in the library.
 *
 * Rules (documented in docs/pipeline.md):
 * - name: the last segment of the S3 key. Longer than the API's 80 characters → the base is shortened
 *   (ending in `…`) and the extension kept, so the type stays recognisable: never rejected for length.
 * - description: the object's `description` metadata when present, otherwise derived from the file
 *   name (extension dropped, `_` and `-` turned into spaces). Longer than 100 characters → cut to 99
 *   and ended with `…`. Control characters become spaces.
 * Lengths are counted in UTF-16 code units, as the API (a Java service) counts them, and a cut never
 * splits a surrogate pair.
 */
import { LIBRARY_LIMITS } from '../library/types.ts';

const ELLIPSIS = '…';

/** The last path segment of a key: the file name. */
export function fileNameOfKey(key: string): string {
  const slash = key.lastIndexOf('/');
  return slash === -1 ? key : key.slice(slash + 1);
}

/** The library name for a key: its last segment, cleaned, shortened to the limit with the extension kept. */
export function libraryFileName(key: string, maxLength: number = LIBRARY_LIMITS.fileNameMaxLength): string {
  const name = cleanText(fileNameOfKey(key));
  if (name.length <= maxLength) return name;
  const dot = name.lastIndexOf('.');
  const extension = dot > 0 && name.length - dot <= 16 ? name.slice(dot) : '';
  const base = extension === '' ? name : name.slice(0, dot);
  return cut(base, maxLength - extension.length - ELLIPSIS.length) + ELLIPSIS + extension;
}

/** The metadata description or one derived from the file name, cleaned and shortened to the limit. */
export function libraryDescription(
  metadataDescription: string | undefined,
  fileName: string,
  maxLength: number = LIBRARY_LIMITS.descriptionMaxLength,
): string {
  const given = metadataDescription === undefined ? '' : cleanText(metadataDescription);
  const text = given !== '' ? given : describeFileName(fileName);
  return truncate(text, maxLength);
}

/** "summer_poster-2026.png" → "summer poster 2026". */
export function describeFileName(fileName: string): string {
  const dot = fileName.lastIndexOf('.');
  const base = dot > 0 ? fileName.slice(0, dot) : fileName;
  const words = base.replace(/[_-]+/g, ' ').replace(/\s+/g, ' ').trim();
  return words === '' ? fileName : words;
}

/** Cuts to `maxLength` code units, ending with an ellipsis when anything was dropped. */
export function truncate(text: string, maxLength: number): string {
  if (text.length <= maxLength) return text;
  return cut(text, maxLength - ELLIPSIS.length).trimEnd() + ELLIPSIS;
}

function cut(text: string, length: number): string {
  if (length <= 0) return '';
  let end = Math.min(length, text.length);
  // Do not leave the high half of a surrogate pair behind.
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return text.slice(0, end);
}

/** Control characters (newlines from metadata, NUL in keys) become spaces; the ends are trimmed. */
function cleanText(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
}
