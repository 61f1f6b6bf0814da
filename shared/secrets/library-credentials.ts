/**
 * The library API credentials, read from the stage's Secrets Manager secret.
 *
 * The secret holds JSON: `{"apiKey": "...", "accessToken": "..."}`. The CDK stack creates it with the
 * placeholder `REPLACE_ME` in both fields; an operator fills it in once per stage. Until then every
 * read fails with `MissingLibraryCredentialsError`, and because ingest and poll leave their messages
 * queued on any credentials error, nothing is lost while the secret is being set.
 *
 * Why Powertools' `SecretsProvider`: it caches the value in memory for `maxAgeSeconds` (one Secrets
 * Manager call per warm Lambda environment every five minutes by default, instead of one per request)
 * and `forceFetch` bypasses the cache. The library client asks for `{ forceRefresh: true }` once after a
 * 401, so a rotated secret is picked up at once rather than after the cache expires.
 *
 * Errors never contain the secret's value: a malformed secret is described by what is wrong with it
 * (not JSON, which field is missing or still the placeholder), never by what it holds.
 */
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import type { CredentialsProvider, LibraryCredentials } from '../library/types.ts';

/** The value the stack writes into a new secret; a secret still holding it is "not configured". */
export const PLACEHOLDER_SECRET_VALUE = 'REPLACE_ME';

/** How long a read secret is reused before Secrets Manager is asked again (seconds). */
export const DEFAULT_SECRET_MAX_AGE_SECONDS = 300;

/** Why the secret holds no usable credentials. */
export type MissingCredentialsReason =
  'not-found' | 'empty' | 'not-json' | 'not-an-object' | 'missing-field' | 'placeholder';

/**
 * The secret exists but does not (yet) hold usable credentials, or does not exist at all. Not a
 * problem with any file: callers leave their work queued and alarm.
 */
export class MissingLibraryCredentialsError extends Error {
  readonly secretId: string;
  readonly reason: MissingCredentialsReason;
  /** The fields that are missing or still hold the placeholder (names only). */
  readonly fields: readonly string[];

  constructor(
    secretId: string,
    reason: MissingCredentialsReason,
    fields: readonly string[] = [],
    options?: ErrorOptions,
  ) {
    super(`Library credentials secret "${secretId}" is not usable: ${describe(reason, fields)}`, options);
    this.name = 'MissingLibraryCredentialsError';
    this.secretId = secretId;
    this.reason = reason;
    this.fields = fields;
  }
}

function describe(reason: MissingCredentialsReason, fields: readonly string[]): string {
  switch (reason) {
    case 'not-found':
      return 'the secret does not exist or has no value';
    case 'empty':
      return 'the secret value is empty';
    case 'not-json':
      return 'the secret value is not JSON (expected {"apiKey": "...", "accessToken": "..."})';
    case 'not-an-object':
      return 'the secret value is not a JSON object (expected {"apiKey": "...", "accessToken": "..."})';
    case 'missing-field':
      return `missing or empty field(s) ${fields.join(', ')} (each must be a non-empty string)`;
    case 'placeholder':
      return `field(s) ${fields.join(', ')} still hold the placeholder "${PLACEHOLDER_SECRET_VALUE}": set the real values`;
  }
}

/** Whether `error` says the secret is unusable. */
export function isMissingLibraryCredentialsError(error: unknown): error is MissingLibraryCredentialsError {
  return error instanceof MissingLibraryCredentialsError;
}

/** Which secret, and how it is read and cached. */
export interface SecretsCredentialsProviderOptions {
  /** Secret name or ARN (`LIBRARY_SECRET_ID`). */
  secretId: string;
  /** Cache lifetime in seconds (default 300). */
  maxAgeSeconds?: number;
  /** A provider to use instead of a default one (tests, a provider with a local endpoint). */
  secretsProvider?: SecretsProvider;
}

