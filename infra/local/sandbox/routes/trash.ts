/**
 * The Trash: GET /library/folders/trash/files lists deleted files (same query as the file lists),
 * DELETE /library/folders/trash/files removes them for good (their upload status disappears).
 */
import { applyListQuery, nextTokenParams, parseListQuery } from '../list-query.ts';
import { encodeNextToken, page } from '../pagination.ts';
import { statusAt } from '../processing.ts';
import { fileRecord } from '../records.ts';
import type { RouteResult } from '../http-io.ts';
import type { RouteContext } from '../router.ts';

/** `GET /library/folders/trash/files`. */
export async function listTrash({ url, state }: RouteContext): Promise<RouteResult> {
  const parsed = parseListQuery(url, { allowSource: false });
  if (!parsed.ok) return { status: 400, body: parsed.errors };
  const now = state.clock.now();
  const deleted = state.store.all().filter((file) => statusAt(file.schedule, now) === 'Deleted');
  const { query } = parsed;
  const sorted = applyListQuery(deleted, query, (file) => file.modifiedAt);
  const body = page(
    sorted,
    query.offset,
    query.limit,
    (nextOffset) => `/v2/library/folders/trash/files?next=${encodeNextToken(nextTokenParams(query, nextOffset))}`,
  );
  // The vendor's Trash example names the type `type`, not `file_type`: send both.
  return {
    status: 200,
    body: {
      meta: body.meta,
      results: body.results.map((file) => ({ ...fileRecord(state, file), type: file.fileType })),
    },
  };
}

/** `DELETE /library/folders/trash/files`. */
export async function emptyTrash({ state }: RouteContext): Promise<RouteResult> {
  const now = state.clock.now();
  for (const file of state.store.all()) {
    if (statusAt(file.schedule, now) === 'Deleted') state.store.remove(file.id);
  }
  return { status: 204 };
}
