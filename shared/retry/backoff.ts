/**
 * Delays, in whole seconds because SQS `DelaySeconds` is (0-900).
 *
 * Two schedules:
 * - status checks: the first after `firstDelaySeconds`, then doubling up to `maxDelaySeconds`, and never
 *   past the deadline (`maxWaitSeconds` after submission), so a time-out is declared on time;
 * - retries after a transient failure (5xx, network): exponential with full jitter, so a burst of
 *   failed messages does not come back as a burst.
 */

/** The largest delay SQS accepts on a message. */
export const SQS_MAX_DELAY_SECONDS = 900;

/** The status-check schedule of a stage. */
export interface PollSchedule {
  firstDelaySeconds: number;
  maxDelaySeconds: number;
  maxWaitSeconds: number;
}

/**
 * Delay before status check number `checksDone + 1`, given how long ago the file was submitted.
 * Returns undefined when the deadline has passed (the caller records TimedOut).
 */
export function nextPollDelaySeconds(
  schedule: PollSchedule,
  checksDone: number,
  elapsedSeconds: number,
): number | undefined {
  const remaining = schedule.maxWaitSeconds - elapsedSeconds;
  if (remaining <= 0) return undefined;
  // Check once more right at the deadline rather than overshooting it by up to maxDelaySeconds.
  return Math.max(1, Math.min(checkDelay(schedule, checksDone), Math.ceil(remaining)));
}

/** The schedule's delay after `checksDone` checks: the first delay, doubling, capped. */
function checkDelay(schedule: PollSchedule, checksDone: number): number {
  const base = Math.max(1, schedule.firstDelaySeconds);
  return Math.min(base * 2 ** Math.max(0, checksDone), schedule.maxDelaySeconds, SQS_MAX_DELAY_SECONDS);
}

/**
 * Seconds from `elapsedSeconds` to the schedule's next check time (10, 30, 70 s… after submission),
 * whatever number of checks came before: after faster checks (shared/poll/spare-budget.ts) the plain
 * schedule resumes where the clock is, not where the check count would put it.
 */
export function plainDelayAfter(schedule: PollSchedule, elapsedSeconds: number): number {
  let at = 0;
  for (let checks = 0; at <= elapsedSeconds && at < schedule.maxWaitSeconds; checks++) {
    at += checkDelay(schedule, checks);
  }
  return Math.max(1, Math.ceil(Math.min(at, schedule.maxWaitSeconds) - elapsedSeconds));
}

/** Exponential backoff for transient failures. */
export interface RetrySchedule {
  /** Delay scale of the first retry. */
  baseSeconds: number;
  maxSeconds: number;
}

/** Full jitter: uniformly between 1 s and base × 2^retriesDone (capped). */
export function retryDelaySeconds(
  schedule: RetrySchedule,
  retriesDone: number,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(
    schedule.maxSeconds,
    SQS_MAX_DELAY_SECONDS,
    schedule.baseSeconds * 2 ** Math.max(0, retriesDone),
  );
  return Math.max(1, Math.round(ceiling * random()));
}

/** A short randomised wait for a per-second throttle: the limiter's window is one second. */
export function throttleDelaySeconds(random: () => number = Math.random, maxSeconds = 5): number {
  return 1 + Math.floor(random() * maxSeconds);
}

/** Seconds until `resetsAt`, clamped to what SQS accepts (at least 1). */
export function delayUntilSeconds(resetsAtMs: number, nowMs: number): number {
  return Math.min(SQS_MAX_DELAY_SECONDS, Math.max(1, Math.ceil((resetsAtMs - nowMs) / 1000)));
}
