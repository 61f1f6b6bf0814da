/**
 * The library upload pipeline as one construct, in the order a file travels through it:
 *
 *   S3 bucket ─ObjectCreated→ ingest queue → ingest λ → status queue ⟲ poll λ
 *        uploads table ─stream (final statuses only)→ publish λ → EventBridge bus (+ archive)
 *
 * Any CDK app can embed it; infra/app.ts (through UploadPipelineStack) is its first user. Everything
 * that differs between uses comes from `config` (a stage record, see infra/config/). What a stage may
 * retain (bucket, uploads table, secret, log groups) has a generated name, so a deleted stack can be
 * deployed again; `outputs` lists every name and id readers need (the keys of STACK_OUTPUTS).
 */
import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { resourceNames, type ResourceNames } from '../config/names.ts';
import type { StackOutputKey } from '../config/stack-outputs.ts';
import type { StageConfig } from '../config/types.ts';
import { deploymentProblems, validateStageConfig } from '../config/validate.ts';
import { retainHelperLogs } from './helper-log-retention.ts';
import { LibraryCredentials } from './library-credentials.ts';
import { PipelineMonitoring } from './monitoring.ts';
import { PipelineEvents } from './pipeline-events.ts';
import { PipelineFunctions } from './pipeline-functions.ts';
import { PipelineQueues } from './pipeline-queues.ts';
import { PipelineTables } from './pipeline-tables.ts';
import { UploadBucket } from './upload-bucket.ts';

/** The settings of one pipeline. */
export interface LibraryUploadPipelineProps {
  /** The stage record (with any adopter settings applied): every value the pipeline reads. */
  readonly config: StageConfig;
  /** The repository root (package-lock.json, tsconfig.json, functions/), for bundling. */
  readonly projectRoot: string;
  /**
   * Prefix of the fixed names (queues, limits table, functions, bus, topic, alarms, dashboard); defaults
   * to `library-upload-<stage>`. Give each copy its own when one account holds more than one.
   */
  readonly namePrefix?: string;
}

/** One stack output: its value and what it is for. */
export interface PipelineOutput {
  readonly value: string;
  readonly description: string;
}

/** The whole pipeline: bucket, queues, tables, credentials, bus, functions, monitoring. */
export class LibraryUploadPipeline extends Construct {
  readonly config: StageConfig;
  readonly names: ResourceNames;
  readonly uploads: UploadBucket;
  readonly queues: PipelineQueues;
  readonly tables: PipelineTables;
  readonly credentials: LibraryCredentials;
  readonly events: PipelineEvents;
  readonly functions: PipelineFunctions;
  readonly monitoring: PipelineMonitoring;

  constructor(scope: Construct, id: string, props: LibraryUploadPipelineProps) {
    super(scope, id);
    const config = (this.config = checked(props.config));
    const names = (this.names = resourceNames(config, props.namePrefix));
    assertOwnPrefix(this);
    const retainData = config.retention.data === 'retain';
    // What holds state (bucket, uploads table, secret, logs) follows the stage's retention choice.
    const dataRemovalPolicy = retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    // 1. Files in: the bucket, and its notifications to the ingest queue.
    this.uploads = new UploadBucket(this, 'UploadBucket', { config, removalPolicy: dataRemovalPolicy });
    // 2. Work in flight: ingest and status queues with their DLQs, and the publish-failures queue.
    this.queues = new PipelineQueues(this, 'Queues', { config, names });
    this.uploads.notify(this.queues.ingest.queue);
    // 3. State: the uploads table (source of truth and outbox) and the rate-limit table.
    this.tables = new PipelineTables(this, 'Tables', { names, retainData });
    // 4. The library credentials.
    this.credentials = new LibraryCredentials(this, 'LibraryCredentials', { config, removalPolicy: dataRemovalPolicy });
    // 5. Events out.
    this.events = new PipelineEvents(this, 'Events', { config, names });
    // 6. The functions, their grants and event sources.
    this.functions = new PipelineFunctions(this, 'Functions', {
      config,
      names,
      projectRoot: props.projectRoot,
      bucket: this.uploads.bucket,
      queues: this.queues,
      tables: this.tables,
      secret: this.credentials.secret,
      secretId: this.credentials.secretId,
      bus: this.events.bus,
      logRemovalPolicy: dataRemovalPolicy,
    });
    // CDK's helper functions (bucket notifications, auto-delete) live at the stack's top level.
    retainHelperLogs(Stack.of(this), config.retention.logDays as RetentionDays);
    // 7. Operations: alarms to an SNS topic, one dashboard.
    this.monitoring = this.createMonitoring();
  }

