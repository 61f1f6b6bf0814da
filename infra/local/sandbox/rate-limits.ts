/**
 * Per-api_key limits, as the vendor's gateway (Mashery) enforces them: a per-second limit over a
 * SLIDING one-second window (stricter than a fixed window: a client that bursts 4 requests at the end
 * of one second and 4 at the start of the next is refused), and a daily quota per UTC calendar day of
 * the sandbox clock (advance the clock past midnight to see it reset).
 *
 * Only accepted requests consume the limits: a throttled request (403) is counted in the counters but
 * does not push the window further. The gateway decides this before the request reaches the library,
 * so a 401 for a wrong token still costs a request, a 401 for an unknown api_key does not (there is no
 * key to charge).
 */
import type { LimitOptions } from './options.ts';

/** Which limit a throttled request hit. */
export type ThrottleScope = 'second' | 'day';

const DAY_MS = 86_400_000;

interface KeyUsage {
  /** Times of accepted requests in the last second, oldest first. */
  recent: number[];
  day: number;
  dayCount: number;
}

/** The per-second and per-day limits of each api_key, answered as the vendor's 403s. */
export class RateLimiter {
  private readonly usage = new Map<string, KeyUsage>();

  /**
   * Charges one request to `apiKey` at `now`, or refuses it. The daily quota is checked first: once it
   * is spent, the answer says so even when the second is also full.
   */
  take(
    apiKey: string,
    now: number,
    limits: Pick<LimitOptions, 'perSecond' | 'perDay'>,
  ): { ok: true } | { ok: false; scope: ThrottleScope } {
    const usage = this.usageOf(apiKey, now);
    while (usage.recent.length > 0 && (usage.recent[0] ?? 0) <= now - 1000) usage.recent.shift();
    if (usage.dayCount >= limits.perDay) return { ok: false, scope: 'day' };
    if (usage.recent.length >= limits.perSecond) return { ok: false, scope: 'second' };
    usage.recent.push(now);
    usage.dayCount += 1;
    return { ok: true };
  }

  /** Requests charged today to each key (for the counters). */
  snapshot(now: number): Record<string, { today: number; lastSecond: number }> {
    const result: Record<string, { today: number; lastSecond: number }> = {};
    for (const [apiKey] of this.usage) {
      const usage = this.usageOf(apiKey, now);
      result[apiKey] = { today: usage.dayCount, lastSecond: usage.recent.filter((time) => time > now - 1000).length };
    }
    return result;
  }

  reset(): void {
    this.usage.clear();
  }

  private usageOf(apiKey: string, now: number): KeyUsage {
    const day = Math.floor(now / DAY_MS);
    let usage = this.usage.get(apiKey);
    if (usage === undefined) {
      usage = { recent: [], day, dayCount: 0 };
      this.usage.set(apiKey, usage);
    }
    if (usage.day !== day) {
      usage.day = day;
      usage.dayCount = 0;
    }
    return usage;
  }
}
