/**
 * `ops list [--status <s>…] [--since 24h|ISO] [--prefix uploads/…] [--limit N]`: records by status and
 * time of their last change, newest first (e.g. everything TimedOut or Failed today).
 */
import { InvalidArgumentError, Option, type Command } from 'commander';
import { RECORD_STATUSES, type RecordStatus, type UploadRecord } from '../../../shared/record/upload-record.ts';
import { EXIT } from '../errors.ts';
import { table, type CommandResult } from '../output.ts';
import { listRecords } from '../records.ts';
import type { OpsTarget } from '../target/types.ts';
import { parseTime } from '../time.ts';
import type { CommandRunner } from './registry.ts';

export interface ListOptions {
  statuses?: RecordStatus[];
  since: Date;
  prefix?: string;
  limit: number;
}

export interface ListData {
  since: string;
  statuses: readonly RecordStatus[];
  prefix?: string;
  records: UploadRecord[];
}

export async function listCommand(target: OpsTarget, options: ListOptions): Promise<CommandResult<ListData>> {
  const records = await listRecords(
    { client: target.clients.dynamodb, tableName: target.resources.uploadsTable },
    {
      ...(options.statuses ? { statuses: options.statuses } : {}),
      since: options.since,
      ...(options.prefix ? { prefix: options.prefix } : {}),
      limit: options.limit,
    },
  );
  const data: ListData = {
    since: options.since.toISOString(),
    statuses: options.statuses ?? RECORD_STATUSES,
    ...(options.prefix ? { prefix: options.prefix } : {}),
    records,
  };
  const rows = records.map((r) => [r.updatedAt, r.status, r.key, r.libraryFileId, r.attempts, r.errorKey]);
  const text =
    records.length === 0
      ? `No records changed since ${data.since}${options.statuses ? ` with status ${options.statuses.join(', ')}` : ''}.`
      : `${table(['last change', 'status', 'key', 'library file', 'attempts', 'reason'], rows)}\n${records.length} record(s)`;
  return { data, text, exitCode: EXIT.ok };
}

/** The `--status` option, checked against the record statuses (commander refuses anything else: exit 2). */
export function statusOption(description: string): Option {
  return new Option('--status <status...>', description).choices([...RECORD_STATUSES]);
}

export const registerList: CommandRunner = (program: Command, run) => {
  program
    .command('list')
    .description('records by status and time of their last change, newest first')
    .addOption(statusOption('only these statuses (repeatable; default: all)'))
    .option('--since <time>', 'changed since: a duration back from now (30m, 24h, 7d) or an ISO time', '24h')
    .option('--prefix <prefix>', 'only keys starting with this (e.g. uploads/brand/)')
    .option('--limit <n>', 'at most this many records', (value) => positiveInteger(value, '--limit'), 100)
    .action((options: { status?: RecordStatus[]; since: string; prefix?: string; limit: number }) => {
      // Arguments are checked before any target is resolved: a usage error needs no AWS.
      const query: ListOptions = {
        ...(options.status ? { statuses: options.status } : {}),
        since: parseTime(options.since, '--since'),
        ...(options.prefix ? { prefix: options.prefix } : {}),
        limit: options.limit,
      };
      return run((target) => listCommand(target, query));
    });
};

/** A commander argument parser for a positive integer (an invalid value is a usage error). */
export function positiveInteger(value: string, option: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) {
    throw new InvalidArgumentError(`${option} must be a positive integer, got "${value}"`);
  }
  return n;
}
