/**
 * Keeps credentials out of everything the client lets escape: error messages, `RequestReport.url`,
 * `cause` chains and stacks. The api_key travels in every URL, so URLs are redacted by structure; other
 * text loses the literal secret values too, in case a server or a lower layer echoes them back.
 */

/** What replaces a secret. */
export const REDACTED = '***';

/** Query parameters whose values are always hidden. */
const SECRET_PARAMS = ['api_key', 'access_token', 'apikey', 'token'];

/**
 * Replaces the values of secret query parameters (`api_key`, `access_token`…) with `***`. Works on
 * absolute URLs and on bare paths with a query; leaves anything without a query as is.
 */
export function redactUrl(url: string): string {
  const queryStart = url.indexOf('?');
  if (queryStart === -1) return url;
  const hashStart = url.indexOf('#', queryStart);
  const head = url.slice(0, queryStart);
  const query = url.slice(queryStart + 1, hashStart === -1 ? undefined : hashStart);
  const hash = hashStart === -1 ? '' : url.slice(hashStart);
  const redacted = query
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const rawName = eq === -1 ? pair : pair.slice(0, eq);
      let name = rawName;
      try {
        name = decodeURIComponent(rawName.replace(/\+/g, ' '));
      } catch {
        // A malformed escape: compare the raw name.
      }
      return SECRET_PARAMS.includes(name.toLowerCase()) ? `${rawName}=${REDACTED}` : pair;
    })
    .join('&');
  return `${head}?${redacted}${hash}`;
}

/** The forms in which a secret may appear in text (raw, URL-encoded, form-encoded). */
function secretForms(secrets: readonly (string | undefined)[]): string[] {
  const forms = new Set<string>();
  for (const secret of secrets) {
    if (!secret) continue;
    forms.add(secret);
    forms.add(encodeURIComponent(secret));
    forms.add(encodeURIComponent(secret).replace(/%20/g, '+'));
  }
  // Longest first, so a secret that contains another is replaced whole.
  return [...forms].filter((f) => f.length > 0).sort((a, b) => b.length - a.length);
}

/**
 * Redacts URLs' secret parameters and every literal occurrence of the given secrets in free text
 * (error messages, response snippets, stacks).
 */
export function redactText(text: string, secrets: readonly (string | undefined)[] = []): string {
  let out = text.replace(
    /[?&](?:api_key|access_token|apikey|token)=[^&\s"'#)]*/gi,
    (match) => `${match.slice(0, match.indexOf('=') + 1)}${REDACTED}`,
  );
  out = out.replace(/(Bearer\s+)[^\s"',;]+/gi, `$1${REDACTED}`);
  for (const form of secretForms(secrets)) {
    out = out.split(form).join(REDACTED);
  }
  return out;
}

const CAUSE_DEPTH = 4;
const COPIED_PROPS = ['code', 'errno', 'syscall', 'address', 'port'] as const;

/**
 * A credential-free copy of an error to use as a `cause`: same name, code and errno, message and stack
 * redacted, nested causes copied the same way (a few levels deep). Non-errors become a short string.
 * Lower layers' objects (sockets, requests, headers) are deliberately not carried over.
 */
export function sanitizeCause(error: unknown, secrets: readonly (string | undefined)[] = [], depth = 0): unknown {
  if (error === undefined || error === null) return undefined;
  if (!(error instanceof Error)) {
    return redactText(String(error), secrets).slice(0, 500);
  }
  const copy = new Error(redactText(error.message, secrets));
  copy.name = error.name;
  const source = error as unknown as Record<string, unknown>;
  const target = copy as unknown as Record<string, unknown>;
  for (const prop of COPIED_PROPS) {
    const value = source[prop];
    if (typeof value === 'string' || typeof value === 'number')
      target[prop] = typeof value === 'string' ? redactText(value, secrets) : value;
  }
  copy.stack = error.stack === undefined ? undefined : redactText(error.stack, secrets);
  if (error.cause !== undefined && depth < CAUSE_DEPTH) {
    const cause = sanitizeCause(error.cause, secrets, depth + 1);
    if (cause !== undefined)
      Object.defineProperty(copy, 'cause', { value: cause, enumerable: false, writable: true, configurable: true });
  }
  return copy;
}
