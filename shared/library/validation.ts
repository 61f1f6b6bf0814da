/**
 * Input checks before any request: what the API would refuse anyway (the limits in docs/library-api.md)
 * and what would make a malformed request (control characters, commas in ids). Failing here costs no
 * request against the limits and makes the cause obvious.
 */
import { LibraryInputError } from './errors.ts';
import { FILE_SOURCES, FILE_TYPES, LIBRARY_LIMITS } from './types.ts';
import type { FileChanges, LibraryCredentials, LibraryOperation, ListFilesOptions, UploadFileInput } from './types.ts';

/** C0 control characters and DEL, optionally allowing some (e.g. tab and newlines in a description). */
function hasControlChars(value: string, allowed: readonly string[] = []): boolean {
  for (const char of value) {
    const code = char.charCodeAt(0);
    if ((code < 0x20 || code === 0x7f) && !allowed.includes(char)) return true;
  }
  return false;
}
const CONTROL_CHARS = { test: (value: string): boolean => hasControlChars(value) };
/** `type/subtype` with optional parameters (control characters are checked apart). */
const MIME_TYPE = /^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*(\s*;.*)?$/;

/** The `sort_by` values the file lists accept. */
export const SORT_ORDERS = [
  'CREATED_DATE',
  'CREATED_DATE_DESC',
  'MODIFIED_DATE',
  'MODIFIED_DATE_DESC',
  'NAME',
  'NAME_DESC',
  'SIZE',
  'SIZE_DESC',
  'DIMENSION',
  'DIMENSION_DESC',
] as const;
const LIST_TYPES = ['ALL', 'IMAGES', 'DOCUMENTS'] as const;

function fail(operation: LibraryOperation, message: string): never {
  throw new LibraryInputError(`${operation}: ${message}`, { operation });
}

function isReadableLike(value: unknown): value is NodeJS.ReadableStream {
  return (
    value !== null &&
    typeof value === 'object' &&
    typeof (value as { pipe?: unknown }).pipe === 'function' &&
    typeof (value as { on?: unknown }).on === 'function'
  );
}

/** Checks a credentials pair from the provider; returns it with surrounding whitespace trimmed. */
export function validateCredentials(
  operation: LibraryOperation,
  credentials: LibraryCredentials | null | undefined,
): LibraryCredentials {
  if (credentials === null || typeof credentials !== 'object')
    fail(operation, 'the credentials provider returned no credentials');
  const { apiKey, accessToken } = credentials;
  if (typeof apiKey !== 'string' || apiKey.trim() === '') fail(operation, 'the credentials have no apiKey');
  if (typeof accessToken !== 'string' || accessToken.trim() === '')
    fail(operation, 'the credentials have no accessToken');
  const trimmedKey = apiKey.trim();
  const trimmedToken = accessToken.trim();
  // Never quote the values: they are secrets.
  if (CONTROL_CHARS.test(trimmedKey)) fail(operation, 'the apiKey contains control characters');
  if (CONTROL_CHARS.test(trimmedToken) || /\s/.test(trimmedToken))
    fail(operation, 'the accessToken contains whitespace or control characters');
  return { apiKey: trimmedKey, accessToken: trimmedToken };
}

/** A path id (file or folder): non-empty, no control characters. Encoded by the caller. */
export function validateId(operation: LibraryOperation, what: string, id: unknown): string {
  if (typeof id !== 'string' || id.trim() === '') fail(operation, `${what} must be a non-empty string`);
  if (CONTROL_CHARS.test(id)) fail(operation, `${what} contains control characters`);
  return id;
}

/** Upload-status ids: each non-empty, without commas (the separator) or control characters. */
export function validateStatusIds(fileIds: readonly unknown[]): string[] {
  if (!Array.isArray(fileIds)) fail('getUploadStatus', 'fileIds must be an array');
  return fileIds.map((id, index) => {
    if (typeof id !== 'string' || id.trim() === '')
      fail('getUploadStatus', `fileIds[${index}] must be a non-empty string`);
    if (id.includes(',')) fail('getUploadStatus', `fileIds[${index}] contains a comma (the ids separator)`);
    if (CONTROL_CHARS.test(id) || /\s/.test(id))
      fail('getUploadStatus', `fileIds[${index}] contains whitespace or control characters`);
    return id;
  });
}

