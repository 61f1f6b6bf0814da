/**
 * Keeps credentials out of logs, metrics metadata and events.
 *
 * The library API takes its key as a query parameter (`api_key=...`) and the token as a bearer header,
 * so a URL, an error message or a request dump can carry either. Two defences, both applied by the
 * shared logger to every line it writes (see `logReplacer`):
 * - by name: a property called `apiKey`, `accessToken`, `authorization`, `SecretString`… is replaced by
 *   `***` whatever its value;
 * - by shape: inside any string, `api_key=<value>`, `access_token=<value>`, `Bearer <value>` and JSON
 *   text such as `"apiKey":"<value>"` lose their value.
 *
 * Redaction is deliberately blunt: a false positive costs a less useful log line, a false negative
 * leaks a credential that stays in CloudWatch for the retention period.
 */

export const REDACTED = '***';

/** Property names (compared lower-cased, without `_` and `-`) whose value is never logged. */
const SENSITIVE_KEYS: ReadonlySet<string> = new Set([
  'apikey',
  'xapikey',
  'accesstoken',
  'refreshtoken',
  'token',
  'bearer',
  'authorization',
  'password',
  'secret',
  'secretstring',
  'secretbinary',
  'clientsecret',
  'secretaccesskey',
  'sessiontoken',
]);

/** Whether a log key names a credential (case, `-` and `_` ignored). */
export function isSensitiveKey(key: string): boolean {
  return SENSITIVE_KEYS.has(key.replace(/[-_]/g, '').toLowerCase());
}

// `api_key=abc&x=1` → `api_key=***&x=1`; also apikey, access_token, token, X-Amz-Security-Token.
const QUERY_PARAMETER = /\b(api[_-]?key|access[_-]?token|token|x-amz-security-token|x-amz-signature)=([^&\s"'#]+)/gi;
// `Authorization: Bearer abc` or `Bearer abc` → `Bearer ***`.
const BEARER = /\b(Bearer)\s+[A-Za-z0-9._~+/=-]+/g;
// `"apiKey":"abc"` / `"access_token": "abc"` inside JSON text (e.g. an echoed secret or request body).
const JSON_FIELD =
  /("(?:api[_-]?key|access[_-]?token|accessToken|apiKey|secret|password|authorization)"\s*:\s*)"(?:[^"\\]|\\.)*"/gi;

/** Removes credential values from free text (URLs, messages, stack traces). */
export function redactText(text: string): string {
  return text
    .replace(QUERY_PARAMETER, (_match, name: string) => `${name}=${REDACTED}`)
    .replace(BEARER, `$1 ${REDACTED}`)
    .replace(JSON_FIELD, `$1"${REDACTED}"`);
}

/**
 * A `JSON.stringify` replacer (and Powertools Logger `jsonReplacerFn`) that redacts by name and by
 * shape. Errors are left to the logger's own formatter, whose output strings pass through here again.
 */
export function logReplacer(key: string, value: unknown): unknown {
  if (key !== '' && isSensitiveKey(key) && value !== undefined && value !== null) return REDACTED;
  if (typeof value === 'string') return redactText(value);
  return value;
}

/**
 * A log-safe copy of any value: plain data with credentials removed, errors reduced to
 * `{ name, message, stack, ...own fields, cause }`, cycles cut, depth bounded. Use it before handing
 * something to a sink that does not go through the shared logger (an event, a thrown message, a test
 * snapshot), or when logging third-party objects whose shape you do not control.
 */
export function toLogSafe(value: unknown, maxDepth = 8): unknown {
  return copy(value, maxDepth, new WeakSet());
}

function copy(value: unknown, depth: number, seen: WeakSet<object>): unknown {
  if (typeof value === 'string') return redactText(value);
  if (typeof value === 'bigint') return value.toString();
  if (value === null || typeof value !== 'object') {
    return typeof value === 'function' || typeof value === 'symbol' ? undefined : value;
  }
  if (seen.has(value)) return '[Circular]';
  if (depth <= 0) return '[Truncated]';
  seen.add(value);
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Uint8Array) return `[${value.byteLength} bytes]`;
  if (Array.isArray(value)) return value.map((item) => copy(item, depth - 1, seen));
  const out: Record<string, unknown> = {};
  if (value instanceof Error) {
    out['name'] = value.name;
    out['message'] = redactText(value.message);
    if (value.stack !== undefined) out['stack'] = redactText(value.stack);
  }
  for (const [key, item] of Object.entries(value)) {
    if (isSensitiveKey(key)) {
      out[key] = REDACTED;
      continue;
    }
    const copied = copy(item, depth - 1, seen);
    if (copied !== undefined) out[key] = copied;
  }
  if (value instanceof Error && value.cause !== undefined) out['cause'] = copy(value.cause, depth - 1, seen);
  return out;
}
