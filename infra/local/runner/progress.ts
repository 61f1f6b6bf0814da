/**
 * What local mode shows while it runs: a progress line (uploads by status, invocations in flight,
 * events published), rewritten in place when stdout is a terminal and printed as a plain line every few
 * seconds (when something changed) otherwise; and one permanent line per final event.
 *
 * The counts come from the uploads table's stream (every record the stream poller reads, before the
 * publish filter), so they show every transition without scanning the table.
 */
import type { DynamoDBRecord } from 'aws-lambda';
import { RECORD_STATUSES } from '../../../shared/record/upload-record.ts';
import type { EventEnvelope } from '../standins/eventbridge.ts';

/** The statuses in the order the display lists them: the order a file moves through them. */
export const DISPLAY_ORDER = RECORD_STATUSES;

/** What the progress line shows. */
export interface ProgressSnapshot {
  /** Files put into the bucket through the drop folder. */
  dropped: number;
  /** Upload records by current status. */
  byStatus: Record<string, number>;
  records: number;
  events: number;
  inFlight: { ingest: number; poll: number; publish: number };
}

/** Counts files by status from the uploads stream, dropped files and published events. */
export class ProgressTracker implements ProgressSource {
  private readonly statuses = new Map<string, string>();
  private droppedCount = 0;
  private eventCount = 0;
  private version = 0;

  constructor(private readonly inFlight: () => ProgressSnapshot['inFlight']) {}

  /** Stream records, in order (the tap of the stream poller). */
  recordStream(records: readonly DynamoDBRecord[]): void {
    for (const record of records) {
      const image = record.dynamodb?.NewImage;
      const objectId = image?.['objectId']?.S ?? record.dynamodb?.Keys?.['objectId']?.S;
      if (!objectId) continue;
      if (record.eventName === 'REMOVE') {
        this.statuses.delete(objectId);
      } else {
        const status = image?.['status']?.S;
        if (status) this.statuses.set(objectId, status);
      }
      this.version++;
    }
  }

  dropped(): void {
    this.droppedCount++;
    this.version++;
  }

  event(): void {
    this.eventCount++;
    this.version++;
  }

  /** Changes whenever something shown changed (the display redraws only then). */
  changeCount(): number {
    const flight = this.inFlight();
    return this.version * 1000 + flight.ingest * 100 + flight.poll * 10 + flight.publish;
  }

  snapshot(): ProgressSnapshot {
    const byStatus: Record<string, number> = {};
    for (const status of this.statuses.values()) byStatus[status] = (byStatus[status] ?? 0) + 1;
    return {
      dropped: this.droppedCount,
      byStatus,
      records: this.statuses.size,
      events: this.eventCount,
      inFlight: this.inFlight(),
    };
  }

  line(): string {
    return formatProgress(this.snapshot());
  }
}

/** The progress line for a snapshot. */
export function formatProgress(snapshot: ProgressSnapshot): string {
  const counts = DISPLAY_ORDER.filter((s) => (snapshot.byStatus[s] ?? 0) > 0).map(
    (s) => `${s} ${snapshot.byStatus[s]}`,
  );
  for (const [status, count] of Object.entries(snapshot.byStatus)) {
    if (!(DISPLAY_ORDER as readonly string[]).includes(status)) counts.push(`${status} ${count}`);
  }
  const files = counts.length > 0 ? counts.join(' · ') : 'no uploads yet';
  const { ingest, poll, publish } = snapshot.inFlight;
  return `${files} │ running: ingest ${ingest}, poll ${poll}, publish ${publish} │ events ${snapshot.events} │ dropped ${snapshot.dropped}`;
}

const MARK: Record<string, string> = {
  Active: '✔',
  VirusFound: '✖',
  Failed: '✖',
  Deleted: '✖',
  TimedOut: '⌛',
  Rejected: '⊘',
  Replaced: '↻',
  Removed: '🗑',
};

