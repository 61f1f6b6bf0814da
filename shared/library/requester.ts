/**
 * One API request with a replayable body: credentials, the `beforeRequest` hook (the shared rate
 * limiter), the exchange, one retry with refreshed credentials after a 401, and for reads a few retries
 * in place after a fast failure. Why each rule holds: docs/library-api.md, "The client".
 */
import { errorFromResponse } from './error-mapping.ts';
import { LibraryNetworkError, LibraryServerError } from './errors.ts';
import type { ExchangeResponse, HttpTransport } from './http.ts';
import type { RequestTarget } from './pagination.ts';
import type { BeforeRequestHook, CredentialsProvider, LibraryCredentials, LibraryOperation } from './types.ts';
import { validateCredentials } from './validation.ts';

/** What a requester needs from the client it serves. */
export interface RequesterOptions {
  transport: HttpTransport;
  credentials: CredentialsProvider;
  beforeRequest?: BeforeRequestHook | undefined;
  readRetries: number;
  sleep: (ms: number) => Promise<void>;
}

/** HTTP methods sent with a replayable (string) body or none. */
export type ReplayableMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** The statuses an operation accepts; any other becomes the typed error for that status. */
export type ExpectedStatus = (status: number) => boolean;

/** Only 200 OK. */
export const isOk: ExpectedStatus = (status) => status === 200;
/** Any 2xx. */
export const is2xx: ExpectedStatus = (status) => status >= 200 && status < 300;

/** A failure worth retrying in place: the API answered 5xx, or the connection failed (not a time-out). */
function failedFast(error: unknown): boolean {
  return error instanceof LibraryServerError || error instanceof LibraryNetworkError;
}

/** Sends the client's requests (all but the upload, whose body is a one-shot stream). */
export class LibraryRequester {
  readonly #options: RequesterOptions;

  constructor(options: RequesterOptions) {
    this.#options = options;
  }

  /** The provider's credentials, checked; `forceRefresh` asks it to re-read a rotated secret. */
  async credentialsFor(operation: LibraryOperation, forceRefresh: boolean): Promise<LibraryCredentials> {
    const credentials = await this.#options.credentials(forceRefresh ? { forceRefresh: true } : undefined);
    return validateCredentials(operation, credentials);
  }

  /** Waits for the caller's hook (the rate limiter), if any. */
  async beforeRequest(operation: LibraryOperation): Promise<void> {
    if (this.#options.beforeRequest) await this.#options.beforeRequest(operation);
  }

  /** Sends a request; rejects with the typed error unless the status is one of `expected`. */
  async send(
    operation: LibraryOperation,
    method: ReplayableMethod,
    target: RequestTarget,
    expected: ExpectedStatus,
    body?: { json: unknown },
  ): Promise<ExchangeResponse> {
    const once = () => this.#sendOnce(operation, method, target, expected, body);
    return method === 'GET' ? this.#withReadRetries(once) : once();
  }

  async #withReadRetries(once: () => Promise<ExchangeResponse>): Promise<ExchangeResponse> {
    for (let retry = 0; ; retry++) {
      try {
        return await once();
      } catch (error) {
        if (retry >= this.#options.readRetries || !failedFast(error)) throw error;
        // Jittered backoff: 100-200 ms, then 200-400 ms… (each attempt also waits for a rate-limit slot).
        await this.#options.sleep(100 * 2 ** retry * (1 + Math.random()));
      }
    }
  }

  async #sendOnce(
    operation: LibraryOperation,
    method: ReplayableMethod,
    target: RequestTarget,
    expected: ExpectedStatus,
    body?: { json: unknown },
  ): Promise<ExchangeResponse> {
    const headers: Record<string, string> = body ? { 'content-type': 'application/json' } : {};
    const payload = body ? { body: JSON.stringify(body.json) } : {};
    let response = await this.#exchange(operation, method, target, headers, payload, false);
    if (response.status === 401) response = await this.#exchange(operation, method, target, headers, payload, true);
    if (!expected(response.status))
      throw errorFromResponse(response.context, response.status, response.bodyText, response.headers);
    return response;
  }

  async #exchange(
    operation: LibraryOperation,
    method: ReplayableMethod,
    target: RequestTarget,
    headers: Record<string, string>,
    payload: { body?: string },
    forceRefresh: boolean,
  ): Promise<ExchangeResponse> {
    const credentials = await this.credentialsFor(operation, forceRefresh);
    await this.beforeRequest(operation);
    return this.#options.transport.exchange({ operation, method, target, credentials, headers, ...payload });
  }
}
