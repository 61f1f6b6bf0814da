/**
 * The library's most recent files as this process last listed them (one `GET /library/files` of up to
 * 1,000 files, newest first). The list carries each file's status, URL and thumbnail, so one request
 * serves every poll batch after it: a file the list shows Active needs neither a status request nor a
 * record read, and Active is final, so an older list is still right about it. Files not in the list,
 * or not Active in it (whether Processing files appear is not documented), are asked about as before.
 */
import type { LibraryFile } from '../library/types.ts';
import { ActiveOdds } from './active-odds.ts';

/** Lists the library's newest files (one request). */
export type ListRecentFiles = () => Promise<readonly LibraryFile[]>;

/** The last list of recent files, held between poll batches of one process. */
export class RecentFiles {
  private files = new Map<string, LibraryFile>();
  private listedAt: number | undefined;
  /** How often checks find files final: whether listing first is likely to settle a batch. */
  readonly odds = new ActiveOdds();

  constructor(
    private readonly list: ListRecentFiles,
    private readonly now: () => number = Date.now,
  ) {}

  /** The records of the files among `ids` that the last list shows Active; no request. */
  activeAmong(ids: Iterable<string>): Map<string, LibraryFile> {
    const found = new Map<string, LibraryFile>();
    for (const id of ids) {
      const file = this.files.get(id);
      if (file?.status === 'Active') found.set(id, file);
    }
    return found;
  }

  /** The records of the files among `ids` in the last list, whatever their status there; no request. */
  recordsOf(ids: Iterable<string>): Map<string, LibraryFile> {
    const found = new Map<string, LibraryFile>();
    for (const id of ids) {
      const file = this.files.get(id);
      if (file !== undefined) found.set(id, file);
    }
    return found;
  }

  /** Lists again (one request) and keeps the answer; a failure keeps the previous list and is thrown. */
  async refresh(): Promise<void> {
    const results = await this.list();
    this.files = new Map(results.map((file) => [file.id, file]));
    this.listedAt = this.now();
  }

  /** Milliseconds since the last successful list, or `undefined` before the first. */
  ageMs(): number | undefined {
    return this.listedAt === undefined ? undefined : this.now() - this.listedAt;
  }
}
