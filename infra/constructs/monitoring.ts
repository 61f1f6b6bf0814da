/**
 * What an operator looks at: an alarm topic (e-mail), alarms on everything that means "a file is stuck
 * or lost", and one dashboard that follows files through the pipeline. docs/operations.md explains each
 * alarm and what to do about it.
 */
import { Aws, Duration, Stack } from 'aws-cdk-lib';
import {
  Alarm,
  ComparisonOperator,
  Dashboard,
  Metric,
  type IMetric,
  Stats,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { StageConfig } from '../config/types.ts';
import { acknowledge } from './acknowledge.ts';
import { METRIC, METRIC_DIMENSION, THROTTLE_SCOPES } from './metrics-contract.ts';
import { dashboardRows, type LabelledQueue } from './pipeline-dashboard.ts';
import { PipelineMetrics } from './pipeline-metrics.ts';

/** A queue to watch, by its label on alarms and graphs. */
export interface MonitoredQueue extends LabelledQueue {
  /** Alarm when the oldest message is older than this; `undefined` = no age alarm. */
  readonly maxAgeSeconds?: number;
}

/** What is watched, and the names of the topic, alarms and dashboard. */
export interface PipelineMonitoringProps {
  readonly config: StageConfig;
  /** Every alarm name starts with `<namePrefix>-`; the topic accepts alarms of that prefix only. */
  readonly namePrefix: string;
  readonly topicName: string;
  readonly dashboardName: string;
  readonly workQueues: readonly MonitoredQueue[];
  readonly deadLetterQueues: readonly MonitoredQueue[];
  readonly functions: readonly { readonly label: string; readonly fn: IFunction }[];
  /** The stream-driven function, for the iterator-age alarm. */
  readonly streamFunction: IFunction;
  /** The queue that receives S3 notifications: its NumberOfMessagesSent counts files received. */
  readonly ingestQueue: IQueue;
}

/** The alarm topic, the alarms and the dashboard of one pipeline. */
export class PipelineMonitoring extends Construct {
  readonly topic: Topic;
  readonly dashboard: Dashboard;
  readonly alarms: Alarm[] = [];

  private readonly props: PipelineMonitoringProps;
  private readonly metrics: PipelineMetrics;

  constructor(scope: Construct, id: string, props: PipelineMonitoringProps) {
    super(scope, id);
    this.props = props;
    this.metrics = new PipelineMetrics(props.config.observability, Stack.of(this).region);
    this.topic = this.alarmTopic();
    this.deadLetterAlarms();
    this.queueAgeAlarms();
    this.functionAlarms();
    this.apiAlarms();

    this.dashboard = new Dashboard(this, 'Dashboard', {
      dashboardName: props.dashboardName,
      defaultInterval: Duration.hours(24),
      widgets: dashboardRows({ ...props, metrics: this.metrics, alarms: this.alarms }),
    });
  }

  /** Dead-letter queues: the first message. */
  private deadLetterAlarms(): void {
    // A message in a dead-letter queue is a file (or an event) that needs a person: alarm on the first one.
    for (const { label, queue } of this.props.deadLetterQueues) {
      this.alarm(`${label}DeadLetters`, {
        description: `${label}: messages in the dead-letter queue. See docs/operations.md, "Dead-letter queues".`,
        metric: queue.metricApproximateNumberOfMessagesVisible({
          period: Duration.minutes(1),
          statistic: Stats.MAXIMUM,
        }),
        threshold: 1,
        evaluationPeriods: 1,
      });
    }
  }

  /** Work queues: the age of the oldest message. */
  private queueAgeAlarms(): void {
    // A backlog under the API limits is normal; an old message means the pipeline stopped draining.
    for (const { label, queue, maxAgeSeconds } of this.props.workQueues) {
      if (maxAgeSeconds === undefined) continue;
      this.alarm(`${label}OldestMessage`, {
        description: `${label}: the oldest message is older than ${maxAgeSeconds} s.`,
        metric: queue.metricApproximateAgeOfOldestMessage({ period: Duration.minutes(5), statistic: Stats.MAXIMUM }),
        threshold: maxAgeSeconds,
        evaluationPeriods: 1,
      });
    }
  }

  /** Functions: errors, throttles, and the publisher falling behind its stream. */
  private functionAlarms(): void {
    const thresholds = this.props.config.observability.thresholds;
    // With partial batch responses, a failed record is not a function error: an error is a crash or a
    // timeout of the whole invocation, which is always a bug or a misconfiguration.
    for (const { label, fn } of this.props.functions) {
      this.alarm(`${label}Errors`, {
        description: `${label}: invocations failed (crash or timeout).`,
        metric: fn.metricErrors({ period: Duration.minutes(5), statistic: Stats.SUM }),
        threshold: 1,
        evaluationPeriods: 1,
      });
      this.alarm(`${label}Throttles`, {
        description: `${label}: invocations throttled by Lambda (account concurrency exhausted?).`,
        metric: fn.metricThrottles({ period: Duration.minutes(5), statistic: Stats.SUM }),
        threshold: 1,
        evaluationPeriods: 1,
      });
    }

    this.alarm('PublishIteratorAge', {
      description: 'Publish: stream records wait too long for the publisher (events are late).',
      metric: new Metric({
        namespace: 'AWS/Lambda',
        metricName: 'IteratorAge',
        dimensionsMap: { FunctionName: this.props.streamFunction.functionName },
        period: Duration.minutes(5),
        statistic: Stats.MAXIMUM,
      }),
      threshold: thresholds.publishIteratorAgeSeconds * 1000,
      evaluationPeriods: 1,
    });
  }

  /** The library API: throttles, refused credentials, the daily budget. */
  private apiAlarms(): void {
    const { config } = this.props;
    const thresholds = config.observability.thresholds;
    // The shared token bucket should keep the API from ever saying "too fast"; a few throttles are
    // tolerable (another client on the same key), a steady stream is not.
    this.alarm('ApiThrottled', {
      description: 'The library API keeps answering "over limit": is another client using this API key?',
      metric: this.metrics.sumOver(
        METRIC.ApiThrottled,
        METRIC_DIMENSION.scope,
        THROTTLE_SCOPES,
        Duration.minutes(5),
        'API throttles',
      ),
      threshold: thresholds.apiThrottledPer5Minutes,
      evaluationPeriods: 3,
    });

    // A 401 means the stored credentials are wrong or revoked: nothing uploads until someone fixes them.
    this.alarm('ApiUnauthorized', {
      description: 'The library API refused the credentials (401): put valid ones in the secret (docs/deploy.md).',
      metric: this.metrics.custom(METRIC.ApiUnauthorized, Stats.SUM, Duration.minutes(5)),
      threshold: 1,
      evaluationPeriods: 1,
    });

    // Requests of the last 24 hours against this stage's daily budget. CloudWatch cannot alarm on a
    // SEARCH, so the expression adds the known operations (the compiler keeps that list complete).
    this.alarm('DailyQuota', {
      description:
        `Library API requests in the last 24 h exceed ${Math.round(thresholds.dailyQuotaRatio * 100)}% of ` +
        `the daily budget (${config.library.requestsPerDay}).`,
      metric: this.metrics.apiRequestsTotal(Duration.days(1)),
      threshold: Math.floor(config.library.requestsPerDay * thresholds.dailyQuotaRatio),
      evaluationPeriods: 1,
    });
  }

  /**
   * Alarm notifications carry alarm names and metric values, nothing about files or credentials. A topic
   * policy replaces SNS's default one, so besides the TLS-only Deny it must allow CloudWatch to publish,
   * or every alarm action fails ("no resource-based policy allows the SNS:Publish action"). The grant is
   * limited to this account's alarms of this pipeline.
   */
  private alarmTopic(): Topic {
    const { config, namePrefix, topicName } = this.props;
    const topic = new Topic(this, 'AlarmTopic', {
      topicName,
      displayName: `Library upload pipeline (${config.stage}) alarms`,
      enforceSSL: true,
    });
    topic.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AllowCloudWatchAlarms',
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [topic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
          ArnLike: {
            'aws:SourceArn': `arn:${Aws.PARTITION}:cloudwatch:${Aws.REGION}:${Aws.ACCOUNT_ID}:alarm:${namePrefix}-*`,
          },
        },
      }),
    );
    acknowledge(
      topic,
      'AwsSolutions-SNS2',
      'CloudWatch alarms cannot publish to a topic encrypted with the AWS managed aws/sns key, and a ' +
        'customer managed key would protect only alarm names and metric values; publishing is TLS-only (enforceSSL).',
    );
    const recipients = config.observability.alarmRecipients;
    if (recipients === undefined) {
      throw new Error(`observability.alarmRecipients is required for stage "${config.stage}" (or "none")`);
    }
    if (recipients !== 'none') for (const address of recipients) topic.addSubscription(new EmailSubscription(address));
    return topic;
  }

  private alarm(
    id: string,
    options: { description: string; metric: IMetric; threshold: number; evaluationPeriods: number },
  ): Alarm {
    const alarm = new Alarm(this, id, {
      alarmName: `${this.props.namePrefix}-${kebab(id)}`,
      alarmDescription: options.description,
      metric: options.metric,
      threshold: options.threshold,
      evaluationPeriods: options.evaluationPeriods,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      // No data means no traffic, which is not a problem.
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    const action = new SnsAction(this.topic);
    alarm.addAlarmAction(action);
    alarm.addOkAction(action);
    this.alarms.push(alarm);
    return alarm;
  }
}

function kebab(id: string): string {
  return id.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
}
