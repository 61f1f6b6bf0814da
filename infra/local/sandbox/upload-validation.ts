/**
 * The checks POST /library/files makes before accepting a file, each answered 400 with the vendor's
 * error body. All problems are reported at once (one entry per problem), like the vendor's validation.
 *
 * Every documented part is required: `file_name`, `folder_id`, `description` (may be empty), `source`,
 * `file_type`, `data`. Parts the endpoint does not know are refused, which is what catches the SDK bug
 * that sent `folderId` instead of `folder_id`. `source` is matched without regard to case (the vendor's
 * own Java example sends `MYCOMPUTER`); `file_type` must be one of the upper-case values.
 */
import { FILE_SOURCES, FILE_TYPES, LIMITS } from './vendor-facts.ts';
import { ERROR_KEYS, apiError, type ApiErrorBody } from './error-bodies.ts';
import { ROOT_FOLDER_IDS, type FolderTree } from './folder-tree.ts';
import type { ParsedUpload, ReceivedData } from './multipart.ts';
import type { LimitOptions, QuirkOptions } from './options.ts';

/** The multipart upload's parts. */
export const UPLOAD_PARTS = ['file_name', 'folder_id', 'description', 'source', 'file_type', 'data'] as const;

/** An upload whose fields passed. */
export interface ValidUpload {
  name: string;
  /** undefined for the root. */
  folderId: string | undefined;
  description: string;
  source: string;
  fileType: string;
  data: ReceivedData;
}

/** What validation checks against: folders, limits, quirks. */
export interface ValidationContext {
  folders: FolderTree;
  limits: LimitOptions;
  quirks: QuirkOptions;
  /** Bytes already used by live files (for the account storage limit). */
  bytesUsed: number;
}

/** Checks an upload's fields as the vendor does; the valid upload or every error found. */
export function validateUpload(
  parsed: ParsedUpload,
  context: ValidationContext,
): { ok: true; upload: ValidUpload } | { ok: false; errors: ApiErrorBody[] } {
  const errors: ApiErrorBody[] = [];
  const known = new Set<string>(UPLOAD_PARTS);
  for (const name of parsed.fields.keys()) {
    if (!known.has(name)) errors.push(apiError(ERROR_KEYS.fieldUnknown, `Unknown multipart part: ${name}.`));
  }
  const single = (name: string): string | undefined => {
    const values = parsed.fields.get(name);
    if (values === undefined || values.length === 0) {
      errors.push(apiError(ERROR_KEYS.fieldRequired, `${name} is required.`));
      return undefined;
    }
    if (values.length > 1) errors.push(apiError(ERROR_KEYS.fieldInvalid, `${name} was sent more than once.`));
    return values[0];
  };

  const name = single('file_name');
  if (name !== undefined) {
    if (name.trim() === '') errors.push(apiError(ERROR_KEYS.fieldRequired, 'file_name must not be empty.'));
    else if (name.length > LIMITS.fileNameMaxLength) {
      errors.push(
        apiError(ERROR_KEYS.maxLength, `file_name exceeds the maximum length of ${LIMITS.fileNameMaxLength}.`),
      );
    }
  }

  const description = single('description');
  if (description !== undefined && description.length > LIMITS.descriptionMaxLength) {
    errors.push(
      apiError(ERROR_KEYS.maxLength, `description exceeds the maximum length of ${LIMITS.descriptionMaxLength}.`),
    );
  }

  const sourceInput = single('source');
  const source =
    sourceInput === undefined
      ? undefined
      : FILE_SOURCES.find((value) => value.toLowerCase() === sourceInput.trim().toLowerCase());
  if (sourceInput !== undefined && source === undefined) {
    errors.push(apiError(ERROR_KEYS.fieldInvalid, `source ${sourceInput} is not one of ${FILE_SOURCES.join(', ')}.`));
  }

  const fileType = single('file_type');
  if (fileType !== undefined && !(FILE_TYPES as readonly string[]).includes(fileType)) {
    errors.push(
      apiError(ERROR_KEYS.fieldInvalid, `file_type ${fileType} is not supported; use one of ${FILE_TYPES.join(', ')}.`),
    );
  }

  const folderInput = single('folder_id');
  let folderId: string | undefined;
  if (folderInput !== undefined) {
    const trimmed = folderInput.trim();
    const rootAllowed = !context.quirks.rootOnlyWithoutFolders || context.folders.size === 0;
    if (ROOT_FOLDER_IDS.has(trimmed) && rootAllowed) folderId = undefined;
    else if (context.folders.get(trimmed) !== undefined) folderId = trimmed;
    else errors.push(apiError(ERROR_KEYS.fieldInvalid, `folder_id ${folderInput} does not match any folder.`));
  }

  const data = parsed.data[0];
  if (data === undefined) errors.push(apiError(ERROR_KEYS.fieldRequired, 'data is required.'));
  else {
    if (parsed.data.length > 1) errors.push(apiError(ERROR_KEYS.fieldInvalid, 'data was sent more than once.'));
    if (data.size === 0) errors.push(apiError(ERROR_KEYS.fieldInvalid, 'data is empty.'));
    else if (data.oversized) {
      errors.push(
        apiError(
          ERROR_KEYS.fileSizeExceeded,
          `The file exceeds the maximum upload size of ${context.limits.maxUploadSize} bytes.`,
        ),
      );
    } else if (context.bytesUsed + data.size > context.limits.maxTotalBytes) {
      errors.push(apiError(ERROR_KEYS.storageExceeded, 'The file does not fit in the remaining library storage.'));
    }
  }

  if (
    errors.length > 0 ||
    name === undefined ||
    description === undefined ||
    source === undefined ||
    fileType === undefined ||
    data === undefined
  ) {
    return { ok: false, errors };
  }
  return { ok: true, upload: { name, folderId, description, source, fileType, data } };
}
