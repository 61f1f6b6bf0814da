/**
 * The limiter's safety margin, adapted to what the API answers: the spacing between slots is
 * `1000 / perSecond × (1 + margin)`. A fixed 20 % margin caps a backlog at 0.83 of the key's rate; the
 * margin is there only because a request reaches the API some time after its slot (a busy host, the
 * upload body's first bytes, clock skew between hosts), so it starts small and widens when the API says
 * it was too small: a per-second 403, reported here or seen as a hold another process placed. It then
 * narrows back slowly, one step per run of grants without a throttle. docs/library-api.md has the numbers.
 */

/** How the margin moves. */
export interface AdaptiveMarginOptions {
  /** Where the margin starts and the least it narrows to (a fraction of the base spacing). */
  min: number;
  /** The most it widens to. `max <= min` keeps the margin fixed at `min`. */
  max: number;
  /** Added per per-second throttle (default: a third of `max - min`, so three throttles reach `max`). */
  widenBy?: number;
  /** Taken off after each `narrowAfterGrants` grants without a throttle (default: `widenBy / 4`). */
  narrowBy?: number;
  /** Grants without a throttle before one narrowing step (default 200). */
  narrowAfterGrants?: number;
}

/** A margin that widens on throttles and narrows slowly while none come. */
export class AdaptiveMargin {
  readonly #min: number;
  readonly #max: number;
  readonly #widenBy: number;
  readonly #narrowBy: number;
  readonly #narrowAfter: number;
  #current: number;
  #cleanGrants = 0;

  constructor(options: AdaptiveMarginOptions) {
    this.#min = Math.max(0, options.min);
    this.#max = Math.max(this.#min, options.max);
    this.#widenBy = options.widenBy ?? (this.#max - this.#min) / 3;
    this.#narrowBy = options.narrowBy ?? this.#widenBy / 4;
    this.#narrowAfter = Math.max(1, options.narrowAfterGrants ?? 200);
    this.#current = this.#min;
  }

  /** The margin now. */
  get current(): number {
    return this.#current;
  }

  /** The API refused a request for the second: space requests further apart. */
  widen(): void {
    this.#current = Math.min(this.#max, this.#current + this.#widenBy);
    this.#cleanGrants = 0;
  }

  /** One more request let through; every `narrowAfterGrants` of them narrow the margin a step. */
  granted(): void {
    if (this.#current <= this.#min) return;
    this.#cleanGrants += 1;
    if (this.#cleanGrants < this.#narrowAfter) return;
    this.#cleanGrants = 0;
    this.#current = Math.max(this.#min, this.#current - this.#narrowBy);
  }
}
