/**
 * Turns what came back (an HTTP status and body, or a transport failure) into the typed errors of
 * `errors.ts`. Every message names the operation, method and redacted URL, never a credential.
 */
import {
  LibraryForbiddenError,
  LibraryInputError,
  LibraryNetworkError,
  LibraryNotFoundError,
  LibraryProtocolError,
  LibraryServerError,
  LibrarySourceError,
  LibraryThrottledError,
  LibraryTimeoutError,
  LibraryUnauthorizedError,
  LibraryValidationError,
  isLibraryError,
} from './errors.ts';
import type { ApiErrorEntry, LibraryError } from './errors.ts';
import type { LibraryOperation } from './types.ts';
import { redactText, sanitizeCause } from './redact.ts';

/** Mashery's per-second limit key (docs/library-api.md, "Throttling"). */
export const OVER_QPS_KEY = 'mashery.not.authorized.over.qps';
/** Mashery's daily limit key. */
export const OVER_RATE_KEY = 'mashery.not.authorized.over.ratelimit';

/** What an error message names about the exchange. */
export interface ExchangeContext {
  operation: LibraryOperation;
  method: string;
  /** Already redacted. */
  url: string;
  /** Values to scrub from any text that ends up in an error (api_key, token). */
  secrets: readonly string[];
}

/**
 * The API's error body: `[{"error_key": "...", "error_message": "..."}]`. Also tolerated: a single
 * object, an `{"errors": [...]}` wrapper, entries missing a message. Anything else (HTML, plain text,
 * empty) yields no entries: the status alone decides the class.
 */
export function parseApiErrors(bodyText: string): ApiErrorEntry[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(bodyText);
  } catch {
    return [];
  }
  const candidates: unknown[] = Array.isArray(parsed)
    ? parsed
    : parsed !== null && typeof parsed === 'object' && Array.isArray((parsed as { errors?: unknown }).errors)
      ? (parsed as { errors: unknown[] }).errors
      : [parsed];
  const entries: ApiErrorEntry[] = [];
  for (const candidate of candidates) {
    if (candidate === null || typeof candidate !== 'object') continue;
    const { error_key: errorKey, error_message: errorMessage } = candidate as {
      error_key?: unknown;
      error_message?: unknown;
    };
    if (typeof errorKey !== 'string' || errorKey === '') continue;
    entries.push({ errorKey, errorMessage: typeof errorMessage === 'string' ? errorMessage : '' });
  }
  return entries;
}

function describeApiErrors(apiErrors: readonly ApiErrorEntry[]): string {
  if (apiErrors.length === 0) return '';
  const parts = apiErrors
    .slice(0, 3)
    .map((e) => (e.errorMessage ? `${e.errorKey}: ${e.errorMessage.slice(0, 200)}` : e.errorKey));
  const more = apiErrors.length > 3 ? ` (+${apiErrors.length - 3} more)` : '';
  return ` [${parts.join('; ')}${more}]`;
}

/**
 * Which daily/per-second limit a 403 (or a 429, tolerated) reports, if any. Besides the documented
 * error_key, Mashery's own `X-Mashery-Error-Code` header and plain-text bodies are recognised.
 */
export function throttleScope(
  status: number,
  apiErrors: readonly ApiErrorEntry[],
  bodyText: string,
  headers: Readonly<Record<string, string | string[] | undefined>> = {},
): 'second' | 'day' | undefined {
  const keys = apiErrors.map((e) => e.errorKey.toLowerCase());
  if (keys.includes(OVER_QPS_KEY)) return 'second';
  if (keys.includes(OVER_RATE_KEY)) return 'day';
  const headerValue = headers['x-mashery-error-code'];
  const masheryCode = (Array.isArray(headerValue) ? headerValue.join(',') : (headerValue ?? '')).toUpperCase();
  if (masheryCode.includes('OVER_QPS')) return 'second';
  if (masheryCode.includes('OVER_RATE')) return 'day';
  if (apiErrors.length === 0) {
    const text = bodyText.slice(0, 2000).toLowerCase();
    if (text.includes(OVER_QPS_KEY) || text.includes('over qps')) return 'second';
    if (text.includes(OVER_RATE_KEY) || text.includes('over rate')) return 'day';
  }
  if (status === 429) return 'second';
  return undefined;
}

