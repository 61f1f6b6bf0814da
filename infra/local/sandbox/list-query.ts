/**
 * Query parameters of the file lists (GET /library/files, /library/folders/{id}/files, the Trash):
 * limit 1-1000 (default 50), sort_by (default CREATED_DATE_DESC), type, source, or a `next` token that
 * carries all of them. Values outside the documented sets are refused with 400 `query.param.invalid`
 * rather than ignored, so a client typo does not silently return the wrong list.
 */
import { FILE_SOURCES, LIMITS, SORT_ORDERS, type SortOrder } from './vendor-facts.ts';
import { ERROR_KEYS, apiError, type ApiErrorBody } from './error-bodies.ts';
import { decodeNextToken } from './pagination.ts';
import type { StoredFile } from './store.ts';

/** A file list's query, validated. */
export interface ListQuery {
  offset: number;
  limit: number;
  sortBy: SortOrder;
  type: 'ALL' | 'IMAGES' | 'DOCUMENTS';
  source: string;
}

/** Results per page when `limit` is not given. */
export const DEFAULT_LIST_LIMIT = 50;

/** Reads a list query; `next`, when present, replaces every other parameter. */
export function parseListQuery(
  url: URL,
  options: { allowSource: boolean },
): { ok: true; query: ListQuery } | { ok: false; errors: ApiErrorBody[] } {
  const next = url.searchParams.get('next');
  const params = next === null ? url.searchParams : decodeNextToken(next);
  if (params === undefined)
    return { ok: false, errors: [apiError(ERROR_KEYS.queryParamInvalid, 'next is not a valid page token.')] };
  const errors: ApiErrorBody[] = [];

  const limitText = params.get('limit');
  const limit = limitText === null ? DEFAULT_LIST_LIMIT : Number(limitText);
  if (!Number.isInteger(limit) || limit < 1 || limit > LIMITS.listLimitMax) {
    errors.push(apiError(ERROR_KEYS.queryParamInvalid, `limit must be an integer from 1 to ${LIMITS.listLimitMax}.`));
  }

  const sortText = (params.get('sort_by') ?? 'CREATED_DATE_DESC').toUpperCase();
  const sortBy = SORT_ORDERS.find((order) => order === sortText);
  if (sortBy === undefined)
    errors.push(apiError(ERROR_KEYS.queryParamInvalid, `sort_by must be one of ${SORT_ORDERS.join(', ')}.`));

  const typeText = (params.get('type') ?? 'ALL').toUpperCase();
  const type =
    typeText === 'ALL'
      ? 'ALL'
      : typeText.startsWith('IMAGE')
        ? 'IMAGES'
        : typeText.startsWith('DOCUMENT')
          ? 'DOCUMENTS'
          : undefined;
  if (type === undefined || (typeText !== 'ALL' && !['IMAGE', 'IMAGES', 'DOCUMENT', 'DOCUMENTS'].includes(typeText))) {
    errors.push(apiError(ERROR_KEYS.queryParamInvalid, 'type must be ALL, IMAGES or DOCUMENTS.'));
  }

  const sourceText = params.get('source') ?? 'ALL';
  const source =
    sourceText.toUpperCase() === 'ALL'
      ? 'ALL'
      : FILE_SOURCES.find((value) => value.toLowerCase() === sourceText.toLowerCase());
  if (source === undefined || (!options.allowSource && source !== 'ALL')) {
    errors.push(apiError(ERROR_KEYS.queryParamInvalid, `source must be ALL or one of ${FILE_SOURCES.join(', ')}.`));
  }

  const offset = Number(params.get('offset') ?? 0);
  if (errors.length > 0 || sortBy === undefined || type === undefined || source === undefined)
    return { ok: false, errors };
  return { ok: true, query: { offset, limit, sortBy, type, source } };
}

/** Filters and sorts files as the query asks; ties keep id order so pages are stable. */
export function applyListQuery(
  files: readonly StoredFile[],
  query: ListQuery,
  modifiedAt: (file: StoredFile) => number,
): StoredFile[] {
  const filtered = files.filter(
    (file) =>
      (query.type === 'ALL' || (query.type === 'IMAGES') === file.isImage) &&
      (query.source === 'ALL' || file.source === query.source),
  );
  const descending = query.sortBy.endsWith('_DESC');
  const field = query.sortBy.replace(/_DESC$/, '');
  const key = (file: StoredFile): number | string => {
    switch (field) {
      case 'CREATED_DATE':
        return file.createdAt;
      case 'MODIFIED_DATE':
        return modifiedAt(file);
      case 'NAME':
        return file.name.toLowerCase();
      case 'SIZE':
        return file.size;
      default:
        return file.width * file.height;
    }
  };
  return [...filtered].sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    const order = ka < kb ? -1 : ka > kb ? 1 : Number(a.id) - Number(b.id);
    return descending ? -order : order;
  });
}

/** The token parameters that reproduce `query` from `offset` on. */
export function nextTokenParams(query: ListQuery, offset: number): Record<string, string | number> {
  return { offset, limit: query.limit, sort_by: query.sortBy, type: query.type, source: query.source };
}
