/**
 * Request targets and `meta.pagination.next_link`: a link is followed on the configured origin only
 * (credentials never go anywhere else), with the base path added once and any api_key dropped. The
 * link's forms: docs/library-api.md, "Pagination".
 */
import { LibraryProtocolError } from './errors.ts';
import type { LibraryOperation, Page } from './types.ts';

/** Safety stop for pagination loops (1000 pages of up to 1000 items). */
export const MAX_PAGES = 1000;

/** The configured base URL, split. */
export interface BaseLocation {
  /** e.g. `https://api.constantcontact.com` */
  origin: string;
  /** e.g. `/v2`, no trailing slash; `''` when the API sits at the root. */
  basePath: string;
}

/** Where a request goes, on the configured origin. */
export interface RequestTarget {
  /** Absolute path on the configured origin, base path included. */
  path: string;
  /** Query parameters, without api_key. */
  query: URLSearchParams;
}

/** Splits a configured base URL into origin and base path; rejects what cannot be a base URL. */
export function parseBaseUrl(baseUrl: string): BaseLocation {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new TypeError('LibraryClientOptions.baseUrl is not a valid URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new TypeError('LibraryClientOptions.baseUrl must be http or https');
  if (url.username !== '' || url.password !== '')
    throw new TypeError('LibraryClientOptions.baseUrl must not carry user info');
  if (url.search !== '' || url.hash !== '')
    throw new TypeError(
      'LibraryClientOptions.baseUrl must not have a query or fragment (credentials come from the provider)',
    );
  return { origin: url.origin, basePath: url.pathname.replace(/\/+$/, '') };
}

/** The target of an endpoint path such as `/library/files`, below the base path. */
export function endpointTarget(
  base: BaseLocation,
  endpointPath: string,
  query: Record<string, string | number | undefined> = {},
): RequestTarget {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value !== undefined) params.set(name, String(value));
  }
  return { path: `${base.basePath}${endpointPath}`, query: params };
}

/**
 * The request target of a `next_link`.
 *
 * @param currentPath the path of the page that gave the link, for a bare `?next=...` link.
 */
export function resolveNextLink(base: BaseLocation, nextLink: string, currentPath?: string): RequestTarget {
  const link = nextLink.trim();
  let url: URL;
  if (link.startsWith('?') && currentPath !== undefined) {
    url = new URL(`${currentPath}${link}`, base.origin);
  } else if (/^[a-z][a-z0-9+.-]*:/i.test(link) || link.startsWith('/')) {
    // Absolute URL or origin-relative path: only its path and query are kept.
    url = new URL(link, base.origin);
  } else {
    // Relative to the base path, e.g. `library/files?next=...`.
    url = new URL(link, `${base.origin}${base.basePath}/`);
  }
  let path = url.pathname;
  const prefix = base.basePath;
  if (prefix !== '' && path !== prefix && !path.startsWith(`${prefix}/`)) {
    path = `${prefix}${path.startsWith('/') ? '' : '/'}${path}`;
  }
  const query = new URLSearchParams(url.search);
  query.delete('api_key');
  return { path, query };
}

/** Path and query as sent, with the api_key as the first parameter. */
export function targetToPathWithKey(target: RequestTarget, apiKey: string): string {
  const query = new URLSearchParams();
  query.set('api_key', apiKey);
  for (const [name, value] of target.query) {
    if (name !== 'api_key') query.append(name, value);
  }
  return `${target.path}?${query.toString()}`;
}

/**
 * Every item of every page, lazily: `first()` gives the first page, `next(link)` each following one.
 * Throws a LibraryProtocolError when a link repeats or the pages exceed MAX_PAGES (a broken API must
 * not keep a function busy forever).
 */
export async function* paginate<T>(
  operation: LibraryOperation,
  first: () => Promise<Page<T>>,
  next: (nextLink: string) => Promise<Page<T>>,
): AsyncGenerator<T> {
  const seen = new Set<string>();
  let page = await first();
  for (let pages = 1; ; pages++) {
    yield* page.results;
    const link = page.nextLink;
    if (link === undefined) return;
    if (seen.has(link) || pages >= MAX_PAGES) {
      throw new LibraryProtocolError(
        `${operation}: pagination does not end (next_link repeats or more than ${MAX_PAGES} pages)`,
        { operation },
      );
    }
    seen.add(link);
    page = await next(link);
  }
}
