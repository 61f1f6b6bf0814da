/**
 * After the API has refused the credentials (401, even after the client re-read the secret), this
 * process stops sending requests for a while: every request to a revoked key would fail the same way
 * and still cost rate-limit slots and, possibly, daily quota. Work that needs the API meanwhile is put
 * back on its queue (CredentialsOnHoldError is handled like a 401, without a request). After the hold,
 * the next request tries again, and the client's 401 path re-reads the secret, so a fixed secret is
 * picked up within one hold.
 */

export class CredentialsOnHoldError extends Error {
  constructor(readonly until: Date) {
    super(`Library requests are on hold until ${until.toISOString()} after the API refused the credentials`);
    this.name = 'CredentialsOnHoldError';
  }
}

/** How long a process holds its library requests after a confirmed 401. */
export const DEFAULT_UNAUTHORIZED_HOLD_MS = 60_000;

/** The per-process hold on library requests after a confirmed 401. */
export class UnauthorizedHold {
  private until = 0;

  constructor(
    private readonly holdMs: number = DEFAULT_UNAUTHORIZED_HOLD_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** Called when a 401 survived the client's secret re-read. */
  trip(): void {
    this.until = this.now() + this.holdMs;
  }

  /** Throws while the hold lasts; used before every library request. */
  check(): void {
    if (this.now() < this.until) throw new CredentialsOnHoldError(new Date(this.until));
  }
}
