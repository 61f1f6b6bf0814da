/**
 * The daily quota's window. The API does not document when its per-day count resets; we assume UTC
 * midnight (the usual Mashery default), shifted by `offsetMinutes` if a stage learns otherwise.
 * If the assumption is wrong the API tells us with a 403 `...over.ratelimit`, and the limiter's
 * `reportThrottle('day')` blocks until the next window start plus a margin, re-checking periodically
 * (see DynamoRateLimiterOptions), so a wrong guess costs minutes of throughput, not a day.
 */

const DAY_MS = 86_400_000;

export interface DayWindow {
  /** The window's label, `YYYY-MM-DD` of its (offset) start: a stable attribute-name suffix. */
  label: string;
  /** Epoch ms the window started. */
  startsAt: number;
  /** Epoch ms the next window starts (the reset). */
  resetsAt: number;
}

export function dayWindowAt(epochMs: number, offsetMinutes = 0): DayWindow {
  const offsetMs = offsetMinutes * 60_000;
  const startsAt = Math.floor((epochMs - offsetMs) / DAY_MS) * DAY_MS + offsetMs;
  return { label: new Date(startsAt - offsetMs).toISOString().slice(0, 10), startsAt, resetsAt: startsAt + DAY_MS };
}

/** The label of the window before the one containing `epochMs`. */
export function previousDayLabel(epochMs: number, offsetMinutes = 0): string {
  return dayWindowAt(epochMs - DAY_MS, offsetMinutes).label;
}
