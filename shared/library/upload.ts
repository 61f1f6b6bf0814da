/**
 * `POST /library/files`: the multipart upload, streamed from a one-shot source (an S3 GetObject body).
 *
 * The body cannot be replayed, so a 401 is not retried here: the credentials are refreshed and the
 * caller retries with a fresh stream. A failure always destroys the source. docs/library-api.md, "The
 * client", explains which failures leave the file certainly not stored.
 */
import type { Readable } from 'node:stream';
import { errorFromResponse, protocolError } from './error-mapping.ts';
import { LibraryError, LibrarySourceError } from './errors.ts';
import type { ExchangeResponse, HttpTransport } from './http.ts';
import { createUploadBody } from './multipart.ts';
import type { UploadBody } from './multipart.ts';
import { endpointTarget } from './pagination.ts';
import type { BaseLocation } from './pagination.ts';
import { redactText, sanitizeCause } from './redact.ts';
import type { LibraryRequester } from './requester.ts';
import type { CredentialsProvider, LibraryCredentials, UploadFileInput, UploadFileResult } from './types.ts';
import { validateUploadInput } from './validation.ts';

const operation = 'uploadFile';

/** What an upload needs from the client that sends it. */
export interface UploadContext {
  base: BaseLocation;
  transport: HttpTransport;
  requester: LibraryRequester;
  credentials: CredentialsProvider;
}

/** Errors an upload threw before a byte of it left (see `uploadCertainlyNotStored`). */
const refusedBeforeSending = new WeakSet<object>();

/**
 * True when a failed `uploadFile` certainly stored nothing in the library: it failed before sending
 * (input, credentials, rate limit: whatever error the caller's hooks threw), the request cannot have
 * reached the server (refused connection, a broken source stream), or the API answered with a 4xx
 * (refused credentials, throttled, forbidden, not found, invalid). A 5xx, a time-out or a reset after
 * the body was sent, or a 202 without a usable Location stay ambiguous: the file may exist.
 */
export function uploadCertainlyNotStored(error: unknown): boolean {
  if (typeof error === 'object' && error !== null && refusedBeforeSending.has(error)) return true;
  if (!(error instanceof LibraryError)) return false;
  if (!error.mayHaveReachedServer) return true;
  return error.status !== undefined && error.status >= 400 && error.status < 500;
}

/** Path words that can end a Location header but are not a file id. */
const NOT_AN_ID = new Set(['files', 'library', 'uploadstatus', 'v2', 'folders']);

/**
 * The file id in an upload's Location header: its last path segment, whatever the host or path prefix,
 * ignoring a query, a fragment and trailing slashes. Undefined when there is no plausible id.
 */
export function fileIdFromLocation(location: string | undefined): string | undefined {
  if (location === undefined) return undefined;
  const withoutQuery = location.trim().split(/[?#]/, 1)[0] ?? '';
  const segments = withoutQuery.split('/').filter((s) => s !== '');
  // A bare host ("https://api.example.com") has no path segment to take.
  if (/^[a-z][a-z0-9+.-]*:$/i.test(segments[0] ?? '') && segments.length <= 2) return undefined;
  const last = segments.at(-1);
  if (last === undefined) return undefined;
  const id = decodeSegment(last).trim();
  if (id === '' || NOT_AN_ID.has(id.toLowerCase()) || /[\s,]/.test(id)) return undefined;
  return id;
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** Uploads one file; resolves on 202 with a Location naming the new file's id. */
export async function uploadFile(context: UploadContext, input: UploadFileInput): Promise<UploadFileResult> {
  const credentials = await prepare(context.requester, input);
  const body = createUploadBody(input);
  try {
    await sourceReady(body, credentials);
    const response = await context.transport.exchange({
      operation,
      method: 'POST',
      target: endpointTarget(context.base, '/library/files'),
      credentials,
      headers: { 'content-type': body.contentType, 'content-length': String(body.contentLength) },
      body: body.stream,
      sourceError: body.sourceError,
    });
    return await accepted(context, response);
  } catch (error) {
    body.dispose();
    throw error;
  }
}

/** Validation, credentials and the limiter; a failure here sent nothing and closes the source. */
async function prepare(requester: LibraryRequester, input: UploadFileInput): Promise<LibraryCredentials> {
  try {
    validateUploadInput(input);
    const credentials = await requester.credentialsFor(operation, false);
    await requester.beforeRequest(operation);
    return credentials;
  } catch (error) {
    // The stream was handed over to be consumed: never leave it (and its S3 socket) open.
    destroyQuietly(input?.data);
    if (typeof error === 'object' && error !== null) refusedBeforeSending.add(error);
    throw error;
  }
}

/** Waits until the body may be sent (an empty file's source must prove empty first). */
async function sourceReady(body: UploadBody, credentials: LibraryCredentials): Promise<void> {
  try {
    await body.ready;
  } catch (error) {
    const secrets = [credentials.apiKey, credentials.accessToken];
    const message = redactText(error instanceof Error ? error.message : String(error), secrets);
    throw new LibrarySourceError(`${operation}: ${message}`, { operation, cause: sanitizeCause(error, secrets) });
  }
}

/** The upload's result from a 202 with a usable Location; any other answer rejects. */
async function accepted(context: UploadContext, response: ExchangeResponse): Promise<UploadFileResult> {
  if (response.status === 401) {
    // No replay: the stream is spent. Refresh now so the caller's retry uses the new secret.
    await context.credentials({ forceRefresh: true }).catch(() => undefined);
    throw errorFromResponse(response.context, response.status, response.bodyText, response.headers);
  }
  if (response.status >= 200 && response.status < 300 && response.status !== 202)
    throw protocolError(
      response.context,
      response.status,
      'the upload contract is 202 Accepted with a Location header',
    );
  if (response.status !== 202)
    throw errorFromResponse(response.context, response.status, response.bodyText, response.headers);
  const header = response.headers['location'];
  const location = Array.isArray(header) ? header[0] : header;
  const fileId = fileIdFromLocation(location);
  if (location === undefined || fileId === undefined) {
    const problem = location === undefined ? 'sent no Location header' : 'sent a Location header without a file id';
    throw protocolError(response.context, response.status, problem);
  }
  return { fileId, location };
}

function destroyQuietly(stream: Readable | undefined): void {
  try {
    if (stream && typeof stream.destroy === 'function' && !stream.destroyed) stream.destroy();
  } catch {
    // Nothing more to do.
  }
}
