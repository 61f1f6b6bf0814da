/**
 * Offset pagination with opaque `next` tokens, shaped like the vendor's:
 * `meta.pagination.next_link` = `/v2/library/files?next=b2Zmc2V0PTQmbGltaXQ9NA` (base64url of
 * `offset=4&limit=4`, plus the list's filters), and `"pagination": {}` on the last page.
 *
 * The link deliberately carries no api_key, as the vendor's does not: the client must add it back, and
 * the sandbox requires it on these requests like on any other.
 */

/** The opaque `next` token that carries a list's position and query. */
export function encodeNextToken(params: Record<string, string | number>): string {
  const query = Object.entries(params)
    .map(([key, value]) => `${key}=${encodeURIComponent(String(value))}`)
    .join('&');
  return Buffer.from(query, 'utf8').toString('base64url');
}

/** The parameters inside a token, or undefined when it is not one of ours. */
export function decodeNextToken(token: string): URLSearchParams | undefined {
  if (!/^[A-Za-z0-9_-]+$/.test(token)) return undefined;
  const params = new URLSearchParams(Buffer.from(token, 'base64url').toString('utf8'));
  const offset = Number(params.get('offset'));
  const limit = Number(params.get('limit'));
  if (!Number.isInteger(offset) || offset < 0 || !Number.isInteger(limit) || limit < 1) return undefined;
  return params;
}

/** One page of a list, with the next link when there is more. */
export interface Paged<T> {
  meta: { pagination: { next_link?: string } };
  results: T[];
}

/**
 * One page of `items` from `offset`; `nextLinkFor(nextOffset)` builds the link to the following page
 * when there is one.
 */
export function page<T>(
  items: readonly T[],
  offset: number,
  limit: number,
  nextLinkFor: (nextOffset: number) => string,
): Paged<T> {
  const results = items.slice(offset, offset + limit);
  const nextOffset = offset + limit;
  return {
    meta: { pagination: nextOffset < items.length ? { next_link: nextLinkFor(nextOffset) } : {} },
    results,
  };
}
