/**
 * The closed set of `detail.reason.errorKey` values, per detail-type. Consumers branch on these keys, so
 * the set is part of the contract: the JSON Schema enumerates the same keys (a test holds them equal),
 * and a test proves every key the pipeline's code can record is listed here. A new key is an additive
 * change (version 1 stays); removing or renaming one is breaking.
 *
 * Besides its own keys, the pipeline may pass the library API's `error_key` through, always in one
 * form: `api.` followed by the API's key (`api.file.storage.exceeded`), so it can never collide with a
 * pipeline key and a rule can select all of them with `{"prefix": "api."}`.
 */
import type { DetailType } from './contract.ts';

/** Whether running the same object version through the pipeline again (`ops retry`) can help. */
export type RetryAdvice =
  /** It may well succeed: the cause was on the library's side or transient. */
  | 'yes'
  /** Only once the cause is fixed outside the pipeline (an account limit, the library's storage). */
  | 'after-fix'
  /** The same bytes get the same answer: upload a corrected file (a new S3 object version). */
  | 'no';

/** What a key means, with which statuses it comes, and whether a retry can help. */
export interface ErrorKeyInfo {
  readonly statuses: readonly string[];
  readonly meaning: string;
  readonly retry: RetryAdvice;
}

/** The pipeline's own error keys, by the detail-type that carries them. */
export const ERROR_KEYS = {
  'Library File Failed': {
    'virus-found': {
      statuses: ['VirusFound'],
      meaning: "The library's virus scan found malware in the file.",
      retry: 'no',
    },
    'library-failed': {
      statuses: ['Failed'],
      meaning: 'The library accepted the upload but could not process it (the message carries its description).',
      retry: 'yes',
    },
    'not-found-in-library': {
      statuses: ['Failed'],
      meaning: 'The library stopped reporting any status for the file id it had returned.',
      retry: 'yes',
    },
    deleted: {
      statuses: ['Deleted'],
      meaning: 'The file was deleted from the library before it became usable.',
      retry: 'yes',
    },
    'timed-out': {
      statuses: ['TimedOut'],
      meaning: "The library did not report a final status within the stage's maximum wait.",
      retry: 'yes',
    },
  },
  'Library File Rejected': {
    'unsupported-type': {
      statuses: ['Rejected'],
      meaning: "The key's extension is not a type the library accepts.",
      retry: 'no',
    },
    'content-mismatch': {
      statuses: ['Rejected'],
      meaning: "The file's first bytes are not of the type its extension claims (a .png that is not a PNG).",
      retry: 'no',
    },
    'empty-file': { statuses: ['Rejected'], meaning: 'The object has 0 bytes.', retry: 'no' },
    'too-large': {
      statuses: ['Rejected'],
      meaning: "The file is larger than the account's maximum upload size.",
      retry: 'after-fix',
    },
    'object-missing': {
      statuses: ['Rejected'],
      meaning: 'The object version was deleted from the bucket before it could be read.',
      retry: 'no',
    },
    'object-changed': {
      statuses: ['Rejected'],
      meaning: 'The object changed while it was read; the new version is handled on its own.',
      retry: 'no',
    },
    'library-refused': {
      statuses: ['Rejected'],
      meaning:
        "The library refused the upload with a validation error (the message names the API's error_key); a metadata or storage problem.",
      retry: 'after-fix',
    },
    rejected: {
      statuses: ['Rejected'],
      meaning: 'Refused before upload, but the record kept no specific reason (not expected: report it).',
      retry: 'no',
    },
  },
} as const satisfies Partial<Record<DetailType, Record<string, ErrorKeyInfo>>>;

/** The detail-types whose events carry a `reason`. */
export type DetailTypeWithReason = keyof typeof ERROR_KEYS;

/** The prefix of a key passed through from the library API. */
export const API_ERROR_KEY_PREFIX = 'api.';

/** The one form of a passed-through API key: `api.` and the API's dotted lower-case `error_key`. */
export const API_ERROR_KEY_PATTERN = '^api\\.[a-z0-9_]+(\\.[a-z0-9_]+)*$';

/** A key passed through from the library API. */
export type ApiErrorKey = `api.${string}`;

/** The error keys one detail-type may carry. */
export type ErrorKeyOf<T extends DetailTypeWithReason> =
  (T extends DetailTypeWithReason ? keyof (typeof ERROR_KEYS)[T] & string : never) | ApiErrorKey;

/** Every error key any event may carry. */
export type ErrorKey = ErrorKeyOf<DetailTypeWithReason>;

/** The pipeline's own keys for a detail-type (not the API form). */
export function pipelineErrorKeys(detailType: DetailTypeWithReason): string[] {
  return Object.keys(ERROR_KEYS[detailType]);
}

/** True when `key` is one a `detailType` event may carry. */
export function isErrorKeyOf(detailType: DetailTypeWithReason, key: string): boolean {
  return Object.hasOwn(ERROR_KEYS[detailType], key) || new RegExp(API_ERROR_KEY_PATTERN).test(key);
}
