/**
 * The library upload pipeline for one stage, in the order a file travels through it:
 *
 *   S3 bucket ─ObjectCreated→ ingest queue → ingest λ → status queue ⟲ poll λ
 *        uploads table ─stream (final statuses only)→ publish λ → EventBridge bus (+ archive)
 *
 * Everything that differs between stages comes from the stage's `StageConfig` (infra/config/).
 * Every cdk-nag finding that is acknowledged rather than fixed is acknowledged next to the resource it
 * is about, with the reason it does not apply here.
 */
import { Aws, CfnOutput, Duration, RemovalPolicy, SecretValue, Stack, Tags, type StackProps } from 'aws-cdk-lib';
import {
  AttributeType,
  BillingMode,
  type CfnTable,
  ProjectionType,
  StreamViewType,
  Table,
  TableEncryption,
} from 'aws-cdk-lib/aws-dynamodb';
import { EventBus, type Archive } from 'aws-cdk-lib/aws-events';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { FilterCriteria, FilterRule, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq, SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  type CfnBucket,
  EventType,
  ObjectOwnership,
  type NotificationKeyFilter,
} from 'aws-cdk-lib/aws-s3';
import { SqsDestination } from 'aws-cdk-lib/aws-s3-notifications';
import { Secret, type ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { toEnvironment } from '../../shared/config/runtime-config.ts';
import { FINAL_STATUSES } from '../../shared/upload/record.ts';
import { UPLOADS_INDEXES, type UploadsIndex } from '../../shared/store/tables.ts';
import { resourceNames, type ResourceNames } from '../config/names.ts';
import { toPowertoolsEnvironment, toRuntimeConfig } from '../config/runtime.ts';
import type { SqsSourceSettings, StageConfig } from '../config/types.ts';
import { visibilityTimeoutSeconds } from '../config/validate.ts';
import { acknowledge } from '../constructs/acknowledge.ts';
import { PipelineMonitoring } from '../constructs/monitoring.ts';
import { PipelineFunction } from '../constructs/pipeline-function.ts';
import { WorkQueue } from '../constructs/work-queue.ts';

/** The value the created secret starts with; `docs/deploy.md` shows how to put the real one. */
export const SECRET_PLACEHOLDER = { apiKey: 'REPLACE_ME', accessToken: 'REPLACE_ME' } as const;

/** Handler files, relative to the project root. Each exports `handler`. */
export const FUNCTION_ENTRIES = {
  ingest: 'functions/ingest/handler.ts',
  poll: 'functions/poll/handler.ts',
  publish: 'functions/publish/handler.ts',
} as const;

export interface UploadPipelineStackProps extends StackProps {
  readonly config: StageConfig;
  /** The repository root (package-lock.json, tsconfig.json, functions/). */
  readonly projectRoot: string;
}

export class UploadPipelineStack extends Stack {
  readonly config: StageConfig;
  readonly names: ResourceNames;
  readonly bucket: Bucket;
  readonly ingestQueue: WorkQueue;
  readonly statusQueue: WorkQueue;
  readonly publishFailureQueue: Queue;
  readonly uploadsTable: Table;
  readonly limitsTable: Table;
  readonly secret: ISecret;
  readonly eventBus: EventBus;
  readonly archive: Archive;
  readonly ingest: PipelineFunction;
  readonly poll: PipelineFunction;
  readonly publish: PipelineFunction;
  readonly monitoring: PipelineMonitoring;

  constructor(scope: Construct, id: string, props: UploadPipelineStackProps) {
    super(scope, id, props);
    const config = (this.config = props.config);
    const names = (this.names = resourceNames(config));
    const retainData = config.retention.data === 'retain';
    // What holds state (bucket, uploads table, secret, logs) follows the stage's retention choice.
    const dataRemovalPolicy = retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    const logRetention = config.retention.logDays as RetentionDays;
    const prefix = config.uploads.prefix;

    Tags.of(this).add('project', 'library-upload');
    Tags.of(this).add('stage', config.stage);
    for (const [key, value] of Object.entries(config.tags)) Tags.of(this).add(key, value);

    // ── 1. The upload bucket ─────────────────────────────────────────────────────────────────────────
    // Versioned, because the pipeline's unit of work is an object *version*: overwriting a key uploads
    // the new content as a new library file, and the record of the old one still names a real version.
    // SSE-S3 rather than SSE-KMS: the files end up publicly hosted in the library, so a customer key adds
    // cost (a KMS request per GetObject) and key-policy work (S3 → SQS notifications) but no protection.
    const accessLogsBucket =
      config.retention.accessLogDays === undefined
        ? undefined
        : this.createAccessLogsBucket(config.retention.accessLogDays, dataRemovalPolicy);

    this.bucket = new Bucket(this, 'UploadBucket', {
      versioned: true,
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      lifecycleRules: [
        {
          id: 'abort-incomplete-multipart-uploads',
          abortIncompleteMultipartUploadAfter: Duration.days(7),
        },
        ...(config.retention.noncurrentVersionDays === undefined
          ? []
          : [
              {
                id: 'expire-noncurrent-versions',
                noncurrentVersionExpiration: Duration.days(config.retention.noncurrentVersionDays),
                expiredObjectDeleteMarker: true,
              },
            ]),
      ],
      serverAccessLogsBucket: accessLogsBucket,
      serverAccessLogsPrefix: accessLogsBucket ? 'upload-bucket/' : undefined,
      removalPolicy: dataRemovalPolicy,
      // A destroyable stage empties its bucket on deletion (CloudFormation cannot delete a full bucket).
      autoDeleteObjects: !retainData,
    });
    if (accessLogsBucket === undefined) {
      acknowledge(
        this.bucket,
        'AwsSolutions-S1',
        `Server access logs are off in ${config.stage} (retention.accessLogDays): objects only arrive from the ` +
          'team, every object version gets an uploads-table record, and CloudTrail data events can be enabled if needed.',
      );
    }

    // ── 2. Queues ────────────────────────────────────────────────────────────────────────────────────
    // Each queue's visibility timeout is six times its consumer's timeout (plus the batching window), so
    // a message is never handed to a second invocation while the first may still be working on it.
    this.ingestQueue = this.workQueue('IngestQueue', {
      queueName: names.ingestQueue,
      deadLetterQueueName: names.ingestDeadLetterQueue,
      consumerTimeoutSeconds: config.functions.ingest.timeoutSeconds,
      source: config.sources.ingestQueue,
    });
    this.statusQueue = this.workQueue('StatusQueue', {
      queueName: names.statusQueue,
      deadLetterQueueName: names.statusDeadLetterQueue,
      consumerTimeoutSeconds: config.functions.poll.timeoutSeconds,
      source: config.sources.statusQueue,
    });

    // S3 → ingest queue. S3 filters are case-sensitive and allow one prefix and one suffix per rule;
    // with `prefix` filtering (the default) ingest sees every object below the prefix and rejects, with
    // an event, what the library cannot take; with `prefix-and-suffixes` there is one rule per suffix in
    // lower and upper case, and any other spelling is ignored without a trace.
    for (const filter of notificationFilters(config)) {
      // An empty prefix means the whole bucket: S3 then takes no filter at all.
      const filters = filter.prefix === undefined && filter.suffix === undefined ? [] : [filter];
      this.bucket.addEventNotification(
        EventType.OBJECT_CREATED,
        new SqsDestination(this.ingestQueue.queue),
        ...filters,
      );
    }

    // ── 3. State: the uploads table (source of truth + outbox) and the rate-limit table ──────────────
    this.uploadsTable = new Table(this, 'UploadsTable', {
      tableName: names.uploadsTable,
      partitionKey: { name: 'objectId', type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      // The stream is the outbox: the publisher needs the new image (the final record) and the old one
      // (to see that the status just changed).
      stream: StreamViewType.NEW_AND_OLD_IMAGES,
      timeToLiveAttribute: 'expiresAt',
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      // The AWS managed key (aws/dynamodb) rather than the default AWS owned key: key use shows in CloudTrail.
      encryption: TableEncryption.AWS_MANAGED,
      deletionProtection: retainData,
      removalPolicy: dataRemovalPolicy,
    });
    for (const index of Object.values(UPLOADS_INDEXES) as UploadsIndex[]) {
      this.uploadsTable.addGlobalSecondaryIndex({
        indexName: index.name,
        partitionKey: { name: index.partitionKey, type: AttributeType.STRING },
        ...(index.sortKey === undefined ? {} : { sortKey: { name: index.sortKey, type: AttributeType.STRING } }),
        projectionType: ProjectionType.ALL,
      });
    }

    // The token bucket shared by every function so the pipeline as a whole stays under the API key's
    // limits. No stream (token updates must not wake the publisher). Its state is worthless after a day,
    // so it is never retained; point-in-time recovery costs next to nothing on a table this small and
    // keeps the account's "PITR on every table" rule (cdk-nag DDB3) without an exception.
    this.limitsTable = new Table(this, 'LimitsTable', {
      tableName: names.limitsTable,
      partitionKey: { name: 'pk', type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: 'expiresAt',
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: TableEncryption.AWS_MANAGED,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    // ── 4. Library credentials ───────────────────────────────────────────────────────────────────────
    // Created with a placeholder that an operator replaces (docs/deploy.md). CloudFormation only writes
    // the value when this template property changes, so later deployments keep the real credentials:
    // never change the placeholder.
    if (config.library.secret.kind === 'import') {
      this.secret = Secret.fromSecretNameV2(this, 'LibraryCredentials', config.library.secret.secretName);
    } else {
      const created = new Secret(this, 'LibraryCredentials', {
        secretName: names.createdSecretName,
        description: `Constant Contact MyLibrary credentials for the ${config.stage} upload pipeline: {"apiKey","accessToken"}`,
        secretObjectValue: {
          apiKey: SecretValue.unsafePlainText(SECRET_PLACEHOLDER.apiKey),
          accessToken: SecretValue.unsafePlainText(SECRET_PLACEHOLDER.accessToken),
        },
        removalPolicy: dataRemovalPolicy,
      });
      acknowledge(
        created,
        'AwsSolutions-SMG4',
        'The secret holds a Constant Contact API key and a long-lived OAuth access token issued in the vendor ' +
          'portal; no Lambda can mint new ones, so rotation is the manual runbook in docs/deploy.md.',
      );
      this.secret = created;
    }

    // ── 5. Events out: a bus per stage, archived so consumers can replay ─────────────────────────────
    this.eventBus = new EventBus(this, 'EventBus', {
      eventBusName: names.eventBus,
      description: `Outcomes of the library upload pipeline (${config.stage}); schema: shared/events/schema/`,
    });
    this.archive = this.eventBus.archive('EventArchive', {
      archiveName: names.eventArchive,
      description: `Every event on ${names.eventBus}, for replay`,
      eventPattern: { account: [Aws.ACCOUNT_ID] },
      retention: config.retention.eventArchiveDays === 0 ? undefined : Duration.days(config.retention.eventArchiveDays),
    });

    // ── 6. Functions ─────────────────────────────────────────────────────────────────────────────────
    // One environment for all three, written by the same module the handlers read it with, plus the
    // Powertools settings (service name, metrics namespace, log level).
    const runtimeEnvironment = toEnvironment(
      toRuntimeConfig(config, {
        librarySecretId:
          config.library.secret.kind === 'import' ? config.library.secret.secretName : this.secret.secretArn,
        uploadsTableName: this.uploadsTable.tableName,
        limitsTableName: this.limitsTable.tableName,
        statusQueueUrl: this.statusQueue.queue.queueUrl,
        eventBusName: this.eventBus.eventBusName,
      }),
    );
    const fn = (
      id: string,
      name: keyof typeof FUNCTION_ENTRIES,
      description: string,
      only?: readonly (keyof typeof runtimeEnvironment)[],
    ): PipelineFunction =>
      new PipelineFunction(this, id, {
        projectRoot: props.projectRoot,
        entry: FUNCTION_ENTRIES[name],
        functionName: names.functions[name],
        description,
        settings: config.functions[name],
        environment: {
          ...(only ? Object.fromEntries(only.map((key) => [key, runtimeEnvironment[key]])) : runtimeEnvironment),
          ...toPowertoolsEnvironment(config),
        },
        logRetention,
        logRemovalPolicy: dataRemovalPolicy,
      });

    // Ingest: S3 event → claim the object version → validate → stream the object into the library.
    this.ingest = fn('Ingest', 'ingest', 'Uploads new S3 objects to MyLibrary and schedules their status checks');
    this.grantObjectRead(this.ingest);
    this.secret.grantRead(this.ingest.role);
    // Reads plus the writes the store makes (claim = PutItem; lease, attempts, outcome = UpdateItem) and
    // the rate limiter's UpdateItem: no DeleteItem or BatchWriteItem, which nothing here uses.
    this.uploadsTable.grantReadData(this.ingest.role);
    this.uploadsTable.grant(this.ingest.role, 'dynamodb:PutItem', 'dynamodb:UpdateItem');
    this.limitsTable.grantReadData(this.ingest.role);
    this.limitsTable.grant(this.ingest.role, 'dynamodb:UpdateItem');
    this.statusQueue.queue.grantSendMessages(this.ingest.role);
    // A throttled or unauthorized upload is put back on the ingest queue as a new, delayed message (so
    // waiting for the API does not use up the receive count that leads to the DLQ).
    this.ingestQueue.queue.grantSendMessages(this.ingest.role);
    // Ingest tags the objects it rejects, poll the ones it sees to a final status.
    if (config.features.tagObjects) this.grantObjectTagging(this.ingest);
    this.ingest.function.addEventSource(sqsSource(this.ingestQueue.queue, config.sources.ingestQueue));

    // Poll: one status GET per batch; re-sends itself a delayed check until the file is final.
    this.poll = fn('Poll', 'poll', 'Follows uploaded files until MyLibrary reports a final status');
    this.secret.grantRead(this.poll.role);
    // Poll only moves existing records forward (UpdateItem) and takes rate-limit slots (UpdateItem).
    this.uploadsTable.grantReadData(this.poll.role);
    this.uploadsTable.grant(this.poll.role, 'dynamodb:UpdateItem');
    this.limitsTable.grantReadData(this.poll.role);
    this.limitsTable.grant(this.poll.role, 'dynamodb:UpdateItem');
    this.statusQueue.queue.grantSendMessages(this.poll.role);
    if (config.features.tagObjects) this.grantObjectTagging(this.poll);
    this.poll.function.addEventSource(sqsSource(this.statusQueue.queue, config.sources.statusQueue));

    // Publish: the stream is the outbox. Only records whose new image is final wake the function (the
    // filter is built from the same FINAL_STATUSES the handler checks); a batch that keeps failing is
    // bisected, retried a bounded number of times, and then parked as stream pointers in a queue.
    this.publishFailureQueue = new Queue(this, 'PublishFailureQueue', {
      queueName: names.publishFailureQueue,
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      // Like the other queues: work in flight, not data (the records it points to stay in the table).
      removalPolicy: RemovalPolicy.DESTROY,
    });
    acknowledge(
      this.publishFailureQueue,
      'AwsSolutions-SQS3',
      'This queue is the on-failure destination of the uploads-stream event source, i.e. the dead-letter ' +
        'queue of the publisher; its messages are read by operators (docs/operations.md), not by a consumer.',
    );
    // The publisher reads only its stage and bus (shared/events/config.ts): it is not told where the
    // credentials, tables or queues are.
    this.publish = fn('Publish', 'publish', 'Announces uploads that reached a final status on EventBridge', [
      'STAGE',
      'EVENT_BUS_NAME',
    ]);
    this.eventBus.grantPutEventsTo(this.publish.role);
    const stream = config.sources.uploadsStream;
    this.publish.function.addEventSource(
      new DynamoEventSource(this.uploadsTable, {
        // TRIM_HORIZON: records written before the mapping existed (first deployment, re-creation) still publish.
        startingPosition: StartingPosition.TRIM_HORIZON,
        batchSize: stream.batchSize,
        maxBatchingWindow:
          stream.maxBatchingWindowSeconds > 0 ? Duration.seconds(stream.maxBatchingWindowSeconds) : undefined,
        bisectBatchOnError: true,
        retryAttempts: stream.retryAttempts,
        maxRecordAge: Duration.seconds(stream.maxRecordAgeSeconds),
        reportBatchItemFailures: true,
        onFailure: new SqsDlq(this.publishFailureQueue),
        filters: [finalStatusFilter()],
      }),
    );

    // What cdk-nag finds in the function roles, and why it stays. X-Ray tracing (Tracing.ACTIVE) adds
    // xray:PutTraceSegments and xray:PutTelemetryRecords, which have no resource-level form; the stream
    // event source adds dynamodb:ListStreams, which has none either. Every other statement names a resource.
    const xrayReason =
      'Resource "*" only carries xray:PutTraceSegments and xray:PutTelemetryRecords (active tracing), which do ' +
      'not support resource-level permissions';
    acknowledge(this.ingest.role, 'AwsSolutions-IAM5[Resource::*]', `${xrayReason}.`);
    acknowledge(this.poll.role, 'AwsSolutions-IAM5[Resource::*]', `${xrayReason}.`);
    acknowledge(
      this.publish.role,
      'AwsSolutions-IAM5[Resource::*]',
      `${xrayReason}, and dynamodb:ListStreams (added by the stream event source), which does not either.`,
    );
    // The table grants cover the table's indexes as "<table>/index/*": the functions query byLibraryFileId
    // (a record by its library file id); the other indexes serve the operator tool.
    const uploadsTableId = this.getLogicalId(this.uploadsTable.node.defaultChild as CfnTable);
    const uploadsIndexes = `AwsSolutions-IAM5[Resource::<${uploadsTableId}.Arn>/index/*]`;
    for (const f of [this.ingest, this.poll]) {
      acknowledge(
        f.role,
        uploadsIndexes,
        `The functions query the uploads table's index ${names.uploadsByLibraryFileIdIndex} (records by library file id); ` +
          'the grant names the indexes of this one table, not of any other.',
      );
    }
    // S3 notifications are configured by CDK's own singleton custom resource (CloudFormation cannot add a
    // notification whose queue policy refers back to the bucket without a cycle).
    for (const child of this.node.children) {
      if (child.node.id.startsWith('BucketNotificationsHandler')) {
        acknowledge(
          child,
          'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
          "CDK's BucketNotificationsHandler runs only during deployments to write the bucket's notification " +
            'configuration; the managed policy only lets it write its own logs.',
        );
      }
    }

    // ── 7. Operations: alarms to an SNS topic, one dashboard ────────────────────────────────────────
    const thresholds = config.observability.thresholds;
    this.monitoring = new PipelineMonitoring(this, 'Monitoring', {
      config,
      namePrefix: names.prefix,
      topicName: names.alarmTopic,
      dashboardName: names.dashboard,
      ingestQueue: this.ingestQueue.queue,
      workQueues: [
        { label: 'Ingest', queue: this.ingestQueue.queue, maxAgeSeconds: thresholds.ingestOldestMessageSeconds },
        { label: 'Status', queue: this.statusQueue.queue, maxAgeSeconds: thresholds.statusOldestMessageSeconds },
      ],
      deadLetterQueues: [
        { label: 'IngestDlq', queue: this.ingestQueue.deadLetterQueue },
        { label: 'StatusDlq', queue: this.statusQueue.deadLetterQueue },
        { label: 'PublishFailures', queue: this.publishFailureQueue },
      ],
      functions: [
        { label: 'Ingest', fn: this.ingest.function },
        { label: 'Poll', fn: this.poll.function },
        { label: 'Publish', fn: this.publish.function },
      ],
      streamFunction: this.publish.function,
    });

    // ── 8. Outputs: what operators and consumers need to find the resources ─────────────────────────
    const output = (id: string, value: string, description: string): CfnOutput =>
      new CfnOutput(this, id, { value, description });
    output('BucketName', this.bucket.bucketName, `Drop files below "${prefix}" to upload them`);
    output('UploadPrefix', prefix === '' ? '(whole bucket)' : prefix, 'Key prefix the pipeline watches');
    output('EventBusName', this.eventBus.eventBusName, 'Outcome events are put here');
    output('EventBusArn', this.eventBus.eventBusArn, 'For rules and cross-account targets');
    output('EventArchiveName', this.archive.archiveName, 'Replay events from here');
    output('UploadsTableName', this.uploadsTable.tableName, 'One record per S3 object version');
    output('LimitsTableName', this.limitsTable.tableName, 'Shared API rate-limit state');
    output('LibrarySecretArn', this.secret.secretArn, 'Library credentials (put the real value: docs/deploy.md)');
    output('LibrarySecretName', this.secret.secretName, 'Library credentials secret name');
    output('IngestQueueUrl', this.ingestQueue.queue.queueUrl, 'S3 notifications');
    output('IngestDeadLetterQueueUrl', this.ingestQueue.deadLetterQueue.queueUrl, 'Failed ingest messages');
    output('IngestDeadLetterQueueArn', this.ingestQueue.deadLetterQueue.queueArn, 'For start-message-move-task');
    output('StatusQueueUrl', this.statusQueue.queue.queueUrl, 'Status checks');
    output('StatusDeadLetterQueueUrl', this.statusQueue.deadLetterQueue.queueUrl, 'Failed status checks');
    output('StatusDeadLetterQueueArn', this.statusQueue.deadLetterQueue.queueArn, 'For start-message-move-task');
    output('PublishFailureQueueUrl', this.publishFailureQueue.queueUrl, 'Stream batches the publisher gave up on');
    output('AlarmTopicArn', this.monitoring.topic.topicArn, 'Subscribe more endpoints to alarms here');
    output('DashboardName', names.dashboard, 'CloudWatch dashboard');
    output(
      'DashboardUrl',
      `https://${this.region}.console.aws.amazon.com/cloudwatch/home?region=${this.region}#dashboards:name=${names.dashboard}`,
      'CloudWatch dashboard',
    );
  }

  private workQueue(
    id: string,
    q: { queueName: string; deadLetterQueueName: string; consumerTimeoutSeconds: number; source: SqsSourceSettings },
  ): WorkQueue {
    const { source } = q;
    return new WorkQueue(this, id, {
      queueName: q.queueName,
      deadLetterQueueName: q.deadLetterQueueName,
      visibilityTimeout: Duration.seconds(visibilityTimeoutSeconds(q.consumerTimeoutSeconds, source)),
      retentionPeriod: Duration.days(source.retentionDays),
      maxReceiveCount: source.maxReceiveCount,
      // Queues hold work in flight, not data: they go with the stack in every stage.
      removalPolicy: RemovalPolicy.DESTROY,
    });
  }

  /**
   * Ingest reads objects (GetObject also answers HeadObject) and specific versions of them, below the
   * upload prefix only. ListBucket lets S3 answer 404 rather than 403 for an object deleted before
   * ingest got to it, so "gone" is not mistaken for "forbidden".
   */
  private grantObjectRead(target: PipelineFunction): void {
    target.role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'ReadUploadedObjects',
        actions: ['s3:GetObject', 's3:GetObjectVersion'],
        resources: [this.bucket.arnForObjects(`${this.config.uploads.prefix}*`)],
      }),
    );
    target.role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'TellMissingFromForbidden',
        actions: ['s3:ListBucket'],
        resources: [this.bucket.bucketArn],
      }),
    );
    acknowledge(
      target.role,
      this.objectPatternFinding(),
      'Files arrive at keys chosen by people, so the object ARN can only be a pattern; it is limited to the ' +
        'upload prefix and to GetObject/GetObjectVersion.',
    );
  }

  /**
   * The outcome is recorded on the object version as tags (features.tagObjects). PutObjectTagging
   * replaces the whole tag set, so the functions read the existing tags first and keep them.
   */
  private grantObjectTagging(target: PipelineFunction): void {
    target.role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'TagUploadedObjects',
        actions: [
          's3:GetObjectTagging',
          's3:GetObjectVersionTagging',
          's3:PutObjectTagging',
          's3:PutObjectVersionTagging',
        ],
        resources: [this.bucket.arnForObjects(`${this.config.uploads.prefix}*`)],
      }),
    );
    acknowledge(
      target.role,
      this.objectPatternFinding(),
      'Files arrive at keys chosen by people, so the object ARN can only be a pattern; it is limited to the ' +
        `upload prefix and to ${target === this.ingest ? 'reading objects and their tags, and writing tags' : 'reading and writing object tags'}.`,
    );
  }

  /** cdk-nag's finding id for a statement on the objects below the upload prefix. */
  private objectPatternFinding(): string {
    const bucketId = this.getLogicalId(this.bucket.node.defaultChild as CfnBucket);
    return `AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/${this.config.uploads.prefix}*]`;
  }

  private createAccessLogsBucket(days: number, removalPolicy: RemovalPolicy): Bucket {
    // Access-log delivery does not support SSE-KMS targets; SSE-S3 it is.
    const logs = new Bucket(this, 'AccessLogsBucket', {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      lifecycleRules: [{ id: 'expire-access-logs', expiration: Duration.days(days) }],
      removalPolicy,
      autoDeleteObjects: removalPolicy === RemovalPolicy.DESTROY,
    });
    acknowledge(
      logs,
      'AwsSolutions-S1',
      'This is the server access log bucket of the upload bucket; logging its own access would log the log writes.',
    );
    return logs;
  }
}

/** S3 notification filters for the stage (see `NotificationFilterMode`). */
export function notificationFilters(config: StageConfig): NotificationKeyFilter[] {
  const prefix = config.uploads.prefix === '' ? {} : { prefix: config.uploads.prefix };
  if (config.uploads.notificationFilter === 'prefix') return [prefix];
  const spellings = new Set(config.uploads.suffixes.flatMap((s) => [s.toLowerCase(), s.toUpperCase()]));
  return [...spellings].map((suffix) => ({ ...prefix, suffix }));
}

/** Wake the publisher only for records whose new image has a final status. */
export function finalStatusFilter(): Record<string, unknown> {
  return FilterCriteria.filter({ dynamodb: { NewImage: { status: { S: FilterRule.or(...FINAL_STATUSES) } } } });
}

function sqsSource(queue: Queue, settings: SqsSourceSettings): SqsEventSource {
  return new SqsEventSource(queue, {
    batchSize: settings.batchSize,
    maxBatchingWindow:
      settings.maxBatchingWindowSeconds > 0 ? Duration.seconds(settings.maxBatchingWindowSeconds) : undefined,
    maxConcurrency: settings.maxConcurrency,
    reportBatchItemFailures: true,
  });
}
