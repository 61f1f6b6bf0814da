/**
 * What `ApiRateLimiter.acquire` throws instead of letting a request through. Neither is about the file:
 * callers leave the work queued and try again later, so a limit never loses a file.
 */

/** The day's request quota is spent. Try again at `resetsAt`. */
export class DailyQuotaExhaustedError extends Error {
  /** When requests may be made again (the next day window, or the end of an API-reported block). */
  readonly resetsAt: Date;
  /** Requests counted in the current day window when this was decided. */
  readonly used: number;
  readonly limit: number;

  constructor(details: { resetsAt: Date; used: number; limit: number; reportedByApi?: boolean }) {
    super(
      details.reportedByApi
        ? `The library API reported its daily quota spent; requests resume at ${details.resetsAt.toISOString()}`
        : `Daily library API quota spent (${details.used}/${details.limit}); requests resume at ${details.resetsAt.toISOString()}`,
    );
    this.name = 'DailyQuotaExhaustedError';
    this.resetsAt = details.resetsAt;
    this.used = details.used;
    this.limit = details.limit;
  }
}

/**
 * The next free per-second slot is further away than `maxWaitMs`: rather than spend its timeout asleep,
 * the caller should put the work back (e.g. with a delay of `retryAfterMs`).
 */
export class RateLimitWaitTimeoutError extends Error {
  readonly maxWaitMs: number;
  /** How long until the next free slot, as far as the limiter could tell (a hint, not a promise). */
  readonly retryAfterMs: number;

  constructor(details: { maxWaitMs: number; retryAfterMs: number; reason?: string }) {
    super(
      `No library API request slot within ${details.maxWaitMs} ms (next free in about ${details.retryAfterMs} ms)` +
        (details.reason ? `: ${details.reason}` : ''),
    );
    this.name = 'RateLimitWaitTimeoutError';
    this.maxWaitMs = details.maxWaitMs;
    this.retryAfterMs = details.retryAfterMs;
  }
}

/** True for either limiter error: the work waits, the file is fine. */
export function isRateLimitError(error: unknown): error is DailyQuotaExhaustedError | RateLimitWaitTimeoutError {
  return error instanceof DailyQuotaExhaustedError || error instanceof RateLimitWaitTimeoutError;
}
