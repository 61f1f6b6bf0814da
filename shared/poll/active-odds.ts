/**
 * How often a status check finds its file final, by how many checks the file has had: what the poll
 * batch uses to choose between asking the status first (one request, then one list if some became
 * Active) and listing the recent files first (one request that settles every Active file, then a status
 * request only for the others). A batch of files that are almost surely final costs one request either
 * way only if the list comes first. Learned per process from the answers it saw, recent ones weighing
 * more, so it follows the library's processing times rather than a guess written in the config.
 */

/** Checks beyond this count share one tally. */
const MAX_TRACKED_CHECKS = 6;
/** Each new answer keeps this share of the old tally: about the last 100 answers per check count. */
const DECAY = 0.99;
/** Answers (weighted) needed before the tally is trusted. */
const MIN_WEIGHT = 10;

/** Final answers per check count, weighted toward recent ones. */
export class ActiveOdds {
  readonly #final = new Array<number>(MAX_TRACKED_CHECKS + 1).fill(0);
  readonly #total = new Array<number>(MAX_TRACKED_CHECKS + 1).fill(0);

  constructor(private readonly threshold = 0.9) {}

  /** One answer for a file at its `checks`-th check (0 = the first): final or not. */
  observe(checks: number, final: boolean): void {
    const i = Math.min(Math.max(0, checks), MAX_TRACKED_CHECKS);
    this.#final[i] = (this.#final[i] ?? 0) * DECAY + (final ? 1 : 0);
    this.#total[i] = (this.#total[i] ?? 0) * DECAY + 1;
  }

  /** True when files at this check count have been final at least `threshold` of the time lately. */
  likelyFinal(checks: number): boolean {
    const i = Math.min(Math.max(0, checks), MAX_TRACKED_CHECKS);
    const total = this.#total[i] ?? 0;
    return total >= MIN_WEIGHT && (this.#final[i] ?? 0) / total >= this.threshold;
  }
}
