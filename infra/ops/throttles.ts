/**
 * Throttled API answers (`ApiThrottled`, the functions' metric) over a recent window. On AWS from
 * CloudWatch (the stage's namespace, both scopes); locally from the EMF blobs the functions wrote to
 * `<state>/logs/functions.jsonl`, which is where CloudWatch would have read them from.
 */
import { GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { METRIC } from '../../shared/observability/metric-names.ts';
import type { OpsTarget } from './target/types.ts';

export async function throttledSince(target: OpsTarget, since: Date, now: Date = new Date()): Promise<number> {
  return target.kind === 'aws' ? fromCloudWatch(target, since, now) : fromLocalLog(target, since);
}

async function fromCloudWatch(target: OpsTarget, since: Date, now: Date): Promise<number> {
  const { metricsNamespace, serviceName } = target.stage.observability;
  const result = await target.clients.cloudWatch.send(
    new GetMetricDataCommand({
      StartTime: since,
      EndTime: now,
      MetricDataQueries: (['second', 'day'] as const).map((scope) => ({
        Id: scope,
        MetricStat: {
          Metric: {
            Namespace: metricsNamespace,
            MetricName: METRIC.ApiThrottled,
            Dimensions: [
              { Name: 'service', Value: serviceName },
              { Name: 'scope', Value: scope },
            ],
          },
          Period: Math.max(60, Math.ceil((now.getTime() - since.getTime()) / 1000 / 60) * 60),
          Stat: 'Sum',
        },
      })),
    }),
  );
  return (result.MetricDataResults ?? []).reduce((sum, r) => sum + (r.Values ?? []).reduce((a, b) => a + b, 0), 0);
}

async function fromLocalLog(target: OpsTarget, since: Date): Promise<number> {
  if (target.stateDir === undefined) return 0;
  let text: string;
  try {
    text = await readFile(join(target.stateDir, 'logs', 'functions.jsonl'), 'utf8');
  } catch {
    return 0;
  }
  let total = 0;
  for (const line of text.split('\n')) {
    if (!line.includes(`"${METRIC.ApiThrottled}"`)) continue;
    try {
      const blob = JSON.parse(line) as { _aws?: { Timestamp?: number }; [name: string]: unknown };
      const value = blob[METRIC.ApiThrottled];
      if ((blob._aws?.Timestamp ?? 0) >= since.getTime() && typeof value === 'number') total += value;
    } catch {
      // not a JSON line: skip
    }
  }
  return total;
}
