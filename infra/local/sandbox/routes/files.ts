/**
 * The file collection and individual files: GET /library/files, GET /library/folders/{id}/files,
 * GET|PUT|DELETE /library/files/{id}.
 *
 * Lists show files that are in use or on their way (Processing, Uploaded, Active); files that failed,
 * were infected or sit in the Trash are only reachable by id (and the Trash by its own list). DELETE
 * moves files to the Trash: their status becomes Deleted and the upload status says so.
 */
import { LIMITS } from '../vendor-facts.ts';
import { ERROR_KEYS, apiError } from '../error-bodies.ts';
import { drain, mediaType, readJsonBody, type ApiResponse, type RouteResult } from '../http-io.ts';
import { applyListQuery, nextTokenParams, parseListQuery } from '../list-query.ts';
import { encodeNextToken, page } from '../pagination.ts';
import { lastTransitionAt, statusAt } from '../processing.ts';
import { fileRecord } from '../records.ts';
import type { RouteContext } from '../router.ts';
import type { SandboxState } from '../state.ts';
import type { StoredFile } from '../store.ts';
import { ROOT_FOLDER_IDS } from '../folder-tree.ts';

const LISTED_STATUSES: ReadonlySet<string> = new Set(['Processing', 'Uploaded', 'Active']);

/** The vendor's 404 for a missing resource. */
export function notFound(what: string): ApiResponse {
  return { status: 404, body: [apiError(ERROR_KEYS.notFound, `${what} was not found.`)] };
}

/** `GET /library/files`. */
export async function listFiles({ url, state }: RouteContext): Promise<RouteResult> {
  return listed(state, url, '/v2/library/files', () => true);
}

/** `GET /library/folders/{id}/files`. */
export async function listFolderFiles({ url, state, params }: RouteContext): Promise<RouteResult> {
  const folderId = params[0] ?? '';
  const isRoot = ROOT_FOLDER_IDS.has(folderId);
  if (!isRoot && state.store.folders.get(folderId) === undefined) return notFound(`Folder ${folderId}`);
  return listed(state, url, `/v2/library/folders/${encodeURIComponent(folderId)}/files`, (file) =>
    isRoot ? file.folderId === undefined : file.folderId === folderId,
  );
}

function listed(state: SandboxState, url: URL, path: string, inScope: (file: StoredFile) => boolean): ApiResponse {
  const parsed = parseListQuery(url, { allowSource: true });
  if (!parsed.ok) return { status: 400, body: parsed.errors };
  const now = state.clock.now();
  const candidates = state.store
    .all()
    .filter((file) => inScope(file) && LISTED_STATUSES.has(statusAt(file.schedule, now)));
  const sorted = applyListQuery(candidates, parsed.query, (file) =>
    Math.max(file.modifiedAt, lastTransitionAt(file.schedule, now)),
  );
  const { query } = parsed;
  const body = page(
    sorted,
    query.offset,
    query.limit,
    (nextOffset) => `${path}?next=${encodeNextToken(nextTokenParams(query, nextOffset))}`,
  );
  return { status: 200, body: { meta: body.meta, results: body.results.map((file) => fileRecord(state, file)) } };
}

/** `GET /library/files/{id}`. */
export async function getFile({ state, params }: RouteContext): Promise<RouteResult> {
  const file = state.store.get(params[0] ?? '');
  return file === undefined ? notFound(`File ${params[0]}`) : { status: 200, body: fileRecord(state, file) };
}

/** PUT: name, description and folder_id may change; `include_payload=false` answers 204 + Location. */
export async function updateFile({ req, url, state, params }: RouteContext): Promise<RouteResult> {
  if (mediaType(req.headers['content-type']) !== 'application/json') {
    await drain(req);
    return { status: 415, body: [apiError(ERROR_KEYS.unsupportedMediaType, 'Content-Type must be application/json.')] };
  }
  const body = await readJsonBody(req);
  const file = state.store.get(params[0] ?? '');
  if (file === undefined) return notFound(`File ${params[0]}`);
  if (!body.ok || typeof body.value !== 'object' || body.value === null || Array.isArray(body.value)) {
    return { status: 400, body: [apiError(ERROR_KEYS.payloadMalformed, 'The body must be a JSON object.')] };
  }
  const changes = body.value as Record<string, unknown>;
  const errors = [];
  const name = changes.name;
  if (name !== undefined && (typeof name !== 'string' || name.trim() === ''))
    errors.push(apiError(ERROR_KEYS.fieldInvalid, 'name must be a non-empty string.'));
  else if (typeof name === 'string' && name.length > LIMITS.fileNameMaxLength)
    errors.push(apiError(ERROR_KEYS.maxLength, 'name is too long.'));
  const description = changes.description;
  if (description !== undefined && typeof description !== 'string')
    errors.push(apiError(ERROR_KEYS.fieldInvalid, 'description must be a string.'));
  else if (typeof description === 'string' && description.length > LIMITS.descriptionMaxLength) {
    errors.push(apiError(ERROR_KEYS.maxLength, 'description is too long.'));
  }
  const folderInput = changes.folder_id;
  let folderId = file.folderId;
  if (folderInput !== undefined && folderInput !== null) {
    const text = String(folderInput);
    if (ROOT_FOLDER_IDS.has(text)) folderId = undefined;
    else if (state.store.folders.get(text) !== undefined) folderId = text;
    else errors.push(apiError(ERROR_KEYS.fieldInvalid, `folder_id ${text} does not match any folder.`));
  }
  if (errors.length > 0) return { status: 400, body: errors };
  if (typeof name === 'string') file.name = name;
  if (typeof description === 'string') file.description = description;
  file.folderId = folderId;
  file.modifiedAt = state.clock.now();
  if (url.searchParams.get('include_payload')?.toLowerCase() === 'false') {
    return { status: 204, headers: { Location: `${state.origin}/v2/library/files/${file.id}` } };
  }
  return { status: 200, body: fileRecord(state, file) };
}

/** DELETE one file, or several separated by commas: they go to the Trash (status Deleted). */
export async function deleteFile({ state, params }: RouteContext): Promise<RouteResult> {
  const ids = (params[0] ?? '').split(',').filter((id) => id !== '');
  const files = ids.map((id) => state.store.get(id));
  if (files.length === 0 || files.some((file) => file === undefined)) return notFound(`File ${params[0]}`);
  const now = state.clock.now();
  for (const file of files) {
    if (file !== undefined && file.schedule.deletedAt === undefined) {
      file.schedule.deletedAt = now;
      file.modifiedAt = now;
    }
  }
  return { status: 204 };
}
