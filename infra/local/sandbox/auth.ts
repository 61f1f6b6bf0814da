/**
 * Who is calling, and can they read JSON.
 *
 * The real API wants both the `api_key` query parameter (the gateway's key, which the limits are
 * charged to) and `Authorization: Bearer <token>` (the account's access token); they must belong to the
 * same configured pair. The sandbox checks in the gateway's order: the key first (unknown → 401, nothing
 * charged), then the limits, then the token (wrong or revoked → 401), then the Accept header (406).
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { SandboxCredentialPair } from './options.ts';

/** Whether the api_key is known, and if so whether the token matches and the pair is forbidden. */
export type KeyCheck = { known: false } | { known: true; apiKey: string; tokenMatches: boolean; forbidden: boolean };

/** Looks up the request's api_key among the accepted pairs and says whether its Bearer token matches. */
export function checkCredentials(
  url: URL,
  headers: IncomingHttpHeaders,
  pairs: readonly SandboxCredentialPair[],
): KeyCheck {
  const apiKey = url.searchParams.get('api_key');
  if (apiKey === null || apiKey === '') return { known: false };
  const pairsForKey = pairs.filter((pair) => pair.apiKey === apiKey);
  if (pairsForKey.length === 0) return { known: false };
  const token = bearerToken(headers.authorization);
  const pair = token === undefined ? undefined : pairsForKey.find((candidate) => candidate.accessToken === token);
  return { known: true, apiKey, tokenMatches: pair !== undefined, forbidden: pair?.forbidden === true };
}

function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match?.[1];
}

/**
 * True when the Accept header lets the answer be application/json: absent, `*\/*`, `application/*`,
 * or `application/json`, without `q=0`.
 */
export function acceptsJson(accept: string | undefined): boolean {
  if (accept === undefined || accept.trim() === '') return true;
  return accept.split(',').some((range) => {
    const [type = '', ...params] = range.split(';').map((part) => part.trim().toLowerCase());
    const quality = params.find((param) => param.startsWith('q='));
    if (quality !== undefined && Number(quality.slice(2)) === 0) return false;
    return type === '*/*' || type === 'application/*' || type === 'application/json';
  });
}
