/**
 * Faster status checks while today's API budget has room for them. In a trickle the poll schedule
 * (10, 30, 70 s… after submission) decides how long a final file waits for its event, and the trickle
 * spends a few hundred of the key's daily requests; checking every few seconds then buys a short lag
 * with budget nobody else needs. Spent only while the day's projection stays well inside the budget,
 * so a backlog or a backfill (which use the budget) turns it off by itself (docs/pipeline.md, "Polling").
 */

/** The key's use of the current daily window (the limiter's `dailyState`). */
export type DailyState = () => Promise<{ used: number; limit: number; resetsAt: Date }>;

/** How the spare budget is judged. */
export interface SpareBudgetOptions {
  /** Delay of a check while the budget allows faster ones (seconds). */
  fastDelaySeconds: number;
  /** Fast checks while the day's projected use stays at or below this share of the limit. */
  maxProjectedShare: number;
  /** How long one reading of the daily state is trusted (ms): one read serves many checks. */
  cacheMs: number;
}

export const DEFAULT_SPARE_BUDGET: SpareBudgetOptions = {
  fastDelaySeconds: 4,
  maxProjectedShare: 0.5,
  cacheMs: 30_000,
};

/**
 * Poll batches of at most this many files count as a trickle: a backlog's batches (up to 100 in a 5 s
 * window) are fuller, and there one request already answers for many files, so faster checks would
 * only multiply requests.
 */
export const TRICKLE_BATCH_SIZE = 5;

/** True for a batch small enough to be a trickle's (`trickleMax`: the largest such batch). */
export function inTrickle(batchSize: number, trickleMax = TRICKLE_BATCH_SIZE): boolean {
  return batchSize <= trickleMax;
}

/** A batch's dependencies: the spare budget only for a trickle's batch, the plain schedule otherwise. */
export function forBatch<T extends { spareBudget?: unknown }>(deps: T, batchSize: number, trickleMax?: number): T {
  if (inTrickle(batchSize, trickleMax)) return deps;
  const { spareBudget: _unused, ...rest } = deps;
  return rest as T;
}

const DAY_MS = 86_400_000;
/** The pace of the day is judged over at least an hour, so the first minutes after midnight do not look idle. */
const MIN_PACE_WINDOW_MS = 3_600_000;

/** Answers "may this check come sooner than the schedule says?" from the day's use so far. */
export class SpareBudget {
  readonly #state: DailyState;
  readonly #now: () => Date;
  readonly #options: SpareBudgetOptions;
  #cached: { at: number; allows: boolean } | undefined;

  constructor(state: DailyState, now: () => Date, options: Partial<SpareBudgetOptions> = {}) {
    this.#state = state;
    this.#now = now;
    this.#options = { ...DEFAULT_SPARE_BUDGET, ...options };
  }

  /** The delay for a check the schedule would send after `scheduledSeconds`. */
  async delaySeconds(scheduledSeconds: number): Promise<number> {
    const fast = this.#options.fastDelaySeconds;
    if (scheduledSeconds <= fast || !(await this.allowsFastChecks())) return scheduledSeconds;
    return fast;
  }

  /** True while the day's use, projected at its pace so far to the end of the window, leaves room. */
  async allowsFastChecks(): Promise<boolean> {
    const t = this.#now().getTime();
    if (this.#cached !== undefined && t - this.#cached.at < this.#options.cacheMs) return this.#cached.allows;
    // No reading of the budget: the plain schedule, which never needed one.
    const allows = await this.#state().then(
      (state) => projectedShare(state, t) <= this.#options.maxProjectedShare,
      () => false,
    );
    this.#cached = { at: t, allows };
    return allows;
  }
}

/** The share of the daily limit used by the window's end if the rest of it goes like its start. */
export function projectedShare(state: { used: number; limit: number; resetsAt: Date }, t: number): number {
  const remainingMs = Math.max(0, state.resetsAt.getTime() - t);
  const elapsedMs = Math.max(MIN_PACE_WINDOW_MS, DAY_MS - remainingMs);
  const projected = state.used + (state.used / elapsedMs) * remainingMs;
  return state.limit > 0 ? projected / state.limit : 1;
}
