/**
 * The HTTP layer: one undici keep-alive Pool for the API's origin, time-outs, credentials on every
 * request, answers always consumed, and a record of how far each request got (undici's handler hooks),
 * which is what makes `mayHaveReachedServer` trustworthy: a failure before `onRequestStart` cannot have
 * reached the server. Time-outs and hooks: docs/library-api.md, "The client".
 */
import { Pool } from './undici-pool.ts';
import type { Dispatcher } from 'undici';
import type { Readable } from 'node:stream';
import { performance } from 'node:perf_hooks';
import type { LibraryCredentials, LibraryOperation, RequestReport } from './types.ts';
import type { BaseLocation, RequestTarget } from './pagination.ts';
import { targetToPathWithKey } from './pagination.ts';
import { redactText, redactUrl } from './redact.ts';
import { errorFromTransport } from './error-mapping.ts';
import type { ExchangeContext, TransportState } from './error-mapping.ts';
import type { LibraryError } from './errors.ts';

/** undici's time-outs: connection, answer headers (after the body is sent), between answer chunks. */
export interface TransportTimeouts {
  connectMs: number;
  headersMs: number;
  bodyMs: number;
}

/** Defaults sized for uploads of a few MB over the internet. */
export const DEFAULT_TIMEOUTS: TransportTimeouts = { connectMs: 10_000, headersMs: 60_000, bodyMs: 60_000 };
/** Keep-alive connections per client. */
export const DEFAULT_CONNECTIONS = 8;
/** The largest response body read (a 1000-file page is well under 1 MB); the rest is discarded. */
export const DEFAULT_MAX_RESPONSE_BYTES = 16 * 1024 * 1024;

/** How a transport is configured. */
export interface TransportOptions {
  base: BaseLocation;
  timeouts: TransportTimeouts;
  connections: number;
  onRequest?: ((report: RequestReport) => void) | undefined;
}

/** Answer headers as undici gives them. */
export type ResponseHeaders = Record<string, string | string[] | undefined>;

/** One request to send. */
export interface ExchangeRequest {
  operation: LibraryOperation;
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  target: RequestTarget;
  credentials: LibraryCredentials;
  headers?: Record<string, string>;
  body?: string | Readable;
  /** For a streamed body: the source's own failure, which explains a failed exchange better. */
  sourceError?: () => Error | undefined;
  maxResponseBytes?: number;
}

/** An answer, read whole (up to the limit). */
export interface ExchangeResponse {
  status: number;
  headers: ResponseHeaders;
  /** The body as text, at most maxResponseBytes (the rest was discarded). */
  bodyText: string;
  context: ExchangeContext;
}

/** Forwards every handler call, noting how far the request got. */
class TrackingHandler implements Dispatcher.DispatchHandler {
  constructor(
    private readonly inner: Dispatcher.DispatchHandler,
    private readonly state: TransportState,
  ) {}

  onRequestStart(controller: Dispatcher.DispatchController, context: unknown): void {
    this.state.requestStarted = true;
    this.inner.onRequestStart?.(controller, context);
  }

  onRequestUpgrade(
    controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: Parameters<NonNullable<Dispatcher.DispatchHandler['onRequestUpgrade']>>[2],
    socket: Parameters<NonNullable<Dispatcher.DispatchHandler['onRequestUpgrade']>>[3],
  ): void {
    this.inner.onRequestUpgrade?.(controller, statusCode, headers, socket);
  }

  onResponseStart(
    controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: Parameters<NonNullable<Dispatcher.DispatchHandler['onResponseStart']>>[2],
    statusMessage?: string,
  ): void {
    if (statusCode >= 200) this.state.responseStarted = true;
    this.inner.onResponseStart?.(controller, statusCode, headers, statusMessage);
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.inner.onResponseData?.(controller, chunk);
  }

  onResponseEnd(
    controller: Dispatcher.DispatchController,
    trailers: Parameters<NonNullable<Dispatcher.DispatchHandler['onResponseEnd']>>[1],
  ): void {
    this.inner.onResponseEnd?.(controller, trailers);
  }

  onResponseError(controller: Dispatcher.DispatchController, error: Error): void {
    this.inner.onResponseError?.(controller, error);
  }