/** The upload's metadata and stream, checked against the documented limits. */
export function validateUploadInput(input: UploadFileInput): void {
  const op = 'uploadFile';
  if (input === null || typeof input !== 'object') fail(op, 'input is missing');
  const { fileName, folderId, description, fileType, source, contentType, data, size } = input;

  if (typeof fileName !== 'string' || fileName.trim() === '') fail(op, 'fileName is missing');
  // UTF-16 length: never shorter than the code-point count, so both readings of "string(80)" hold.
  if (fileName.length > LIBRARY_LIMITS.fileNameMaxLength)
    fail(op, `fileName is ${fileName.length} characters long (at most ${LIBRARY_LIMITS.fileNameMaxLength})`);
  if (CONTROL_CHARS.test(fileName)) fail(op, 'fileName contains control characters');

  if (typeof description !== 'string') fail(op, 'description must be a string');
  if (description.length > LIBRARY_LIMITS.descriptionMaxLength)
    fail(op, `description is ${description.length} characters long (at most ${LIBRARY_LIMITS.descriptionMaxLength})`);
  if (hasControlChars(description, ['\t', '\n', '\r'])) fail(op, 'description contains control characters');

  if (typeof folderId !== 'string' || folderId.trim() === '') fail(op, 'folderId is missing (use "0" for the root)');
  if (CONTROL_CHARS.test(folderId)) fail(op, 'folderId contains control characters');

  if (!(FILE_TYPES as readonly string[]).includes(fileType))
    fail(op, `fileType ${JSON.stringify(String(fileType)).slice(0, 40)} is not one of ${FILE_TYPES.join(', ')}`);
  if (source !== undefined && !(FILE_SOURCES as readonly string[]).includes(source))
    fail(op, `source ${JSON.stringify(String(source)).slice(0, 40)} is not one of ${FILE_SOURCES.join(', ')}`);

  if (typeof contentType !== 'string' || !MIME_TYPE.test(contentType) || hasControlChars(contentType))
    fail(op, 'contentType must be a MIME type such as image/png');

  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0)
    fail(op, `size must be a non-negative integer (got ${String(size).slice(0, 30)})`);

  if (!isReadableLike(data)) fail(op, 'data must be a readable stream');
  const state = data as { destroyed?: boolean; readableEnded?: boolean; readableDidRead?: boolean };
  if (state.destroyed === true) fail(op, 'data stream is already destroyed');
  if (state.readableEnded === true) fail(op, 'data stream has already ended');
}

/** `limit` 1-1000 and the documented enumerations; `next` must be a non-empty string if given. */
export function validateListOptions(operation: LibraryOperation, options: ListFilesOptions): void {
  const { limit, sortBy, type, source, next } = options;
  if (
    limit !== undefined &&
    (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > LIBRARY_LIMITS.listLimitMax)
  ) {
    fail(
      operation,
      `limit must be an integer from 1 to ${LIBRARY_LIMITS.listLimitMax} (got ${String(limit).slice(0, 30)})`,
    );
  }
  if (sortBy !== undefined && !(SORT_ORDERS as readonly string[]).includes(sortBy))
    fail(operation, `sortBy must be one of ${SORT_ORDERS.join(', ')}`);
  if (type !== undefined && !(LIST_TYPES as readonly string[]).includes(type))
    fail(operation, `type must be one of ${LIST_TYPES.join(', ')}`);
  if (source !== undefined && source !== 'ALL' && !(FILE_SOURCES as readonly string[]).includes(source))
    fail(operation, `source must be ALL or one of ${FILE_SOURCES.join(', ')}`);
  if (next !== undefined && (typeof next !== 'string' || next.trim() === '' || CONTROL_CHARS.test(next)))
    fail(operation, 'next must be a next_link from a previous page');
}

/** A new folder's name: non-empty, at most 80 characters. */
export function validateFolderName(name: unknown): string {
  if (typeof name !== 'string' || name.trim() === '') fail('createFolder', 'name is missing');
  if (name.length > LIBRARY_LIMITS.folderNameMaxLength)
    fail('createFolder', `name is ${name.length} characters long (at most ${LIBRARY_LIMITS.folderNameMaxLength})`);
  if (CONTROL_CHARS.test(name)) fail('createFolder', 'name contains control characters');
  return name;
}

/** The PUT body of `updateFile`: at least one field, each within the API's limits. */
export function validateFileChanges(changes: FileChanges): Record<string, string> {
  const body: Record<string, string> = {};
  if (changes.name !== undefined) {
    if (changes.name.trim() === '') fail('updateFile', 'name is empty');
    if (changes.name.length > LIBRARY_LIMITS.fileNameMaxLength)
      fail(
        'updateFile',
        `name is ${changes.name.length} characters long (at most ${LIBRARY_LIMITS.fileNameMaxLength})`,
      );
    body['name'] = changes.name;
  }
  if (changes.description !== undefined) {
    if (changes.description.length > LIBRARY_LIMITS.descriptionMaxLength)
      fail('updateFile', `description is longer than ${LIBRARY_LIMITS.descriptionMaxLength} characters`);
    body['description'] = changes.description;
  }
  if (changes.folderId !== undefined) body['folder_id'] = validateId('updateFile', 'folderId', changes.folderId);
  if (Object.values(body).some((value) => CONTROL_CHARS.test(value)))
    fail('updateFile', 'a field contains control characters');
  if (Object.keys(body).length === 0) fail('updateFile', 'nothing to change');
  return body;
}
