/**
 * The v2 error body, `[{"error_key": "...", "error_message": "..."}]`, and the keys the sandbox uses.
 *
 * The vendor documents the shape and the two throttling keys, but not the keys of the validation
 * errors of these endpoints. The sandbox uses the vendor's naming style (`json.*` for field problems,
 * `http.status.*` for transport-level answers) so clients learn to branch on the HTTP status and the
 * mashery keys only, and to treat every other key as opaque text worth logging.
 */

/** One element of the vendor's error array. */
export interface ApiErrorBody {
  error_key: string;
  error_message: string;
}

/** Every error_key the sandbox can send, by situation. */
export const ERROR_KEYS = {
  /** A required field or multipart part is absent (e.g. `folder_id` when a client sent `folderId`). */
  fieldRequired: 'json.field.required',
  /** A value outside its allowed set: file_type, source, folder_id, parent_id, empty data… */
  fieldInvalid: 'json.field.invalid',
  /** A multipart part or JSON property the endpoint does not know (e.g. `folderId`). */
  fieldUnknown: 'json.field.unknown',
  /** description over 100, name over 80, folder name over 80. */
  maxLength: 'json.max.length.violation',
  /** JSON body that does not parse, or a multipart body that does not parse. */
  payloadMalformed: 'json.payload.malformed',
  /** File bigger than the account's max_upload_size_limit. */
  fileSizeExceeded: 'file.size.exceeded',
  /** Account storage (max_premium_space_limit) would be exceeded. */
  storageExceeded: 'file.storage.exceeded',
  /** A folder would be nested deeper than 3 levels. */
  folderDepthExceeded: 'folder.depth.exceeded',
  /** A folder with that name already exists under that parent. */
  folderNameDuplicate: 'folder.name.duplicate',
  /** A query parameter out of range: limit, sort_by, type, source, next. */
  queryParamInvalid: 'query.param.invalid',
  unauthorized: 'http.status.unauthorized',
  /** A valid pair without the privileges (credential pair option `forbidden`). */
  forbidden: 'http.status.forbidden',
  notFound: 'http.status.not_found',
  methodNotAllowed: 'http.status.method_not_allowed',
  notAcceptable: 'http.status.not_acceptable',
  unsupportedMediaType: 'http.status.unsupported_media_type',
  internalServerError: 'http.status.internal_server_error',
  serviceUnavailable: 'http.status.service_unavailable',
  /** Documented by the vendor's staff: per-second limit (HTTP 403). */
  overQps: 'mashery.not.authorized.over.qps',
  /** Documented by the vendor's staff: daily limit (HTTP 403). */
  overRateLimit: 'mashery.not.authorized.over.ratelimit',
} as const;

/** One of the vendor's `error_key` values the sandbox answers with. */
export type ErrorKey = (typeof ERROR_KEYS)[keyof typeof ERROR_KEYS];

/** An error body element. */
export function apiError(errorKey: ErrorKey, errorMessage: string): ApiErrorBody {
  return { error_key: errorKey, error_message: errorMessage };
}
