/**
 * The pipeline's dashboard: one row per stage of a file's way through it (files in and out, queues,
 * latency, the library API, the functions), then every alarm's state. docs/operations.md explains it.
 */
import { Duration } from 'aws-cdk-lib';
import {
  AlarmStatusWidget,
  GraphWidget,
  Metric,
  SingleValueWidget,
  Stats,
  TextWidget,
  type Alarm,
  type IWidget,
} from 'aws-cdk-lib/aws-cloudwatch';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { StageConfig } from '../config/types.ts';
import {
  FINAL_STATUSES,
  METRIC,
  METRIC_DIMENSION,
  OBJECT_TAGGING_FAILED,
  THROTTLE_SCOPES,
} from './metrics-contract.ts';
import type { PipelineMetrics } from './pipeline-metrics.ts';

/** A queue or function by its label on the graphs. */
export interface LabelledQueue {
  readonly label: string;
  readonly queue: IQueue;
}

/** What the dashboard shows. */
export interface DashboardSources {
  readonly config: StageConfig;
  readonly metrics: PipelineMetrics;
  readonly workQueues: readonly LabelledQueue[];
  readonly deadLetterQueues: readonly LabelledQueue[];
  readonly functions: readonly { readonly label: string; readonly fn: IFunction }[];
  readonly ingestQueue: IQueue;
  readonly streamFunction: IFunction;
  readonly alarms: readonly Alarm[];
}

const five = Duration.minutes(5);

/** The dashboard's rows, top to bottom. */
export function dashboardRows(s: DashboardSources): IWidget[][] {
  return [header(s), filesRow(s), queuesRow(s), latencyRow(s), apiRow(s), functionsRow(s), alarmsRow(s)];
}

/** A custom metric summed over 5 minutes, with its graph label. */
function count(s: DashboardSources, name: string, label: string, extra: Record<string, string> = {}): Metric {
  return s.metrics.custom(name, Stats.SUM, five, extra).with({ label });
}

/** The title and the path a file takes. */
function header(s: DashboardSources): IWidget[] {
  return [
    new TextWidget({
      width: 24,
      height: 2,
      markdown:
        `## Library upload pipeline: ${s.config.stage}\n` +
        'S3 `ObjectCreated` → ingest queue → **ingest** (upload to MyLibrary) → status queue → **poll** ' +
        '(until final) → uploads table → stream → **publish** → EventBridge. Runbook: docs/operations.md.',
    }),
  ];
}

/** Files in, files out, rejections. */
function filesRow(s: DashboardSources): IWidget[] {
  return [
    new GraphWidget({
      title: 'Files in: S3 events, received, submitted',
      width: 8,
      left: [
        s.ingestQueue.metricNumberOfMessagesSent({ period: five, statistic: Stats.SUM, label: 'S3 events' }),
        count(s, METRIC.FilesReceived, 'Received (new versions)'),
        count(s, METRIC.FilesSubmitted, 'Submitted (202)'),
      ],
    }),
    new GraphWidget({
      title: 'Files out: final status',
      width: 8,
      stacked: true,
      left: FINAL_STATUSES.map((status) => count(s, METRIC.FilesFinal, status, { [METRIC_DIMENSION.status]: status })),
    }),
    new GraphWidget({
      title: 'Rejected before upload, by reason',
      width: 8,
      left: [s.metrics.searchBy(METRIC.FilesRejected, METRIC_DIMENSION.reason, '')],
    }),
  ];
}

