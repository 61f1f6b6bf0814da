/**
 * `ops retry <key…> | --status <s…> --since … [--dry-run]`: re-runs files whose last version ended
 * Failed, TimedOut or Rejected, once the cause is fixed (e.g. the account's size limit was raised).
 * How each is re-run without a second library copy: reopen-record.ts.
 */
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import type { Command } from 'commander';
import { INGEST_RETRY_TYPE, type IngestRetryMessage } from '../../../shared/ingest/ingest-message.ts';
import { firstStatusCheck } from '../../../shared/poll/status-message.ts';
import { RETRYABLE_STATUSES, type RetryableStatus, type UploadRecord } from '../../../shared/record/upload-record.ts';
import { EXIT, UsageError } from '../errors.ts';
import { table, type CommandResult } from '../output.ts';
import { listRecords, recordsByKey } from '../records.ts';
import { isRetryable, reopenRecord, retryModeOf, type RetryMode } from '../reopen-record.ts';
import type { OpsTarget } from '../target/types.ts';
import { parseTime } from '../time.ts';
import { statusOption } from './list.ts';
import type { CommandRunner } from './registry.ts';

export type RetrySelection = { keys: string[] } | { statuses: RetryableStatus[]; since: Date; prefix?: string };

export interface RetryItem {
  key: string;
  objectId?: string;
  status?: string;
  /** What was (or, with --dry-run, would be) done. */
  action: RetryMode | 'skipped';
  /** Why skipped. */
  note?: string;
  retryCount?: number;
}

export interface RetryData {
  dryRun: boolean;
  items: RetryItem[];
}

export async function retryCommand(
  target: OpsTarget,
  selection: RetrySelection,
  options: { dryRun?: boolean; now?: () => Date } = {},
): Promise<CommandResult<RetryData>> {
  const now = options.now ?? (() => new Date());
  const candidates = await selectRecords(target, selection);
  const items: RetryItem[] = [];
  for (const candidate of candidates) {
    items.push(await retryOne(target, candidate, options.dryRun === true, now));
  }
  const data: RetryData = { dryRun: options.dryRun === true, items };
  const done = items.filter((item) => item.action !== 'skipped').length;
  const rows = items.map((i) => [i.key, i.status, i.action, i.retryCount, i.note]);
  const verb = data.dryRun ? 'would be retried' : 'retried';
  const text =
    items.length === 0
      ? 'Nothing to retry.'
      : `${table(['key', 'status', data.dryRun ? 'would' : 'action', 'retry', 'note'], rows)}\n${done} of ${items.length} ${verb}`;
  // Every key asked about by name must have been retried; a status sweep that finds nothing is fine.
  const failed = 'keys' in selection ? done < items.length : false;
  return { data, text, exitCode: failed ? EXIT.failed : EXIT.ok };
}

/** The latest version's record of each key, or every record of the statuses in the window. */
async function selectRecords(
  target: OpsTarget,
  selection: RetrySelection,
): Promise<Array<{ key: string; record?: UploadRecord }>> {
  const source = { client: target.clients.dynamodb, tableName: target.resources.uploadsTable };
  if ('keys' in selection) {
    return Promise.all(
      selection.keys.map(async (given) => {
        for (const key of [given, `${target.resources.uploadPrefix}${given}`]) {
          const [latest] = await recordsByKey(source, key, target.resources.bucket);
          if (latest) return { key, record: latest };
        }
        return { key: given };
      }),
    );
  }
  const records = await listRecords(source, {
    statuses: selection.statuses,
    since: selection.since,
    ...(selection.prefix ? { prefix: selection.prefix } : {}),
  });
  return records.map((record) => ({ key: record.key, record }));
}

async function retryOne(
  target: OpsTarget,
  { key, record }: { key: string; record?: UploadRecord },
  dryRun: boolean,
  now: () => Date,
): Promise<RetryItem> {
  if (record === undefined) return { key, action: 'skipped', note: 'no record of this key' };
  const base = { key, objectId: record.objectId, status: record.status };
  if (!isRetryable(record)) {
    return {
      ...base,
      action: 'skipped',
      note: `${record.status} is not retried (only ${RETRYABLE_STATUSES.join(', ')})`,
    };
  }
  const mode = retryModeOf(record);
  const retryCount = (record.retry?.count ?? 0) + 1;
  if (dryRun) return { ...base, action: mode, retryCount };
  const reopened = await reopenRecord(target.clients.dynamodb, target.resources.uploadsTable, record, now());
  if (reopened === undefined) return { ...base, action: 'skipped', note: 'the record changed meanwhile: look again' };
  await target.clients.sqs.send(queuedWork(target, reopened, mode, now()));
  return { ...base, action: mode, retryCount };
}

/** The message that restarts the work: a status check (the file is in the library) or an ingest. */
function queuedWork(target: OpsTarget, record: UploadRecord, mode: RetryMode, now: Date): SendMessageCommand {
  if (mode === 'recheck') {
    // The maximum wait runs from this check's `submittedAt`: the file gets the whole wait again.
    const check = firstStatusCheck({ ...record, transitions: { ...record.transitions, Submitted: now.toISOString() } });
    return new SendMessageCommand({ QueueUrl: target.resources.queues.status.url, MessageBody: JSON.stringify(check) });
  }
  const message: IngestRetryMessage = {
    type: INGEST_RETRY_TYPE,
    version: 1,
    object: {
      bucket: record.bucket,
      key: record.key,
      ...(record.versionId === undefined ? {} : { versionId: record.versionId }),
      ...(record.eTag === undefined ? {} : { eTag: record.eTag }),
      ...(record.size === undefined ? {} : { size: record.size }),
    },
    retries: 0,
    waits: 0,
    reason: 'ops retry',
  };
  return new SendMessageCommand({ QueueUrl: target.resources.queues.ingest.url, MessageBody: JSON.stringify(message) });
}

export const registerRetry: CommandRunner = (program: Command, run) => {
  program
    .command('retry')
    .description('re-run files whose last version ended Failed, TimedOut or Rejected (no second library copy)')
    .argument('[keys...]', 'S3 keys to retry (their latest version)')
    .addOption(statusOption('instead of keys: every record with these statuses (Failed, TimedOut, Rejected)'))
    .option('--since <time>', 'with --status: changed since (30m, 24h, 7d or ISO)', '24h')
    .option('--prefix <prefix>', 'with --status: only keys starting with this')
    .option('--dry-run', 'show what would be retried, change nothing')
    .action((keys: string[], options: { status?: string[]; since: string; prefix?: string; dryRun?: boolean }) => {
      const selection = retrySelection(keys, options);
      return run((target) => retryCommand(target, selection, { dryRun: options.dryRun === true }));
    });
};

function retrySelection(
  keys: string[],
  options: { status?: string[]; since: string; prefix?: string },
): RetrySelection {
  if (keys.length > 0 && options.status) throw new UsageError('Give keys or --status, not both');
  if (keys.length > 0) return { keys };
  if (!options.status) throw new UsageError('Give the keys to retry, or --status <status…> --since <time>');
  const wrong = options.status.filter((s) => !(RETRYABLE_STATUSES as readonly string[]).includes(s));
  if (wrong.length > 0)
    throw new UsageError(`Only ${RETRYABLE_STATUSES.join(', ')} can be retried, not ${wrong.join(', ')}`);
  return {
    statuses: options.status as RetryableStatus[],
    since: parseTime(options.since, '--since'),
    ...(options.prefix ? { prefix: options.prefix } : {}),
  };
}
