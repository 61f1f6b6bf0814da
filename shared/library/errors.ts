/**
 * Typed errors of the MyLibrary client: callers branch on the class (or `kind`), never on message text.
 * Each answers `retryable` (may the same request succeed later?) and `mayHaveReachedServer` (could the
 * API have acted on it, e.g. created the file?). Messages never contain credentials.
 */
import type { LibraryOperation } from './types.ts';

/** One entry of the API's error body. */
export interface ApiErrorEntry {
  errorKey: string;
  errorMessage: string;
}

/** The error classes as a string, for logs and metrics. */
export type LibraryErrorKind =
  | 'input'
  | 'validation'
  | 'unauthorized'
  | 'throttled'
  | 'forbidden'
  | 'not-found'
  | 'server'
  | 'timeout'
  | 'network'
  | 'protocol'
  | 'source';

/** What every library error carries besides its message. */
export interface LibraryErrorDetails {
  operation: LibraryOperation;
  status?: number;
  apiErrors?: ApiErrorEntry[];
  mayHaveReachedServer?: boolean;
  cause?: unknown;
}

/** Every error the client throws on purpose. */
export abstract class LibraryError extends Error {
  abstract readonly kind: LibraryErrorKind;
  abstract readonly retryable: boolean;
  readonly operation: LibraryOperation;
  readonly status: number | undefined;
  readonly apiErrors: ApiErrorEntry[];
  readonly mayHaveReachedServer: boolean;

  constructor(message: string, details: LibraryErrorDetails) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = new.target.name;
    this.operation = details.operation;
    this.status = details.status;
    this.apiErrors = details.apiErrors ?? [];
    // An HTTP answer means the server saw the request; subclasses without one say otherwise.
    this.mayHaveReachedServer = details.mayHaveReachedServer ?? details.status !== undefined;
  }

  /** The first error_key of the API's body, if any. */
  get errorKey(): string | undefined {
    return this.apiErrors[0]?.errorKey;
  }
}

/** Bad input caught before any request was sent (no credentials, unsupported type, missing name…). */
export class LibraryInputError extends LibraryError {
  readonly kind = 'input';
  readonly retryable = false;
  constructor(message: string, details: LibraryErrorDetails) {
    super(message, { ...details, mayHaveReachedServer: false });
  }
}

/** 400: the API refused the content (error_key and message in `apiErrors`). */
export class LibraryValidationError extends LibraryError {
  readonly kind = 'validation';
  readonly retryable = false;
}

/** 401: credentials wrong or revoked. A retry may succeed once the secret is fixed; the file is fine. */
export class LibraryUnauthorizedError extends LibraryError {
  readonly kind = 'unauthorized';
  readonly retryable = true;
}

/** 403 with a mashery over-limit key: per second (`second`) or per day (`day`). */
export class LibraryThrottledError extends LibraryError {
  readonly kind = 'throttled';
  readonly retryable = true;
  readonly scope: 'second' | 'day';
  constructor(message: string, details: LibraryErrorDetails & { scope: 'second' | 'day' }) {
    super(message, details);
    this.scope = details.scope;
  }
}

/** 403 with any other error_key: a real permission problem. */
export class LibraryForbiddenError extends LibraryError {
  readonly kind = 'forbidden';
  readonly retryable = false;
}

/** 404. */
export class LibraryNotFoundError extends LibraryError {
  readonly kind = 'not-found';
  readonly retryable = false;
}

/** 5xx. */
export class LibraryServerError extends LibraryError {
  readonly kind = 'server';
  readonly retryable = true;
}

/** No answer in time. `mayHaveReachedServer` tells whether the request (body included) had been sent. */
export class LibraryTimeoutError extends LibraryError {
  readonly kind = 'timeout';
  readonly retryable = true;
}

/** Connection refused, reset, DNS… `mayHaveReachedServer` as for timeouts. */
export class LibraryNetworkError extends LibraryError {
  readonly kind = 'network';
  readonly retryable = true;
}

/** An answer the contract does not allow (e.g. 200 or 202 without Location on upload, 406, 415, bad JSON). */
export class LibraryProtocolError extends LibraryError {
  readonly kind = 'protocol';
  readonly retryable = false;
}

/**
 * The upload's `data` stream failed, or ended with fewer (or more) bytes than `size`: the request was
 * abandoned before its multipart body was complete, so the API cannot have created the file
 * (`mayHaveReachedServer` is false). Retryable: re-read the object (e.g. a fresh S3 GetObject, which also
 * re-reads its size) and upload again.
 */
export class LibrarySourceError extends LibraryError {
  readonly kind = 'source';
  readonly retryable = true;
  constructor(message: string, details: LibraryErrorDetails) {
    super(message, { ...details, mayHaveReachedServer: false });
  }
}

/** True for any LibraryError. */
export function isLibraryError(error: unknown): error is LibraryError {
  return error instanceof LibraryError;
}