/** Queue depth, messages in flight or delayed, age of the oldest message. */
function queuesRow(s: DashboardSources): IWidget[] {
  return [
    new GraphWidget({
      title: 'Queue depth (visible)',
      width: 8,
      left: [...s.workQueues, ...s.deadLetterQueues].map(({ label, queue }) =>
        queue.metricApproximateNumberOfMessagesVisible({ period: five, statistic: Stats.MAXIMUM, label }),
      ),
    }),
    new GraphWidget({
      title: 'Messages in flight / delayed (status re-checks wait as delayed)',
      width: 8,
      left: s.workQueues.flatMap(({ label, queue }) => [
        queue.metricApproximateNumberOfMessagesNotVisible({
          period: five,
          statistic: Stats.MAXIMUM,
          label: `${label} in flight`,
        }),
        queue.metric('ApproximateNumberOfMessagesDelayed', {
          period: five,
          statistic: Stats.MAXIMUM,
          label: `${label} delayed`,
        }),
      ]),
    }),
    new GraphWidget({
      title: 'Age of oldest message (s)',
      width: 8,
      left: s.workQueues.map(({ label, queue }) =>
        queue.metricApproximateAgeOfOldestMessage({ period: five, statistic: Stats.MAXIMUM, label }),
      ),
    }),
  ];
}

/** Time to a final status and function duration. */
function latencyRow(s: DashboardSources): IWidget[] {
  return [
    new GraphWidget({
      title: 'Latency: received to final status (ms)',
      width: 12,
      left: [Stats.p(50), Stats.p(90), Stats.MAXIMUM].map((statistic) =>
        s.metrics.custom(METRIC.TimeToFinal, statistic, five).with({ label: statistic }),
      ),
    }),
    new GraphWidget({
      title: 'Function duration p90 (ms)',
      width: 12,
      left: s.functions.map(({ label, fn }) => fn.metricDuration({ period: five, statistic: Stats.p(90), label })),
    }),
  ];
}

/** Library API requests, throttles and 401s, and the daily budget. */
function apiRow(s: DashboardSources): IWidget[] {
  return [
    new GraphWidget({
      title: 'Library API requests by operation',
      width: 8,
      left: [s.metrics.searchBy(METRIC.ApiRequests, METRIC_DIMENSION.operation, '')],
    }),
    new GraphWidget({
      title: 'Library API throttles (by scope) and 401s',
      width: 8,
      left: [
        ...THROTTLE_SCOPES.map((scope) =>
          count(s, METRIC.ApiThrottled, `throttled (${scope})`, { [METRIC_DIMENSION.scope]: scope }),
        ),
        count(s, METRIC.ApiUnauthorized, 'unauthorized (401)'),
      ],
    }),
    new SingleValueWidget({
      title: `API requests, last 24 h (budget ${s.config.library.requestsPerDay})`,
      width: 8,
      metrics: [s.metrics.apiRequestsTotal(Duration.days(1))],
      setPeriodToTimeRange: false,
    }),
  ];
}

/** Invocations, errors, throttles, iterator age, events and tagging. */
function functionsRow(s: DashboardSources): IWidget[] {
  return [
    new GraphWidget({
      title: 'Invocations and errors',
      width: 8,
      left: s.functions.map(({ label, fn }) => fn.metricInvocations({ period: five, statistic: Stats.SUM, label })),
      right: s.functions.map(({ label, fn }) =>
        fn.metricErrors({ period: five, statistic: Stats.SUM, label: `${label} errors` }),
      ),
    }),
    new GraphWidget({
      title: 'Throttles and publish iterator age',
      width: 8,
      left: s.functions.map(({ label, fn }) =>
        fn.metricThrottles({ period: five, statistic: Stats.SUM, label: `${label} throttles` }),
      ),
      right: [
        new Metric({
          namespace: 'AWS/Lambda',
          metricName: 'IteratorAge',
          dimensionsMap: { FunctionName: s.streamFunction.functionName },
          period: five,
          statistic: Stats.MAXIMUM,
          label: 'publish iterator age (ms)',
        }),
      ],
    }),
    new GraphWidget({
      title: 'Events published / failed, tagging failures',
      width: 8,
      left: [count(s, METRIC.EventsPublished, 'events published'), count(s, METRIC.EventsFailed, 'events failed')],
      right: [count(s, OBJECT_TAGGING_FAILED, 'object tagging failed')],
    }),
  ];
}

/** Every alarm's state. */
function alarmsRow(s: DashboardSources): IWidget[] {
  return [new AlarmStatusWidget({ title: 'Alarms', width: 24, alarms: [...s.alarms] })];
}
