/**
 * GET /library/folders (the tree: top-level folders, paginated, children nested inside their parent),
 * GET /library/folders/{id}, POST /library/folders {name, parent_id} → 201 with the new folder.
 */
import { ERROR_KEYS, apiError } from '../error-bodies.ts';
import { drain, mediaType, readJsonBody, type RouteResult } from '../http-io.ts';
import { DEFAULT_LIST_LIMIT } from '../list-query.ts';
import { decodeNextToken, encodeNextToken, page } from '../pagination.ts';
import { folderRecord } from '../records.ts';
import type { RouteContext } from '../router.ts';
import { LIMITS } from '../vendor-facts.ts';
import { notFound } from './files.ts';

/** `GET /library/folders`: the tree, children nested in their parent. */
export async function listFolders({ url, state }: RouteContext): Promise<RouteResult> {
  const next = url.searchParams.get('next');
  const params = next === null ? url.searchParams : decodeNextToken(next);
  if (params === undefined)
    return { status: 400, body: [apiError(ERROR_KEYS.queryParamInvalid, 'next is not a valid page token.')] };
  const limit = Number(params.get('limit') ?? DEFAULT_LIST_LIMIT);
  if (!Number.isInteger(limit) || limit < 1 || limit > LIMITS.listLimitMax) {
    return {
      status: 400,
      body: [apiError(ERROR_KEYS.queryParamInvalid, `limit must be an integer from 1 to ${LIMITS.listLimitMax}.`)],
    };
  }
  const offset = Number(params.get('offset') ?? 0);
  const topLevel = state.store.folders.childrenOf(undefined);
  const body = page(
    topLevel,
    offset,
    limit,
    (nextOffset) => `/v2/library/folders?next=${encodeNextToken({ offset: nextOffset, limit })}`,
  );
  return { status: 200, body: { meta: body.meta, results: body.results.map((folder) => folderRecord(state, folder)) } };
}

/** `GET /library/folders/{id}`. */
export async function getFolder({ state, params }: RouteContext): Promise<RouteResult> {
  const folder = state.store.folders.get(params[0] ?? '');
  return folder === undefined ? notFound(`Folder ${params[0]}`) : { status: 200, body: folderRecord(state, folder) };
}

/** `POST /library/folders`. */
export async function createFolder({ req, state }: RouteContext): Promise<RouteResult> {
  if (mediaType(req.headers['content-type']) !== 'application/json') {
    await drain(req);
    return { status: 415, body: [apiError(ERROR_KEYS.unsupportedMediaType, 'Content-Type must be application/json.')] };
  }
  const body = await readJsonBody(req);
  if (!body.ok || typeof body.value !== 'object' || body.value === null || Array.isArray(body.value)) {
    return { status: 400, body: [apiError(ERROR_KEYS.payloadMalformed, 'The body must be a JSON object.')] };
  }
  const { name, parent_id: parentId } = body.value as Record<string, unknown>;
  const outcome = state.store.folders.create(
    name,
    parentId,
    state.clock.now(),
    state.settings.quirks.allowDuplicateFolderNames,
  );
  if (!outcome.ok) return { status: outcome.status, body: outcome.errors };
  return { status: 201, body: folderRecord(state, outcome.folder) };
}
