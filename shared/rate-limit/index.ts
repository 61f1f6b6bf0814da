/**
 * The shared library API rate limiter: `createDynamoRateLimiter({ ..., keyId: rateLimitKeyId(apiKey) })`,
 * `acquire` as the client's `beforeRequest`, `reportThrottle(error.scope)` after a LibraryThrottledError.
 * Design and cost: docs/library-api.md, "The shared rate limiter".
 */
import { createHash } from 'node:crypto';

export { DynamoRateLimiter, createDynamoRateLimiter } from './dynamo-rate-limiter.ts';
export type { ApiRateLimiter, DynamoRateLimiterOptions, RateLimitGrant } from './limiter-types.ts';
export { DailyQuotaExhaustedError, RateLimitWaitTimeoutError, isRateLimitError } from './errors.ts';
export { dayWindowAt } from './day-window.ts';
export type { DayWindow } from './day-window.ts';

/**
 * A stable, non-secret id for an API key (16 hex characters of its SHA-256): the limits table's key, so
 * the key itself is never stored and a new key starts a fresh budget, as the API counts per key.
 */
export function rateLimitKeyId(apiKey: string): string {
  return createHash('sha256').update(apiKey, 'utf8').digest('hex').slice(0, 16);
}
