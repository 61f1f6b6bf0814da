/**
 * Times on the command line: an ISO-8601 instant (`2026-03-02T10:00Z`, `2026-03-02`) or a duration
 * back from now (`90m`, `24h`, `7d`), as `--since 24h` reads most naturally for the person on call.
 */
import { UsageError } from './errors.ts';

const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** Parses `value` as a duration before `now` or an ISO time; throws `UsageError` naming `option`. */
export function parseTime(value: string, option: string, now: Date = new Date()): Date {
  const duration = /^(\d+(?:\.\d+)?)([smhd])$/.exec(value.trim());
  if (duration) {
    const [, amount, unit] = duration;
    return new Date(now.getTime() - Number(amount) * UNIT_MS[unit as keyof typeof UNIT_MS]);
  }
  if (/^\d{4}-\d{2}-\d{2}/.test(value)) {
    const parsed = Date.parse(value);
    if (!Number.isNaN(parsed)) return new Date(parsed);
  }
  throw new UsageError(`${option}: "${value}" is neither a duration (30m, 24h, 7d) nor an ISO-8601 time`);
}

/** A number of seconds for people: `4 days`, `14 days`, `2 h 30 min`. */
export function formatSeconds(seconds: number): string {
  if (seconds % 86_400 === 0) return `${seconds / 86_400} day${seconds === 86_400 ? '' : 's'}`;
  const hours = Math.floor(seconds / 3600);
  const minutes = Math.round((seconds % 3600) / 60);
  return hours > 0 ? `${hours} h${minutes > 0 ? ` ${minutes} min` : ''}` : `${minutes} min`;
}