  /** Legacy hook, still called by undici's Request for every body chunk written to the socket. */
  onBodySent(chunk: Buffer | string): void {
    this.state.bodyBytesSent += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length;
    (this.inner as { onBodySent?: (chunk: Buffer | string) => void }).onBodySent?.(chunk);
  }

  /** Called once the whole request, body included, has been written. */
  onRequestSent(): void {
    this.state.requestSent = true;
    (this.inner as { onRequestSent?: () => void }).onRequestSent?.();
  }
}

/** Reads a response body up to `max` bytes, then discards the rest (the socket goes back to the pool). */
async function readText(body: Dispatcher.ResponseData['body'], max: number): Promise<string> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    if (total < max) {
      const room = max - total;
      chunks.push(chunk.length > room ? chunk.subarray(0, room) : chunk);
    }
    total += chunk.length;
    if (total > max * 4) {
      // Absurdly large: stop reading, drop the connection rather than download it.
      body.destroy();
      break;
    }
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Sends requests over one keep-alive pool and reports each exchange. */
export class HttpTransport {
  readonly #pool: Pool;
  readonly #options: TransportOptions;

  constructor(options: TransportOptions) {
    this.#options = options;
    this.#pool = new Pool(options.base.origin, {
      connections: options.connections,
      connect: { timeout: options.timeouts.connectMs },
      headersTimeout: options.timeouts.headersMs,
      bodyTimeout: options.timeouts.bodyMs,
    });
  }

  /** The redacted absolute URL of a target, for messages and reports. */
  redactedUrl(target: RequestTarget): string {
    return redactUrl(`${this.#options.base.origin}${targetToPathWithKey(target, 'x')}`);
  }

  /**
   * Sends one request and reads its answer. Resolves with any HTTP status (the caller decides what it
   * allows); rejects with a LibraryTimeoutError / LibraryNetworkError / LibrarySourceError when no answer
   * came. Reports the exchange to `onRequest` either way.
   */
  async exchange(request: ExchangeRequest): Promise<ExchangeResponse> {
    const { operation, method } = request;
    const url = this.redactedUrl(request.target);
    const context: ExchangeContext = {
      operation,
      method,
      url,
      secrets: [request.credentials.apiKey, request.credentials.accessToken],
    };
    const state: TransportState = {
      requestStarted: false,
      requestSent: false,
      bodyBytesSent: 0,
      responseStarted: false,
    };
    const started = performance.now();
    const seen: { status?: number } = {};
    try {
      const answer = await this.#send(request, state, seen);
      this.#report({ operation, method, url, status: answer.status, durationMs: performance.now() - started });
      return { ...answer, context };
    } catch (error) {
      const mapped: LibraryError = errorFromTransport(context, error, state, request.sourceError?.());
      this.#report({
        operation,
        method,
        url,
        ...(seen.status === undefined ? {} : { status: seen.status }),
        durationMs: performance.now() - started,
        error: redactText(`${mapped.kind}: ${mapped.message}`, context.secrets),
      });
      throw mapped;
    }
  }

  /** Dispatches through the tracking handler and reads the answer; `seen.status` is set once known. */
  async #send(
    request: ExchangeRequest,
    state: TransportState,
    seen: { status?: number },
  ): Promise<Omit<ExchangeResponse, 'context'>> {
    const { apiKey, accessToken } = request.credentials;
    const dispatcher = this.#pool.compose(
      (dispatch) => (opts, handler) => dispatch(opts, new TrackingHandler(handler, state)),
    );
    const response = await dispatcher.request({
      path: targetToPathWithKey(request.target, apiKey),
      method: request.method,
      headers: { accept: 'application/json', authorization: `Bearer ${accessToken}`, ...request.headers },
      body: request.body ?? null,
    });
    seen.status = response.statusCode;
    try {
      const bodyText = await readText(response.body, request.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES);
      return { status: response.statusCode, headers: response.headers, bodyText };
    } finally {
      if (!response.body.destroyed) response.body.destroy();
    }
  }

  #report(report: RequestReport): void {
    try {
      this.#options.onRequest?.(report);
    } catch {
      // A metrics hook must never break a request.
    }
  }

  async close(): Promise<void> {
    await this.#pool.close();
  }
}
