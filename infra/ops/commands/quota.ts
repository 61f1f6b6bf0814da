/**
 * `ops quota`: the API key's budget today. Used requests come from the shared limiter's item in the
 * limits table (every request any function made went through it); the limits from the stage config;
 * throttled answers from the functions' metric; files per day from today's requests per final file.
 */
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { Command } from 'commander';
import { dayWindowAt } from '../../../shared/rate-limit/day-window.ts';
import { FINAL_STATUSES } from '../../../shared/record/upload-record.ts';
import { EXIT } from '../errors.ts';
import { fields, type CommandResult } from '../output.ts';
import { pipelineState, type PipelineState } from '../pipeline-state.ts';
import { listRecords } from '../records.ts';
import type { OpsTarget } from '../target/types.ts';
import { throttledSince } from '../throttles.ts';
import type { CommandRunner } from './registry.ts';

/** The limiter's items: `api-rate#<key id>` (shared/rate-limit/), one per API key in use. */
const LIMITER_ITEM_PREFIX = 'api-rate#';

export interface QuotaData {
  day: string;
  used: number;
  dailyLimit: number;
  remaining: number;
  perSecond: number;
  resetsAt: string;
  /** Until then the API reported the day spent (a 403 over the daily limit). */
  blockedUntil?: string;
  throttledLastHour: number;
  finalFilesToday: number;
  /** Today's requests ÷ today's final files; absent before the first file of the day. */
  requestsPerFile?: number;
  /** The daily limit ÷ requestsPerFile. */
  filesPerDay?: number;
  /** API keys with a budget item today (a rotation leaves two). */
  keys: number;
  pipeline: PipelineState;
}

interface LimiterItem {
  pk: string;
  dayBlockedUntil?: number;
  [attribute: string]: unknown;
}

export async function quotaCommand(target: OpsTarget, now: Date = new Date()): Promise<CommandResult<QuotaData>> {
  const day = dayWindowAt(now.getTime());
  const [items, throttledLastHour, finals, pipeline] = await Promise.all([
    limiterItems(target),
    throttledSince(target, new Date(now.getTime() - 3_600_000), now),
    listRecords(
      { client: target.clients.dynamodb, tableName: target.resources.uploadsTable },
      { statuses: FINAL_STATUSES, since: new Date(day.startsAt), until: now },
    ),
    pipelineState(target),
  ]);
  const usedAttribute = `used#${day.label}`;
  const used = items.reduce((sum, item) => sum + Number(item[usedAttribute] ?? 0), 0);
  const blocked = Math.max(0, ...items.map((item) => Number(item.dayBlockedUntil ?? 0)));
  const { requestsPerDay, requestsPerSecond } = target.stage.library;
  const requestsPerFile = finals.length > 0 ? round(used / finals.length, 3) : undefined;
  const data: QuotaData = {
    day: day.label,
    used,
    dailyLimit: requestsPerDay,
    remaining: Math.max(0, requestsPerDay - used),
    perSecond: requestsPerSecond,
    resetsAt: new Date(day.resetsAt).toISOString(),
    ...(blocked > now.getTime() ? { blockedUntil: new Date(blocked).toISOString() } : {}),
    throttledLastHour,
    finalFilesToday: finals.length,
    ...(requestsPerFile ? { requestsPerFile, filesPerDay: Math.floor(requestsPerDay / requestsPerFile) } : {}),
    keys: items.filter((item) => item[usedAttribute] !== undefined).length,
    pipeline,
  };
  return { data, text: quotaText(data), exitCode: EXIT.ok };
}

/** The limiter's items: a Scan, but of the limits table, which holds one item per API key and the switch. */
async function limiterItems(target: OpsTarget): Promise<LimiterItem[]> {
  const items: LimiterItem[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await target.clients.dynamodb.send(
      new ScanCommand({
        TableName: target.resources.limitsTable,
        FilterExpression: 'begins_with(pk, :prefix)',
        ExpressionAttributeValues: { ':prefix': LIMITER_ITEM_PREFIX },
        ConsistentRead: true,
        ExclusiveStartKey: start,
      }),
    );
    items.push(...((page.Items ?? []) as LimiterItem[]));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

function quotaText(d: QuotaData): string {
  const percent = d.dailyLimit > 0 ? ` (${round((100 * d.used) / d.dailyLimit, 1)} %)` : '';
  return fields([
    ['day (UTC)', d.day],
    ['used / daily limit', `${d.used} / ${d.dailyLimit}${percent}`],
    ['per second', `${d.perSecond} requests (shared limiter)`],
    ['throttled, last hour', d.throttledLastHour],
    [
      'resets at',
      d.blockedUntil ? `${d.resetsAt} (the API said the day is spent: waiting until ${d.blockedUntil})` : d.resetsAt,
    ],
    ['final files today', d.finalFilesToday],
    [
      'files per day',
      d.filesPerDay === undefined
        ? '- (no file today to measure requests per file)'
        : `${d.filesPerDay} at ${d.requestsPerFile} requests per file`,
    ],
    ['pipeline', d.pipeline.paused ? `PAUSED (${d.pipeline.detail})` : d.pipeline.detail],
  ]);
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

export const registerQuota: CommandRunner = (program: Command, run) => {
  program
    .command('quota')
    .description("the API key's budget today: used / daily limit, per-second setting, throttles, reset, files per day")
    .action(() => run((target) => quotaCommand(target)));
};
