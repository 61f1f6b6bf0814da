/**
 * `createLibraryClient`: the Constant Contact v2 MyLibrary client the functions share.
 *
 * Per request: the credentials come from the provider, `beforeRequest` is awaited (the shared rate
 * limiter), the request carries `api_key` + `Authorization: Bearer` + `Accept: application/json`, and
 * `onRequest` hears about the exchange with a redacted URL. Bad input is refused before any of that
 * (LibraryInputError), so it costs no request.
 *
 * 401 handling: the provider is asked once more with `{ forceRefresh: true }` (a rotated secret) and
 * the request is retried once. Uploads are the exception: their body is a one-shot stream (an S3
 * GetObject body) already consumed by the first attempt, so the client refreshes the credentials and
 * rejects with LibraryUnauthorizedError; the caller re-reads the object and retries with a fresh stream,
 * which then uses the refreshed credentials.
 *
 * Reads (GET) that fail fast, with a 5xx or a refused or reset connection, are retried in place up to
 * `readRetries` times (default 2) with jittered backoff: they are idempotent, and a caller such as
 * ingest's search-before-repost makes several reads in a row, which otherwise all had to succeed in
 * one go. Time-outs are not retried here (the wait is already spent); writes never are.
 */
import type { Readable } from 'node:stream';
import type * as z from 'zod';
import {
  LibraryError,
  LibraryNetworkError,
  LibraryProtocolError,
  LibraryServerError,
  LibrarySourceError,
} from './errors.ts';
import type {
  LibraryClient,
  LibraryClientOptions,
  LibraryCredentials,
  LibraryFile,
  LibraryFolder,
  LibraryInfo,
  LibraryOperation,
  ListFilesOptions,
  Page,
  UploadFileInput,
  UploadFileResult,
  UploadStatus,
} from './types.ts';
import { DEFAULT_CONNECTIONS, DEFAULT_TIMEOUTS, HttpTransport } from './http.ts';
import type { ExchangeResponse, TransportTimeouts } from './http.ts';
import { endpointTarget, parseBaseUrl, resolveNextLink } from './pagination.ts';
import type { BaseLocation, RequestTarget } from './pagination.ts';
import { errorFromResponse, protocolError } from './error-mapping.ts';
import { createUploadBody } from './multipart.ts';
import { redactText, sanitizeCause } from './redact.ts';
import {
  validateCredentials,
  validateFolderName,
  validateId,
  validateListOptions,
  validateStatusIds,
  validateUploadInput,
} from './validation.ts';
import {
  buildFolderTree,
  nextLinkOf,
  toLibraryFile,
  toLibraryFolder,
  toLibraryInfo,
  toUploadStatuses,
  wireCreatedFolderSchema,
  wireFilePageSchema,
  wireFileSchema,
  wireFolderPageSchema,
  wireInfoSchema,
  wireUploadStatusListSchema,
} from './wire-schemas.ts';
import type { WireFolder } from './wire-schemas.ts';

/** Ids per upload-status request by default. */
export const DEFAULT_STATUS_CHUNK_SIZE = 50;
/** Longest ids segment of an upload-status URL (keeps the whole URL far below common 8 KB limits). */
export const MAX_STATUS_IDS_PATH_LENGTH = 1800;
/** Safety stop for pagination loops (1000 pages of up to 1000 items). */
const MAX_PAGES = 1000;
/** Extra attempts for a read that failed fast (5xx, connection refused or reset). */
export const DEFAULT_READ_RETRIES = 2;

/** A failure worth retrying in place: the API answered 5xx, or the connection failed (not a time-out). */
function failedFast(error: unknown): boolean {
  return error instanceof LibraryServerError || error instanceof LibraryNetworkError;
}

function nonNegativeInteger(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value < 0)
    throw new TypeError(`LibraryClientOptions.${name} must be a non-negative integer`);
  return value;
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
 * The file id in an upload's Location header: its last path segment, whatever the host or path prefix
 * (every vendor SDK does the same), ignoring a query, a fragment and trailing slashes. Undefined when
 * there is no plausible id.
 */
