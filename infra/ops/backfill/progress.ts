/**
 * What the operator sees while a backfill runs: a progress bar with counts and ETA on a terminal
 * (cli-progress), plain lines otherwise (a log, a CI job), at most one every `everyMs`. Written to
 * stderr, so `--json` keeps stdout to the one document.
 */
import cliProgress from 'cli-progress';
import type { BackfillCounts } from './checkpoint.ts';

export interface ProgressReporter {
  start(total: number, counts: BackfillCounts): void;
  update(counts: BackfillCounts): void;
  stop(): void;
}

/** Handled so far: enqueued, found done, or skipped for a reason. */
export function handledOf(counts: BackfillCounts): number {
  return counts.listed;
}

/** The bar on a TTY, lines otherwise; `silent` for none. */
export function progressReporter(
  stream: NodeJS.WriteStream | { write(text: string): unknown; isTTY?: boolean },
  options: { everyMs?: number; silent?: boolean } = {},
): ProgressReporter {
  if (options.silent) return { start() {}, update() {}, stop() {} };
  return stream.isTTY ? barReporter(stream as NodeJS.WriteStream) : lineReporter(stream, options.everyMs ?? 5000);
}

function payload(counts: BackfillCounts): Record<string, number> {
  return { enqueued: counts.enqueued, done: counts.alreadyDone, skipped: skippedOf(counts) };
}

function skippedOf(counts: BackfillCounts): number {
  return Object.values(counts.skipped).reduce((a, b) => a + b, 0);
}

function barReporter(stream: NodeJS.WriteStream): ProgressReporter {
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format:
        'backfill [{bar}] {value}/{total} listed | {enqueued} enqueued, {done} done, {skipped} skipped | ETA {eta_formatted}',
      etaBuffer: 200,
      hideCursor: true,
    },
    cliProgress.Presets.shades_classic,
  );
  return {
    start: (total, counts) => bar.start(total, handledOf(counts), payload(counts)),
    update: (counts) => bar.update(handledOf(counts), payload(counts)),
    stop: () => bar.stop(),
  };
}

function lineReporter(stream: { write(text: string): unknown }, everyMs: number): ProgressReporter {
  let total = 0;
  let startedAt = 0;
  let startedFrom = 0;
  let lastAt = 0;
  const line = (counts: BackfillCounts): void => {
    const handled = handledOf(counts);
    const elapsed = (Date.now() - startedAt) / 1000;
    const rate = elapsed > 0 ? (handled - startedFrom) / elapsed : 0;
    const eta = rate > 0 ? `${Math.ceil((total - handled) / rate)} s` : '-';
    stream.write(
      `backfill: ${handled}/${total} listed, ${counts.enqueued} enqueued, ${counts.alreadyDone} done, ${skippedOf(counts)} skipped, ETA ${eta}\n`,
    );
  };
  return {
    start(t, counts) {
      total = t;
      startedAt = Date.now();
      startedFrom = handledOf(counts);
      lastAt = startedAt;
    },
    update(counts) {
      if (Date.now() - lastAt < everyMs) return;
      lastAt = Date.now();
      line(counts);
    },
    stop: () => undefined,
  };
}
