/**
 * Small HTTP helpers: the answer a route returns, writing it, and reading request bodies safely.
 *
 * Routes return a value instead of writing to the response, so the server can apply the fault that was
 * decided for the request (latency, reset after body) in one place.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** A response to write: status, headers, JSON body. */
export interface ApiResponse {
  status: number;
  /** Serialised as JSON when not undefined; an empty body otherwise. */
  body?: unknown;
  headers?: Record<string, string>;
}

/** Sent by a route whose client went away mid-request: nothing can be answered. */
export const NO_RESPONSE = Symbol('no-response');
/** A response, or `NO_RESPONSE` when a fault keeps the request unanswered. */
export type RouteResult = ApiResponse | typeof NO_RESPONSE;

/** Writes a response. */
export function writeResponse(res: ServerResponse, response: ApiResponse): void {
  const payload = response.body === undefined ? '' : JSON.stringify(response.body);
  const headers: Record<string, string | number> = {
    ...response.headers,
    'Content-Length': Buffer.byteLength(payload),
  };
  if (response.body !== undefined) headers['Content-Type'] = 'application/json;charset=UTF-8';
  res.writeHead(response.status, headers);
  res.end(payload);
}

/** Reads and discards the rest of a request body, so an early answer does not break the client's write. */
export function drain(req: IncomingMessage): Promise<void> {
  if (req.readableEnded || req.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    req.on('end', resolve);
    req.on('close', resolve);
    req.on('error', () => resolve());
    req.resume();
  });
}

/** A request's JSON body, or why it could not be read. */
export type JsonBody = { ok: true; value: unknown } | { ok: false; reason: 'malformed' | 'too-large' | 'aborted' };

/** Reads a small JSON body (folder creation, file update); larger than `maxBytes` is refused. */
export async function readJsonBody(req: IncomingMessage, maxBytes = 64 * 1024): Promise<JsonBody> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of req) {
      const buffer = chunk as Buffer;
      size += buffer.length;
      if (size <= maxBytes) chunks.push(buffer);
    }
  } catch {
    return { ok: false, reason: 'aborted' };
  }
  if (size > maxBytes) return { ok: false, reason: 'too-large' };
  try {
    return { ok: true, value: JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown };
  } catch {
    return { ok: false, reason: 'malformed' };
  }
}

/** The media type of a Content-Type header, lower-cased, without parameters. */
export function mediaType(header: string | undefined): string {
  return (header ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}
