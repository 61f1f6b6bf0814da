/**
 * `ops backfill [--prefix p] [--since t] [--dry-run] [--max n]`: uploads the files that were in the
 * bucket before the pipeline (no notification ever named them). Lists the bucket, skips what is
 * recorded or not for the library, and enqueues the rest as the S3 notifications ingest already reads,
 * paced to leave new drops room, resumable from a checkpoint in the stage. How: infra/ops/backfill/.
 */
import type { Command } from 'commander';
import { SKIP_REASONS } from '../backfill/eligibility.ts';
import { parseS3Url } from '../backfill/inventory.ts';
import { progressReporter, type ProgressReporter } from '../backfill/progress.ts';
import { runBackfill, type BackfillOptions, type BackfillResult } from '../backfill/run-backfill.ts';
import { EXIT, UsageError } from '../errors.ts';
import { fields, type CommandResult } from '../output.ts';
import type { OpsTarget } from '../target/types.ts';
import { parseTime } from '../time.ts';
import { quotaCommand } from './quota.ts';
import type { CommandRunner } from './registry.ts';

/** Defaults of the pacing: a window of 20 visible messages, looked at every second. */
export const DEFAULT_WINDOW = 20;
/** The share of the key's daily limit a backfill leaves for new drops. */
export const DEFAULT_RESERVE_SHARE = 0.25;

export interface BackfillRunOptions {
  progress?: ProgressReporter;
  say?: (text: string) => void;
  signal?: AbortSignal;
}

/** Runs a backfill and turns its result into the command's output. */
export async function backfillCommand(
  target: OpsTarget,
  options: BackfillOptions,
  run: BackfillRunOptions = {},
): Promise<CommandResult<BackfillResult>> {
  const result = await runBackfill(target, options, {
    progress: run.progress ?? progressReporter(process.stderr),
    say: run.say ?? ((text) => process.stderr.write(`${text}\n`)),
    quotaToday: async () => {
      const { data } = await quotaCommand(target);
      return {
        used: data.used,
        ...(data.requestsPerFile === undefined ? {} : { requestsPerFile: data.requestsPerFile }),
      };
    },
    ...(run.signal ? { signal: run.signal } : {}),
  });
  return { data: result, text: summaryText(result), exitCode: EXIT.ok };
}

const STOP_TEXT: Record<BackfillResult['stop'], string> = {
  finished: 'finished: every listed object is handled',
  max: 'stopped at --max: run the same command again to continue',
  'daily-allowance': "stopped at today's share of the key's budget: run the same command again after 00:00 UTC",
  interrupted: 'interrupted: run the same command again to continue where it stopped',
};

function summaryText(r: BackfillResult): string {
  const c = r.counts;
  return fields([
    ['backfill', `${r.dryRun ? 'DRY RUN (nothing enqueued, no checkpoint) ' : ''}s3://${r.bucket}/${r.prefix}`],
    [
      'listing',
      r.inventory
        ? `S3 Inventory ${r.inventory}`
        : r.versioned
          ? 'ListObjectVersions (latest versions)'
          : 'ListObjectsV2',
    ],
    ...(r.resumedAfter ? [['resumed after', r.resumedAfter] as const] : []),
    ['listed', c.listed],
    ['already done', `${c.alreadyDone} (a record of that version exists)`],
    [r.dryRun ? 'would enqueue' : 'enqueued', `${c.enqueued} (this run: ${r.enqueuedThisRun})`],
    ...SKIP_REASONS.map((reason) => [`skipped: ${reason}`, c.skipped[reason]] as const),
    ['result', r.dryRun ? 'dry run: nothing changed' : STOP_TEXT[r.stop]],
  ]);
}

function positiveInteger(name: string) {
  return (text: string): number => {
    const value = Number(text);
    if (!Number.isInteger(value) || value <= 0)
      throw new UsageError(`${name} must be a positive integer, got "${text}"`);
    return value;
  };
}

interface BackfillFlags {
  prefix?: string;
  since?: string;
  inventory?: string;
  dryRun?: boolean;
  max?: number;
  window: number;
}

function parseInventoryUrl(url: string): string {
  parseS3Url(url);
  return url;
}

export const registerBackfill: CommandRunner = (program: Command, run) => {
  program
    .command('backfill')
    .description('upload the objects that were in the bucket before the pipeline (listed, paced, resumable)')
    .option('--prefix <prefix>', 'list only keys starting with this (default: the upload prefix)')
    .option('--since <time>', 'only objects last modified since (30m, 24h, 7d or ISO)')
    .option('--inventory <s3-url>', 'read this S3 Inventory manifest (CSV) instead of listing the bucket')
    .option('--dry-run', 'count and estimate, enqueue nothing, write no checkpoint')
    .option('--max <n>', 'enqueue at most this many files in this run', positiveInteger('--max'))
    .option(
      '--window <n>',
      'add work only while the ingest queue holds fewer visible messages',
      positiveInteger('--window'),
      DEFAULT_WINDOW,
    )
    .action((options: BackfillFlags) => {
      const controller = new AbortController();
      const onSignal = (): void => controller.abort();
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      const backfill: BackfillOptions = {
        ...(options.prefix === undefined ? {} : { prefix: options.prefix }),
        ...(options.since === undefined ? {} : { since: parseTime(options.since, '--since') }),
        ...(options.inventory === undefined ? {} : { inventory: parseInventoryUrl(options.inventory) }),
        dryRun: options.dryRun === true,
        ...(options.max === undefined ? {} : { max: options.max }),
        pacing: { window: options.window, pollMs: 1000 },
        reserveShare: DEFAULT_RESERVE_SHARE,
      };
      return run((target) => backfillCommand(target, backfill, { signal: controller.signal })).finally(() => {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      });
    });
};
