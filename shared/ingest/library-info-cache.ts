/**
 * The account's `max_upload_size_limit` (GET /library/info), asked once per cold start and again after
 * `ttlMs`: it changes only with the account's plan, and every request counts against the daily quota.
 */
import type { LibraryClient } from '../library/types.ts';

/** How long the account's upload limit is trusted before it is read again. */
export const DEFAULT_LIBRARY_INFO_TTL_MS = 15 * 60_000;

/** The account's `max_upload_size_limit` (GET /library/info), read once per TTL per process. */
export class LibraryInfoCache {
  private cached: { value: number; at: number } | undefined;
  private inFlight: Promise<number> | undefined;

  constructor(
    private readonly library: Pick<LibraryClient, 'getLibraryInfo'>,
    private readonly ttlMs: number = DEFAULT_LIBRARY_INFO_TTL_MS,
    private readonly now: () => number = Date.now,
  ) {}

  async maxUploadSize(): Promise<number> {
    if (this.cached !== undefined && this.now() - this.cached.at < this.ttlMs) return this.cached.value;
    // Concurrent records of one batch share the one request.
    this.inFlight ??= this.library
      .getLibraryInfo()
      .then((info) => {
        this.cached = { value: info.maxUploadSizeLimit, at: this.now() };
        return info.maxUploadSizeLimit;
      })
      .finally(() => {
        this.inFlight = undefined;
      });
    return this.inFlight;
  }
}
