/**
 * The sandbox's notion of time.
 *
 * Everything time-dependent (processing stages, the per-second window, the daily quota, record dates)
 * reads this clock instead of Date.now(), so tests can jump a day ahead to see the daily quota reset, or
 * move a file from Processing to Active without sleeping. Time is `base() + offset`: `base` is the
 * caller's `now` option (default Date.now) and `offset` grows with `advance()` (POST /__sandbox/clock/advance).
 */
export class SandboxClock {
  private offsetMs = 0;

  constructor(private readonly base: () => number = Date.now) {}

  /** Milliseconds since the epoch, as the sandbox sees them. */
  now(): number {
    return this.base() + this.offsetMs;
  }

  /** Moves the clock forward (never backward: windows and processing stages assume monotonic time). */
  advance(ms: number): number {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError('clock can only move forward by a finite amount');
    this.offsetMs += ms;
    return this.now();
  }

  /** How far `advance()` has moved the clock in total. */
  get offset(): number {
    return this.offsetMs;
  }
}