/** One line for a published event: status, key, and the library file or the reason. */
export function formatEvent(event: EventEnvelope): string {
  const detail = event.detail as {
    status?: string;
    object?: { key?: string };
    libraryFileId?: string;
    folderPath?: string;
    reason?: { errorKey?: string; message?: string };
    file?: { url?: string };
    timings?: { secondsToFinal?: number };
    replacedBy?: { libraryFileId?: string; url?: string };
    trashed?: boolean;
  };
  const status = detail.status ?? '?';
  const key = detail.object?.key ?? '?';
  const seconds = detail.timings?.secondsToFinal;
  const took = seconds === undefined ? '' : ` (${seconds < 10 ? seconds.toFixed(1) : Math.round(seconds)} s)`;
  const head = `${MARK[status] ?? '•'} ${status.padEnd(10)} ${key}`;
  if (status === 'Active') {
    const where = detail.folderPath ? ` in ${detail.folderPath}` : '';
    const url = detail.file?.url ? `  ${detail.file.url}` : '';
    return `${head} → library file ${detail.libraryFileId ?? '?'}${where}${took}${url}`;
  }
  const where = detail.trashed === false ? 'kept (another key names it)' : 'moved to the Trash';
  if (status === 'Replaced') {
    const url = detail.replacedBy?.url ? `  ${detail.replacedBy.url}` : '';
    return `${head} → library file ${detail.libraryFileId ?? '?'} ${where}, replaced by ${detail.replacedBy?.libraryFileId ?? '?'}${url}`;
  }
  if (status === 'Removed') return `${head} → library file ${detail.libraryFileId ?? '?'} ${where}`;
  const reason = detail.reason ? `: ${detail.reason.message ?? detail.reason.errorKey ?? ''}` : '';
  return `${head}${reason}${took}`;
}

/** What the display reads: the line to show and a number that changes whenever the line would. */
export interface ProgressSource {
  line(): string;
  changeCount(): number;
}

/** Where the progress goes, whether it is a terminal, and how often it is redrawn. */
export interface ProgressDisplayOptions {
  write: (text: string) => void;
  isTTY: boolean;
  source: ProgressSource;
  /** Redraw period on a terminal (default 200 ms). */
  ttyIntervalMs?: number;
  /** Period of the plain progress lines otherwise (default 5 s; only printed when something changed). */
  plainIntervalMs?: number;
}

/** Draws the progress line: rewritten in place on a terminal, a plain line now and then otherwise. */
export class ProgressDisplay {
  private readonly timer: NodeJS.Timeout;
  private shownChange = -1;
  private drawn = false;

  constructor(private readonly options: ProgressDisplayOptions) {
    const interval = options.isTTY ? (options.ttyIntervalMs ?? 200) : (options.plainIntervalMs ?? 5000);
    this.timer = setInterval(() => this.refresh(), interval);
    this.timer.unref();
  }

  /** Prints a permanent line (above the progress line on a terminal). */
  line(text: string): void {
    if (this.options.isTTY) {
      this.options.write(`${this.drawn ? '\r\x1b[2K' : ''}${text}\n`);
      this.drawn = false;
      this.draw();
    } else {
      this.options.write(`${text}\n`);
    }
  }

  refresh(): void {
    const change = this.options.source.changeCount();
    if (change === this.shownChange) return;
    this.shownChange = change;
    if (this.options.isTTY) this.draw();
    else this.options.write(`[progress] ${this.options.source.line()}\n`);
  }

  private draw(): void {
    const columns = process.stdout.columns || 120;
    let text = this.options.source.line();
    if (text.length > columns - 1) text = `${text.slice(0, Math.max(0, columns - 2))}…`;
    this.options.write(`\r\x1b[2K${text}`);
    this.drawn = true;
  }

  /** Stops redrawing; leaves the last progress as a permanent line. */
  stop(): void {
    clearInterval(this.timer);
    if (this.options.isTTY && this.drawn) this.options.write('\r\x1b[2K');
    this.drawn = false;
    this.options.write(`[progress] ${this.options.source.line()}\n`);
  }
}