export function fileIdFromLocation(location: string | undefined): string | undefined {
  if (location === undefined) return undefined;
  const withoutQuery = location.trim().split(/[?#]/, 1)[0] ?? '';
  const segments = withoutQuery.split('/').filter((s) => s !== '');
  // A bare host ("https://api.example.com") has no path segment to take.
  if (/^[a-z][a-z0-9+.-]*:$/i.test(segments[0] ?? '') && segments.length <= 2) return undefined;
  const last = segments.at(-1);
  if (last === undefined) return undefined;
  let id = last;
  try {
    id = decodeURIComponent(last);
  } catch {
    // Keep the raw segment.
  }
  id = id.trim();
  if (id === '' || NOT_AN_ID.has(id.toLowerCase()) || /[\s,]/.test(id)) return undefined;
  return id;
}

/**
 * Splits ids into groups for the upload-status URL: at most `chunkSize` ids and at most
 * `maxPathLength` characters of encoded, comma-separated ids per group.
 */
export function chunkStatusIds(
  ids: readonly string[],
  chunkSize: number,
  maxPathLength = MAX_STATUS_IDS_PATH_LENGTH,
): string[][] {
  const chunks: string[][] = [];
  let current: string[] = [];
  let length = 0;
  for (const id of ids) {
    const encodedLength = encodeURIComponent(id).length;
    const added = current.length === 0 ? encodedLength : encodedLength + 1;
    if (current.length > 0 && (current.length >= chunkSize || length + added > maxPathLength)) {
      chunks.push(current);
      current = [];
      length = 0;
    }
    length += current.length === 0 ? encodedLength : encodedLength + 1;
    current.push(id);
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

function resolveTimeouts(timeouts: LibraryClientOptions['timeouts']): TransportTimeouts {
  const resolved = { ...DEFAULT_TIMEOUTS };
  for (const key of ['connectMs', 'headersMs', 'bodyMs'] as const) {
    const value = timeouts?.[key];
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0)
      throw new TypeError(`LibraryClientOptions.timeouts.${key} must be a positive number of milliseconds`);
    resolved[key] = value;
  }
  return resolved;
}

function positiveInteger(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 1)
    throw new TypeError(`LibraryClientOptions.${name} must be a positive integer`);
  return value;
}

function destroyQuietly(stream: Readable | undefined): void {
  try {
    if (stream && typeof stream.destroy === 'function' && !stream.destroyed) stream.destroy();
  } catch {
    // Nothing more to do.
  }
}

const encodeId = (id: string): string => encodeURIComponent(id);

/**
 * Creates a client with its own keep-alive pool. Throws a TypeError for unusable options (a base URL that
 * is not http(s), carries credentials or a query; non-positive timeouts or sizes).
 */
export function createLibraryClient(options: LibraryClientOptions): LibraryClient {
  if (typeof options?.credentials !== 'function')
    throw new TypeError('LibraryClientOptions.credentials must be a provider function');
  const base: BaseLocation = parseBaseUrl(options.baseUrl);
  const statusChunkSize = positiveInteger(options.statusChunkSize, DEFAULT_STATUS_CHUNK_SIZE, 'statusChunkSize');
  const transport = new HttpTransport({
    base,
    timeouts: resolveTimeouts(options.timeouts),
    connections: positiveInteger(options.connections, DEFAULT_CONNECTIONS, 'connections'),
    onRequest: options.onRequest,
  });

  const readRetries =
    options.readRetries === undefined ? DEFAULT_READ_RETRIES : nonNegativeInteger(options.readRetries, 'readRetries');
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));

  async function credentialsFor(operation: LibraryOperation, forceRefresh: boolean): Promise<LibraryCredentials> {
    const credentials = await options.credentials(forceRefresh ? { forceRefresh: true } : undefined);
    return validateCredentials(operation, credentials);
  }

  async function beforeRequest(operation: LibraryOperation): Promise<void> {
    if (options.beforeRequest) await options.beforeRequest(operation);
  }

  /**
   * One request with a replayable body: credentials, limiter, exchange; on 401 once more with refreshed
   * credentials. Rejects with the typed error unless the status is one of `expected`.
   */
  async function send(
    operation: LibraryOperation,
    method: 'GET' | 'POST' | 'DELETE',
    target: RequestTarget,
    expected: (status: number) => boolean,
    body?: { json: unknown },
  ): Promise<ExchangeResponse> {
    const headers: Record<string, string> = body ? { 'content-type': 'application/json' } : {};
    const payload = body ? JSON.stringify(body.json) : undefined;
    const once = async (): Promise<ExchangeResponse> => {
      let response: ExchangeResponse | undefined;
      for (let attempt = 0; attempt < 2; attempt++) {
        const credentials = await credentialsFor(operation, attempt > 0);
        await beforeRequest(operation);
        response = await transport.exchange({
          operation,
          method,
          target,
          credentials,
          headers,
          ...(payload === undefined ? {} : { body: payload }),
        });
        if (response.status !== 401) break;
      }
      if (!response) throw new Error('unreachable');
      if (!expected(response.status))
        throw errorFromResponse(response.context, response.status, response.bodyText, response.headers);
      return response;
    };
    if (method !== 'GET') return once();
    for (let retry = 0; ; retry++) {
      try {
        return await once();
      } catch (error) {
        if (retry >= readRetries || !failedFast(error)) throw error;
        // Jittered backoff: 100-200 ms, then 200-400 ms… (each attempt also waits for a rate-limit slot).
        await sleep(100 * 2 ** retry * (1 + Math.random()));
      }
    }
  }

  /** Parses and validates a JSON answer; anything unexpected is a LibraryProtocolError. */
  function parseJson<S extends z.ZodType>(
    response: ExchangeResponse,
    schema: S,
    options: { emptyAs?: unknown } = {},
  ): z.output<S> {
    let value: unknown;
    const text = response.bodyText.trim();
    if (text === '' && 'emptyAs' in options) {
      value = options.emptyAs;
    } else {
      try {
        value = JSON.parse(text);
      } catch (error) {
        throw protocolError(response.context, response.status, 'sent a body that is not JSON', error);
      }
    }
    const result = schema.safeParse(value);
    if (!result.success) {
      const problems = result.error.issues
        .slice(0, 5)
        .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
        .join('; ');
      throw protocolError(
        response.context,
        response.status,
        `sent an unexpected body (${redactText(problems, response.context.secrets)})`,
      );
    }
    return result.data;
  }

  const isOk = (status: number): boolean => status === 200;
  const is2xx = (status: number): boolean => status >= 200 && status < 300;

  async function filePage(operation: LibraryOperation, target: RequestTarget): Promise<Page<LibraryFile>> {
    const response = await send(operation, 'GET', target, isOk);
    const page = parseJson(response, wireFilePageSchema);
    const nextLink = nextLinkOf(page.meta);
    return { results: (page.results ?? []).map(toLibraryFile), ...(nextLink === undefined ? {} : { nextLink }) };
  }

  function listTarget(path: string, listOptions: ListFilesOptions): RequestTarget {
    if (listOptions.next !== undefined) return resolveNextLink(base, listOptions.next, `${base.basePath}${path}`);
    return endpointTarget(base, path, {
      limit: listOptions.limit,
      sort_by: listOptions.sortBy,
      type: listOptions.type,
      source: listOptions.source,
    });
  }

  const client: LibraryClient = {
    async uploadFile(input: UploadFileInput): Promise<UploadFileResult> {
      const operation = 'uploadFile';
      let credentials: LibraryCredentials;
      try {
        validateUploadInput(input);
        credentials = await credentialsFor(operation, false);
        await beforeRequest(operation);
      } catch (error) {
        // The stream was handed over to be consumed: never leave it (and its S3 socket) open.
        destroyQuietly(input?.data);
        // Invalid input, no credentials, no rate-limit slot, credentials on hold: nothing was sent.
        if (typeof error === 'object' && error !== null) refusedBeforeSending.add(error);
        throw error;
      }

      const target = endpointTarget(base, '/library/files');
      const body = createUploadBody(input);
      try {
        try {
          await body.ready;
        } catch (error) {
          throw new LibrarySourceError(
            `${operation}: ${redactText(error instanceof Error ? error.message : String(error), [credentials.apiKey, credentials.accessToken])}`,
            {
              operation,
              cause: sanitizeCause(error, [credentials.apiKey, credentials.accessToken]),
            },
          );
        }
        const response = await transport.exchange({
          operation,
          method: 'POST',
          target,
          credentials,
          headers: { 'content-type': body.contentType, 'content-length': String(body.contentLength) },
          body: body.stream,
          sourceError: body.sourceError,
        });

        if (response.status === 401) {
          // No replay: the stream is spent. Refresh now so the caller's retry uses the new secret.
          await options.credentials({ forceRefresh: true }).catch(() => undefined);
          throw errorFromResponse(response.context, response.status, response.bodyText, response.headers);
        }
        if (response.status !== 202) {
          if (is2xx(response.status))
            throw protocolError(
              response.context,
              response.status,
              'the upload contract is 202 Accepted with a Location header',
            );
          throw errorFromResponse(response.context, response.status, response.bodyText, response.headers);
        }
        const header = response.headers['location'];
        const location = Array.isArray(header) ? header[0] : header;
        const fileId = fileIdFromLocation(location);
        if (location === undefined || fileId === undefined) {
          throw protocolError(
            response.context,
            response.status,
            location === undefined ? 'sent no Location header' : 'sent a Location header without a file id',
          );
        }
        return { fileId, location };
      } catch (error) {
        body.dispose();
        throw error;
      }
    },

    async getUploadStatus(fileIds: readonly string[]): Promise<UploadStatus[]> {
      const operation = 'getUploadStatus';
      const ids = [...new Set(validateStatusIds(fileIds))];
      const statuses: UploadStatus[] = [];
      for (const chunk of chunkStatusIds(ids, statusChunkSize)) {
        const target = endpointTarget(base, `/library/files/uploadstatus/${chunk.map(encodeId).join(',')}`);
        const response = await send(operation, 'GET', target, isOk);
        statuses.push(...toUploadStatuses(parseJson(response, wireUploadStatusListSchema, { emptyAs: null }), chunk));
      }
      return statuses;
    },

    async getFile(fileId: string): Promise<LibraryFile> {
      const operation = 'getFile';
      const id = validateId(operation, 'fileId', fileId);
      const response = await send(operation, 'GET', endpointTarget(base, `/library/files/${encodeId(id)}`), isOk);
      return toLibraryFile(parseJson(response, wireFileSchema));
    },

    async listFiles(listOptions: ListFilesOptions = {}): Promise<Page<LibraryFile>> {
      validateListOptions('listFiles', listOptions);
      return filePage('listFiles', listTarget('/library/files', listOptions));
    },

    async listFolderFiles(folderId: string, listOptions: ListFilesOptions = {}): Promise<Page<LibraryFile>> {
      const operation = 'listFolderFiles';
      const id = validateId(operation, 'folderId', folderId);
      validateListOptions(operation, listOptions);
      return filePage(operation, listTarget(`/library/folders/${encodeId(id)}/files`, listOptions));
    },

    async *iterateFiles(iterateOptions: ListFilesOptions & { folderId?: string } = {}): AsyncGenerator<LibraryFile> {
      const { folderId, ...listOptions } = iterateOptions;
      const seen = new Set<string>();
      let page =
        folderId === undefined
          ? await client.listFiles(listOptions)
          : await client.listFolderFiles(folderId, listOptions);
      for (let pages = 1; ; pages++) {
        yield* page.results;
        const next = page.nextLink;
        if (next === undefined) return;
        if (seen.has(next) || pages >= MAX_PAGES) {
          throw new LibraryProtocolError(
            `${folderId === undefined ? 'listFiles' : 'listFolderFiles'}: pagination does not end (next_link repeats or more than ${MAX_PAGES} pages)`,
            {
              operation: folderId === undefined ? 'listFiles' : 'listFolderFiles',
            },
          );
        }
        seen.add(next);
        page =
          folderId === undefined ? await client.listFiles({ next }) : await client.listFolderFiles(folderId, { next });
      }
    },

    async listFolders(): Promise<LibraryFolder[]> {
      const operation = 'listFolders';
      const path = `${base.basePath}/library/folders`;
      const wireFolders: WireFolder[] = [];
      const seen = new Set<string>();
      let target: RequestTarget = endpointTarget(base, '/library/folders');
      for (let pages = 1; ; pages++) {
        const page = parseJson(await send(operation, 'GET', target, isOk), wireFolderPageSchema);
        wireFolders.push(...(page.results ?? []));
        const next = nextLinkOf(page.meta);
        if (next === undefined) break;
        if (seen.has(next) || pages >= MAX_PAGES) {
          throw new LibraryProtocolError(
            `${operation}: pagination does not end (next_link repeats or more than ${MAX_PAGES} pages)`,
            { operation },
          );
        }
        seen.add(next);
        target = resolveNextLink(base, next, path);
      }
      return buildFolderTree(wireFolders);
    },

    async createFolder(name: string, parentId?: string): Promise<LibraryFolder> {
      const operation = 'createFolder';
      const folderName = validateFolderName(name);
      const parent = parentId === undefined ? undefined : validateId(operation, 'parentId', parentId);
      const json = parent === undefined ? { name: folderName } : { name: folderName, parent_id: parent };
      const response = await send(operation, 'POST', endpointTarget(base, '/library/folders'), is2xx, { json });
      return toLibraryFolder(parseJson(response, wireCreatedFolderSchema));
    },

    async getLibraryInfo(): Promise<LibraryInfo> {
      const response = await send('getLibraryInfo', 'GET', endpointTarget(base, '/library/info'), isOk);
      return toLibraryInfo(parseJson(response, wireInfoSchema));
    },

    async deleteFile(fileId: string): Promise<void> {
      const operation = 'deleteFile';
      const id = validateId(operation, 'fileId', fileId);
      await send(operation, 'DELETE', endpointTarget(base, `/library/files/${encodeId(id)}`), is2xx);
    },

    async close(): Promise<void> {
      await transport.close();
    },
  };
  return client;
}