/** The typed error for an HTTP answer the operation did not expect. */
export function errorFromResponse(
  context: ExchangeContext,
  status: number,
  bodyText: string,
  headers: Readonly<Record<string, string | string[] | undefined>> = {},
): LibraryError {
  const apiErrors = parseApiErrors(bodyText).map((e) => ({
    errorKey: redactText(e.errorKey, context.secrets),
    errorMessage: redactText(e.errorMessage, context.secrets),
  }));
  const message = `${context.operation}: ${context.method} ${context.url} answered HTTP ${status}${describeApiErrors(apiErrors)}`;
  const details = { operation: context.operation, status, apiErrors };

  if (status === 400) return new LibraryValidationError(message, details);
  if (status === 401) return new LibraryUnauthorizedError(message, details);
  if (status === 403 || status === 429) {
    const scope = throttleScope(status, apiErrors, bodyText, headers);
    if (scope) return new LibraryThrottledError(message, { ...details, scope });
    return new LibraryForbiddenError(message, details);
  }
  if (status === 404) return new LibraryNotFoundError(message, details);
  if (status >= 500 && status <= 599) return new LibraryServerError(message, details);
  return new LibraryProtocolError(message, details);
}

/** An answer with an allowed status whose content the contract does not allow. */
export function protocolError(
  context: ExchangeContext,
  status: number | undefined,
  problem: string,
  cause?: unknown,
): LibraryProtocolError {
  return new LibraryProtocolError(
    `${context.operation}: ${context.method} ${context.url}${status === undefined ? '' : ` answered HTTP ${status} but`} ${problem}`,
    {
      operation: context.operation,
      status,
      cause: cause === undefined ? undefined : sanitizeCause(cause, context.secrets),
    },
  );
}

const TIMEOUT_CODES = new Set([
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'ETIMEDOUT',
  'ESOCKETTIMEDOUT',
]);

/** The code of an error or of the first error in its cause chain that has one. */
export function errorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && code !== 'UND_ERR_SOCKET') return code;
    if (current.name === 'TimeoutError') return 'ETIMEDOUT';
    current = current.cause;
  }
  const top = (error as { code?: unknown } | null)?.code;
  return typeof top === 'string' ? top : undefined;
}

/** How far a request got, as the transport saw it. */
export interface TransportState {
  /** The request was handed to a connected socket (undici's onRequestStart): bytes may have left. */
  requestStarted: boolean;
  /** Every byte of the request, body included, was written (undici's onRequestSent). */
  requestSent: boolean;
  /** Body bytes written to the socket so far. */
  bodyBytesSent: number;
  /** The response's status line and headers had arrived. */
  responseStarted: boolean;
}

/**
 * The typed error for a failed exchange (no usable HTTP answer).
 *
 * `mayHaveReachedServer` comes from what the transport saw, not from the error's name: false only when
 * the request never got onto a connected socket (refused, DNS, connect timeout); true as soon as any byte
 * may have left, because a server that received the whole body may have acted on it before the
 * connection broke or the answer was late.
 */
export function errorFromTransport(
  context: ExchangeContext,
  error: unknown,
  state: TransportState,
  sourceError?: unknown,
): LibraryError {
  if (isLibraryError(error)) return error;
  if (sourceError !== undefined) return sourceFailure(context, sourceError);
  const { operation, method, url } = context;
  const code = errorCode(error);
  const cause = sanitizeCause(error, context.secrets);
  if (code === 'UND_ERR_INVALID_ARG') {
    const reason = redactText(error instanceof Error ? error.message : String(error), context.secrets);
    return new LibraryInputError(`${operation}: ${method} ${url} could not be sent (${reason})`, { operation, cause });
  }
  const detail = code ?? (error instanceof Error ? error.name : 'unknown error');
  const mayHaveReachedServer = state.requestStarted || state.responseStarted;
  const details = { operation, mayHaveReachedServer, cause };
  if (code !== undefined && TIMEOUT_CODES.has(code)) {
    return new LibraryTimeoutError(
      `${operation}: ${method} ${url} timed out ${howFarSent(state)} (${detail})`,
      details,
    );
  }
  return new LibraryNetworkError(`${operation}: ${method} ${url} failed ${howFarSent(state)} (${detail})`, details);
}

/** The source stream broke (or had the wrong size): the request was abandoned, nothing was stored. */
function sourceFailure(context: ExchangeContext, sourceError: unknown): LibrarySourceError {
  const reason =
    sourceError instanceof Error ? redactText(sourceError.message, context.secrets) : 'the data stream failed';
  return new LibrarySourceError(`${context.operation}: ${context.method} ${context.url} abandoned: ${reason}`, {
    operation: context.operation,
    cause: sanitizeCause(sourceError, context.secrets),
  });
}

/** How far the request got, for the message. */
function howFarSent(state: TransportState): string {
  if (state.requestSent) return 'after the request was sent';
  if (state.requestStarted) return `while sending the request (${state.bodyBytesSent} body bytes written)`;
  return 'before the request was sent';
}
