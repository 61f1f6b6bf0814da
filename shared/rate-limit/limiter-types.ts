/** The rate limiter's contract and options. */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { LibraryOperation } from '../library/types.ts';
import type { AdaptiveMarginOptions } from './adaptive-margin.ts';

/** One request budget per API key, shared by every function. */
export interface ApiRateLimiter {
  /**
   * Waits for a per-second slot and counts one request against the day. Usable as the library client's
   * `beforeRequest` hook (it needs no `this`). Throws `DailyQuotaExhaustedError` or
   * `RateLimitWaitTimeoutError` instead of letting a request through.
   */
  acquire(operation: LibraryOperation): Promise<void>;
  /** After a 403 from the API: `second` holds every caller back at least 1 s; `day` marks the quota spent. */
  reportThrottle(scope: 'second' | 'day'): Promise<void>;
  /** The day window's count as the table holds it (a strongly consistent read). */
  dailyState(): Promise<{ used: number; limit: number; resetsAt: Date }>;
}

/** What the limiter decided for one `acquire`, for metrics, logs and tests. */
export interface RateLimitGrant {
  operation: LibraryOperation;
  /** The slot's start (epoch ms): the limiter let the caller go at or after this time. */
  slotAt: number;
  /** How long the caller was held back (ms). */
  waitedMs: number;
  /** The day window the request was counted in. */
  day: string;
}

/** How `createDynamoRateLimiter` is configured. */
export interface DynamoRateLimiterOptions {
  /** The limits table (partition key `pk`, string; TTL attribute `expiresAt`). */
  tableName: string;
  client: DynamoDBDocumentClient;
  /** Requests per second the API allows (4). */
  perSecond: number;
  /** Requests per day the API allows (10,000). */
  perDay: number;
  /** Clock in epoch ms (default `Date.now`). */
  now?: () => number;
  /** How to wait (default `setTimeout`). */
  sleep?: (ms: number) => Promise<void>;
  /** Longest an `acquire` may wait for a slot (default 10,000 ms). Keep it well below the Lambda timeout. */
  maxWaitMs?: number;
  /**
   * Which API key this budget belongs to (not the key itself: see `rateLimitKeyId`). Default `default`.
   * All functions using the same key must use the same id.
   */
  keyId?: string;
  /**
   * Extra spacing between grants, as a fraction of `1000 / perSecond` (default 0.1): where the margin
   * starts and the least it narrows to.
   */
  safetyMargin?: number;
  /**
   * The most the margin widens to after per-second throttles (adaptive-margin.ts). Default
   * `safetyMargin`: a fixed margin.
   */
  maxSafetyMargin?: number;
  /** Overrides the computed spacing between grants (ms); the margin is then fixed. */
  minIntervalMs?: number;
  /** Shift of the day window from UTC midnight, in minutes (default 0). */
  dayResetOffsetMinutes?: number;
  /** After the API reports the day spent, wait this long past the next window start (default 5 min). */
  dayResumeMarginMs?: number;
  /** After the API reports the day spent, try again at the latest after this long (default 30 min). */
  dayThrottleRecheckMs?: number;
  /** How long `reportThrottle('second')` holds every caller back (default 1000 ms). */
  secondThrottleHoldMs?: number;
  /** Told of every grant (e.g. to record the wait as a metric). */
  onGrant?: (grant: RateLimitGrant) => void;
}

/** The options with every default applied. */
export interface LimiterSettings {
  tableName: string;
  client: DynamoDBDocumentClient;
  perDay: number;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  maxWaitMs: number;
  keyId: string;
  /** The spacing between grants at the least margin (ms), or the fixed spacing given. */
  intervalMs: number;
  /** `1000 / perSecond` (ms): the spacing without any margin. */
  baseIntervalMs: number;
  /** How the margin adapts; `undefined` when `minIntervalMs` fixes the spacing. */
  margin: AdaptiveMarginOptions | undefined;
  offsetMinutes: number;
  resumeMarginMs: number;
  recheckMs: number;
  holdMs: number;
  onGrant: ((grant: RateLimitGrant) => void) | undefined;
}

/** Applies the defaults; throws a RangeError for non-positive limits. */
export function resolveLimiterSettings(options: DynamoRateLimiterOptions): LimiterSettings {
  if (!(options.perSecond > 0) || !(options.perDay > 0)) {
    throw new RangeError('perSecond and perDay must be positive');
  }
  const margin = options.safetyMargin ?? 0.1;
  return {
    tableName: options.tableName,
    client: options.client,
    perDay: options.perDay,
    now: options.now ?? Date.now,
    sleep: options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
    maxWaitMs: options.maxWaitMs ?? 10_000,
    keyId: options.keyId ?? 'default',
    intervalMs: options.minIntervalMs ?? Math.ceil((1000 / options.perSecond) * (1 + margin)),
    baseIntervalMs: 1000 / options.perSecond,
    margin: options.minIntervalMs === undefined ? { min: margin, max: options.maxSafetyMargin ?? margin } : undefined,
    offsetMinutes: options.dayResetOffsetMinutes ?? 0,
    resumeMarginMs: options.dayResumeMarginMs ?? 5 * 60_000,
    recheckMs: options.dayThrottleRecheckMs ?? 30 * 60_000,
    holdMs: options.secondThrottleHoldMs ?? 1000,
    onGrant: options.onGrant,
  };
}
