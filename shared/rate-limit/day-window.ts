/**
 * The daily quota's window. The API does not document when its count resets: we assume UTC midnight
 * (Mashery's usual default), shifted by `offsetMinutes`; a wrong guess costs minutes, not a day
 * (docs/library-api.md, "When the API says otherwise").
 */

const DAY_MS = 86_400_000;

/** One day window of the daily quota. */
export interface DayWindow {
  /** The window's label, `YYYY-MM-DD` of its (offset) start: a stable attribute-name suffix. */
  label: string;
  /** Epoch ms the window started. */
  startsAt: number;
  /** Epoch ms the next window starts (the reset). */
  resetsAt: number;
}

/** The day window containing `epochMs`. */
export function dayWindowAt(epochMs: number, offsetMinutes = 0): DayWindow {
  const offsetMs = offsetMinutes * 60_000;
  const startsAt = Math.floor((epochMs - offsetMs) / DAY_MS) * DAY_MS + offsetMs;
  return { label: new Date(startsAt - offsetMs).toISOString().slice(0, 10), startsAt, resetsAt: startsAt + DAY_MS };
}

/** The label of the window before the one containing `epochMs`. */
export function previousDayLabel(epochMs: number, offsetMinutes = 0): string {
  return dayWindowAt(epochMs - DAY_MS, offsetMinutes).label;
}