  /** Every value of STACK_OUTPUTS, for the stack (or an embedding app) to output. */
  get outputs(): Record<StackOutputKey, PipelineOutput> {
    const { uploads, queues, tables, credentials, events, functions, monitoring, names, config } = this;
    const prefix = config.uploads.prefix;
    const region = Stack.of(this).region;
    const o = (value: string, description: string): PipelineOutput => ({ value, description });
    return {
      BucketName: o(uploads.bucket.bucketName, `Drop files below "${prefix}" to upload them`),
      UploadPrefix: o(prefix === '' ? '(whole bucket)' : prefix, 'Key prefix the pipeline watches'),
      EventBusName: o(events.bus.eventBusName, 'Outcome events are put here'),
      EventBusArn: o(events.bus.eventBusArn, 'For rules and cross-account targets'),
      EventArchiveName: o(events.archive.archiveName, 'Replay events from here'),
      EventArchiveArn: o(events.archive.archiveArn, 'Event source ARN of start-replay'),
      EventSchemaRegistryName: o(events.contract.registry.attrRegistryName, 'Download code bindings from here'),
      EventSchemaName: o(events.contract.schema.attrSchemaName, 'The event schema in that registry'),
      UploadsTableName: o(tables.uploads.tableName, 'One record per S3 object version'),
      LimitsTableName: o(tables.limits.tableName, 'Shared API rate-limit state'),
      LibrarySecretArn: o(credentials.secret.secretArn, 'Library credentials (put the real value: docs/deploy.md)'),
      LibrarySecretName: o(credentials.secret.secretName, 'Library credentials secret name'),
      IngestQueueUrl: o(queues.ingest.queue.queueUrl, 'S3 notifications'),
      IngestQueueArn: o(queues.ingest.queue.queueArn, 'Redrive destination of the ingest DLQ'),
      IngestDeadLetterQueueUrl: o(queues.ingest.deadLetterQueue.queueUrl, 'Failed ingest messages'),
      IngestDeadLetterQueueArn: o(queues.ingest.deadLetterQueue.queueArn, 'For start-message-move-task'),
      StatusQueueUrl: o(queues.status.queue.queueUrl, 'Status checks'),
      StatusQueueArn: o(queues.status.queue.queueArn, 'Redrive destination of the status DLQ'),
      StatusDeadLetterQueueUrl: o(queues.status.deadLetterQueue.queueUrl, 'Failed status checks'),
      StatusDeadLetterQueueArn: o(queues.status.deadLetterQueue.queueArn, 'For start-message-move-task'),
      PublishFailureQueueUrl: o(queues.publishFailures.queueUrl, 'Stream batches the publisher gave up on'),
      IngestEventSourceMappingId: o(functions.ingestSource.eventSourceMappingId, 'Disable to pause uploads'),
      StatusEventSourceMappingId: o(functions.statusSource.eventSourceMappingId, 'Disable to pause status checks'),
      IngestLogGroupName: o(functions.ingest.logGroup.logGroupName, 'Logs of the ingest function'),
      PollLogGroupName: o(functions.poll.logGroup.logGroupName, 'Logs of the poll function'),
      PublishLogGroupName: o(functions.publish.logGroup.logGroupName, 'Logs of the publish function'),
      AlarmTopicArn: o(monitoring.topic.topicArn, 'Subscribe more endpoints to alarms here'),
      DashboardName: o(names.dashboard, 'CloudWatch dashboard'),
      DashboardUrl: o(
        `https://${region}.console.aws.amazon.com/cloudwatch/home?region=${region}#dashboards:name=${names.dashboard}`,
        'CloudWatch dashboard',
      ),
    };
  }

  private createMonitoring(): PipelineMonitoring {
    const { config, names, queues, functions } = this;
    const thresholds = config.observability.thresholds;
    return new PipelineMonitoring(this, 'Monitoring', {
      config,
      namePrefix: names.prefix,
      topicName: names.alarmTopic,
      dashboardName: names.dashboard,
      ingestQueue: queues.ingest.queue,
      workQueues: [
        { label: 'Ingest', queue: queues.ingest.queue, maxAgeSeconds: thresholds.ingestOldestMessageSeconds },
        { label: 'Status', queue: queues.status.queue, maxAgeSeconds: thresholds.statusOldestMessageSeconds },
      ],
      deadLetterQueues: [
        { label: 'IngestDlq', queue: queues.ingest.deadLetterQueue },
        { label: 'StatusDlq', queue: queues.status.deadLetterQueue },
        { label: 'PublishFailures', queue: queues.publishFailures },
      ],
      functions: [
        { label: 'Ingest', fn: functions.ingest.function },
        { label: 'Poll', fn: functions.poll.function },
        { label: 'Publish', fn: functions.publish.function },
      ],
      streamFunction: functions.publish.function,
    });
  }
}

/** The config, or an error listing every problem (an embedding app gets the same checks as ours). */
function checked(config: StageConfig): StageConfig {
  const problems = [...validateStageConfig(config), ...deploymentProblems(config)];
  if (problems.length > 0) {
    throw new Error(`LibraryUploadPipeline (${config.stage}) is misconfigured:\n  - ${problems.join('\n  - ')}`);
  }
  return config;
}

/** Two pipelines with one name prefix in a stack would fail on AWS only ("already exists"): fail here. */
function assertOwnPrefix(pipeline: LibraryUploadPipeline): void {
  const clash = Stack.of(pipeline)
    .node.findAll()
    .find((c) => c instanceof LibraryUploadPipeline && c !== pipeline && c.names.prefix === pipeline.names.prefix);
  if (clash !== undefined) {
    throw new Error(
      `LibraryUploadPipeline ${pipeline.node.path} uses the name prefix "${pipeline.names.prefix}" of ` +
        `${clash.node.path}: give each pipeline in a stack its own namePrefix`,
    );
  }
}
