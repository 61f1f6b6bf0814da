/**
 * The shared library API rate limiter (see dynamo-rate-limiter.ts for the design and its cost).
 *
 * Wiring in a function:
 * ```ts
 * const limiter = createDynamoRateLimiter({
 *   tableName: config.limitsTableName, client: documentClient,
 *   perSecond: config.requestsPerSecond, perDay: config.requestsPerDay,
 *   keyId: rateLimitKeyId(credentials.apiKey), maxWaitMs: 10_000,
 * });
 * const library = createLibraryClient({ ..., beforeRequest: limiter.acquire });
 * // on LibraryThrottledError: await limiter.reportThrottle(error.scope) and leave the message queued
 * ```
 */
import { createHash } from 'node:crypto';

export { createDynamoRateLimiter } from './dynamo-rate-limiter.ts';
export type { ApiRateLimiter, DynamoRateLimiterOptions, RateLimitGrant } from './dynamo-rate-limiter.ts';
export { DailyQuotaExhaustedError, RateLimitWaitTimeoutError, isRateLimitError } from './errors.ts';
export { dayWindowAt } from './day-window.ts';
export type { DayWindow } from './day-window.ts';

/**
 * A stable, non-secret id for an API key: the first 16 hex characters of its SHA-256. The limits table
 * is keyed by it, so the key itself is never stored, and rotating to a new key starts a fresh budget
 * (the API counts per key).
 */
export function rateLimitKeyId(apiKey: string): string {
  return createHash('sha256').update(apiKey, 'utf8').digest('hex').slice(0, 16);
}