/**
 * A `CredentialsProvider` for the library client, backed by Secrets Manager.
 *
 * - Cached for `maxAgeSeconds`; `{ forceRefresh: true }` reads the secret again.
 * - Concurrent calls while a read is in flight share that read (a batch of ten records does not make
 *   ten Secrets Manager calls on a cold start).
 * - After an unusable value, the next call reads again instead of serving the bad value from the cache,
 *   so fixing the secret takes effect on the next attempt.
 */
export function createSecretsCredentialsProvider(options: SecretsCredentialsProviderOptions): CredentialsProvider {
  const { secretId } = options;
  const maxAge = options.maxAgeSeconds ?? DEFAULT_SECRET_MAX_AGE_SECONDS;
  const provider = options.secretsProvider ?? new SecretsProvider();
  let inFlight: Promise<LibraryCredentials> | undefined;
  let lastReadFailed = false;

  const read = async (forceFetch: boolean): Promise<LibraryCredentials> => {
    let raw: string | Uint8Array | undefined;
    try {
      raw = await provider.get(secretId, { maxAge, forceFetch });
    } catch (error) {
      if (isResourceNotFound(error))
        throw new MissingLibraryCredentialsError(secretId, 'not-found', [], { cause: error });
      throw error;
    }
    if (raw === undefined) throw new MissingLibraryCredentialsError(secretId, 'not-found');
    return parseLibraryCredentials(secretId, typeof raw === 'string' ? raw : new TextDecoder().decode(raw));
  };

  return async (callOptions) => {
    const force = callOptions?.forceRefresh === true || lastReadFailed;
    // A forced read never joins a cached-read in flight: it exists to see a newer value.
    if (inFlight && !force) return inFlight;
    const current = read(force).then(
      (credentials) => {
        lastReadFailed = false;
        return credentials;
      },
      (error: unknown) => {
        lastReadFailed = true;
        throw error;
      },
    );
    inFlight = current;
    const clear = () => {
      if (inFlight === current) inFlight = undefined;
    };
    current.then(clear, clear);
    return current;
  };
}

/**
 * Parses and checks the secret's value. Exported for tests and for tools that validate a secret before
 * writing it. The error names what is wrong, never the value.
 */
export function parseLibraryCredentials(secretId: string, value: string): LibraryCredentials {
  if (value.trim() === '') throw new MissingLibraryCredentialsError(secretId, 'empty');
  if (value.trim() === PLACEHOLDER_SECRET_VALUE) {
    throw new MissingLibraryCredentialsError(secretId, 'placeholder', ['apiKey', 'accessToken']);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    // Deliberately no `cause`: JSON.parse's message quotes the text it choked on.
    throw new MissingLibraryCredentialsError(secretId, 'not-json');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new MissingLibraryCredentialsError(secretId, 'not-an-object');
  }
  const record = parsed as Record<string, unknown>;
  const missing: string[] = [];
  const placeholder: string[] = [];
  for (const field of ['apiKey', 'accessToken'] as const) {
    const fieldValue = record[field];
    if (typeof fieldValue !== 'string' || fieldValue.trim() === '') missing.push(field);
    else if (fieldValue.trim() === PLACEHOLDER_SECRET_VALUE) placeholder.push(field);
  }
  if (missing.length > 0) throw new MissingLibraryCredentialsError(secretId, 'missing-field', missing);
  if (placeholder.length > 0) throw new MissingLibraryCredentialsError(secretId, 'placeholder', placeholder);
  return { apiKey: (record['apiKey'] as string).trim(), accessToken: (record['accessToken'] as string).trim() };
}

/** Powertools wraps SDK errors in `GetParameterError` with the original as `cause`. */
function isResourceNotFound(error: unknown): boolean {
  for (let current: unknown = error, depth = 0; current instanceof Error && depth < 4; depth++) {
    if (current.name === 'ResourceNotFoundException') return true;
    current = current.cause;
  }
  return false;
}
