/**
 * The three functions and everything they may do: ingest (S3 event → claim → validate → stream the
 * object into the library), poll (one status GET per batch until the file is final) and publish (the
 * uploads stream is the outbox: final records become EventBridge events). Each permission is a grant
 * sized to what the code does; every cdk-nag finding left is acknowledged here with its reason.
 */
import { Duration, Stack, type RemovalPolicy } from 'aws-cdk-lib';
import type { CfnTable, Table } from 'aws-cdk-lib/aws-dynamodb';
import type { EventBus } from 'aws-cdk-lib/aws-events';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { FilterCriteria, FilterRule, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq, SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Bucket, CfnBucket } from 'aws-cdk-lib/aws-s3';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { toEnvironment } from '../../shared/config/runtime-config.ts';
import { FINAL_STATUSES } from '../../shared/record/upload-record.ts';
import type { ResourceNames } from '../config/names.ts';
import { toPowertoolsEnvironment, toRuntimeConfig } from '../config/runtime.ts';
import type { SqsSourceSettings, StageConfig } from '../config/types.ts';
import { acknowledge } from './acknowledge.ts';
import { PipelineFunction } from './pipeline-function.ts';
import type { PipelineQueues } from './pipeline-queues.ts';
import type { PipelineTables } from './pipeline-tables.ts';

/** Handler files, relative to the project root. Each exports `handler`. */
export const FUNCTION_ENTRIES = {
  ingest: 'functions/ingest/handler.ts',
  poll: 'functions/poll/handler.ts',
  publish: 'functions/publish/handler.ts',
} as const;

/** The resources the functions work on. */
/**
 * Node.js flags a function adds to the base ones. Ingest exposes `gc`, so the upload body asks for a
 * minor collection every few MB (shared/library/young-garbage.ts): the dead S3 chunks otherwise pile up
 * to 1.65× the memory of a small copy (docs/benchmarks.md, figure 3).
 */
export const FUNCTION_NODE_OPTIONS: Readonly<Partial<Record<FunctionName, readonly string[]>>> = {
  ingest: ['--expose-gc'],
};

export interface PipelineFunctionsProps {
  readonly config: StageConfig;
  readonly names: ResourceNames;
  /** The repository root (package-lock.json, tsconfig.json, functions/). */
  readonly projectRoot: string;
  readonly bucket: Bucket;
  readonly queues: PipelineQueues;
  readonly tables: PipelineTables;
  readonly secret: ISecret;
  /** What the functions are told to read: a secret name or ARN. */
  readonly secretId: string;
  readonly bus: EventBus;
  readonly logRemovalPolicy: RemovalPolicy;
}

type FunctionName = keyof typeof FUNCTION_ENTRIES;

const XRAY_REASON =
  'Resource "*" only carries xray:PutTraceSegments and xray:PutTelemetryRecords (active tracing), which do ' +
  'not support resource-level permissions';

/** Ingest, poll and publish, with their grants and event sources. */
export class PipelineFunctions extends Construct {
  readonly ingest: PipelineFunction;
  readonly poll: PipelineFunction;
  readonly publish: PipelineFunction;
  /** The SQS event source of ingest: its mapping id pauses and resumes uploads. */
  readonly ingestSource: SqsEventSource;
  /** The SQS event source of poll: its mapping id pauses and resumes status checks. */
  readonly statusSource: SqsEventSource;

  private readonly props: PipelineFunctionsProps;

  constructor(scope: Construct, id: string, props: PipelineFunctionsProps) {
    super(scope, id);
    this.props = props;
    this.ingest = this.fn('Ingest', 'ingest', 'Uploads new S3 objects to MyLibrary and schedules their status checks');
    this.poll = this.fn('Poll', 'poll', 'Follows uploaded files until MyLibrary reports a final status');
    // The publisher reads only its stage and bus (shared/events/config.ts): not the credentials, tables or queues.
    this.publish = this.fn('Publish', 'publish', 'Announces uploads that reached a final status on EventBridge', [
      'STAGE',
      'EVENT_BUS_NAME',
    ]);
    this.ingestSource = this.wireIngest();
    this.statusSource = this.wirePoll();
    this.wirePublish();
    this.acknowledgeRoleFindings();
  }

  private fn(id: string, name: FunctionName, description: string, only?: readonly string[]): PipelineFunction {
    const nodeOptions = FUNCTION_NODE_OPTIONS[name];
    const { config, names, projectRoot, logRemovalPolicy } = this.props;
    const environment = this.runtimeEnvironment();
    return new PipelineFunction(this, id, {
      projectRoot,
      entry: FUNCTION_ENTRIES[name],
      functionName: names.functions[name],
      description,
      settings: config.functions[name],
      environment: {
        ...(only ? Object.fromEntries(only.map((key) => [key, environment[key] ?? ''])) : environment),
        ...toPowertoolsEnvironment(config),
      },
      ...(nodeOptions ? { nodeOptions } : {}),
      logRetention: config.retention.logDays as RetentionDays,
      logRemovalPolicy,
    });
  }

  /** One environment for all three, written by the module the handlers read it with. */
  private runtimeEnvironment(): Record<string, string> {
    const { config, tables, queues, bus, secretId } = this.props;
    return toEnvironment(
      toRuntimeConfig(config, {
        librarySecretId: secretId,
        uploadsTableName: tables.uploads.tableName,
        limitsTableName: tables.limits.tableName,
        statusQueueUrl: queues.status.queue.queueUrl,
        eventBusName: bus.eventBusName,
      }),
    );
  }

  private wireIngest(): SqsEventSource {
    const { config, tables, queues, secret } = this.props;
    const role = this.ingest.role;
    this.grantObjectRead(this.ingest);
    secret.grantRead(role);
    // The store's writes (claim = PutItem; lease, attempts, outcome = UpdateItem) and the rate limiter's
    // UpdateItem: no DeleteItem or BatchWriteItem, which nothing here uses.
    grantRecordWrites(tables.uploads, role, 'dynamodb:PutItem', 'dynamodb:UpdateItem');
    grantRecordWrites(tables.limits, role, 'dynamodb:UpdateItem');
    queues.status.queue.grantSendMessages(role);
    // A throttled or unauthorized upload goes back on the ingest queue as a new, delayed message (so
    // waiting for the API does not use up the receive count that leads to the DLQ).
    queues.ingest.queue.grantSendMessages(role);
    // Ingest tags the objects it rejects.
    if (config.features.tagObjects)
      this.grantObjectTagging(this.ingest, 'reading objects and their tags, and writing tags');
    return attach(this.ingest, queues.ingest.queue, config.sources.ingestQueue);
  }

  private wirePoll(): SqsEventSource {
    const { config, tables, queues, secret } = this.props;
    const role = this.poll.role;
    secret.grantRead(role);
    // Poll only moves existing records forward (UpdateItem) and takes rate-limit slots (UpdateItem).
    grantRecordWrites(tables.uploads, role, 'dynamodb:UpdateItem');
    grantRecordWrites(tables.limits, role, 'dynamodb:UpdateItem');
    // Re-checks are delayed messages it sends itself until the file is final.
    queues.status.queue.grantSendMessages(role);
    if (config.features.tagObjects) this.grantObjectTagging(this.poll, 'reading and writing object tags');
    // Once a file is Active, poll asks S3 which version the key holds now (sync: replace or trash).
    if (config.sync.onOverwrite === 'replace' || config.sync.onDelete === 'trash') this.grantObjectRead(this.poll);
    return attach(this.poll, queues.status.queue, config.sources.statusQueue);
  }

  /**
   * Only records whose new image is final wake the publisher (the filter is built from the FINAL_STATUSES
   * the handler checks); a batch that keeps failing is bisected, retried a bounded number of times, and
   * then parked as stream pointers in the publish-failures queue.
   */
  private wirePublish(): void {
    const { config, tables, queues, bus } = this.props;
    bus.grantPutEventsTo(this.publish.role);
    const stream = config.sources.uploadsStream;
    this.publish.function.addEventSource(
      new DynamoEventSource(tables.uploads, {
        // TRIM_HORIZON: records written before the mapping existed (first deployment, re-creation) still publish.
        startingPosition: StartingPosition.TRIM_HORIZON,
        batchSize: stream.batchSize,
        maxBatchingWindow: seconds(stream.maxBatchingWindowSeconds),
        bisectBatchOnError: true,
        retryAttempts: stream.retryAttempts,
        maxRecordAge: Duration.seconds(stream.maxRecordAgeSeconds),
        reportBatchItemFailures: true,
        onFailure: new SqsDlq(queues.publishFailures),
        filters: [finalStatusFilter()],
      }),
    );
  }

  /**
   * Ingest reads objects (GetObject also answers HeadObject) and specific versions of them, below the
   * upload prefix only. ListBucket lets S3 answer 404 rather than 403 for an object deleted before
   * ingest got to it, so "gone" is not mistaken for "forbidden".
   */
  private grantObjectRead(target: PipelineFunction): void {
    const { bucket, config } = this.props;
    target.role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'ReadUploadedObjects',
        actions: ['s3:GetObject', 's3:GetObjectVersion'],
        resources: [bucket.arnForObjects(`${config.uploads.prefix}*`)],
      }),
    );
    target.role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'TellMissingFromForbidden',
        actions: ['s3:ListBucket'],
        resources: [bucket.bucketArn],
      }),
    );
    this.acknowledgeObjectPattern(target, 'GetObject/GetObjectVersion');
  }

  /**
   * The outcome is recorded on the object version as tags (features.tagObjects). PutObjectTagging
   * replaces the whole tag set, so the functions read the existing tags first and keep them.
   */
  private grantObjectTagging(target: PipelineFunction, what: string): void {
    const { bucket, config } = this.props;
    target.role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'TagUploadedObjects',
        actions: [
          's3:GetObjectTagging',
          's3:GetObjectVersionTagging',
          's3:PutObjectTagging',
          's3:PutObjectVersionTagging',
        ],
        resources: [bucket.arnForObjects(`${config.uploads.prefix}*`)],
      }),
    );
    this.acknowledgeObjectPattern(target, what);
  }

  private acknowledgeObjectPattern(target: PipelineFunction, what: string): void {
    const { bucket, config } = this.props;
    const bucketId = Stack.of(this).getLogicalId(bucket.node.defaultChild as CfnBucket);
    acknowledge(
      target.role,
      `AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/${config.uploads.prefix}*]`,
      'Files arrive at keys chosen by people, so the object ARN can only be a pattern; it is limited to the ' +
        `upload prefix and to ${what}.`,
    );
  }

  /**
   * X-Ray tracing adds xray:PutTraceSegments and xray:PutTelemetryRecords, which have no resource-level
   * form; the stream event source adds dynamodb:ListStreams, which has none either. The table grants
   * cover the table's indexes as "<table>/index/*".
   */
  private acknowledgeRoleFindings(): void {
    const { tables, names } = this.props;
    acknowledge(this.ingest.role, 'AwsSolutions-IAM5[Resource::*]', `${XRAY_REASON}.`);
    acknowledge(this.poll.role, 'AwsSolutions-IAM5[Resource::*]', `${XRAY_REASON}.`);
    acknowledge(
      this.publish.role,
      'AwsSolutions-IAM5[Resource::*]',
      `${XRAY_REASON}, and dynamodb:ListStreams (added by the stream event source), which does not either.`,
    );
    const uploadsTableId = Stack.of(this).getLogicalId(tables.uploads.node.defaultChild as CfnTable);
    for (const f of [this.ingest, this.poll]) {
      acknowledge(
        f.role,
        `AwsSolutions-IAM5[Resource::<${uploadsTableId}.Arn>/index/*]`,
        `The functions query the uploads table's index ${names.uploadsByLibraryFileIdIndex} (records by library ` +
          'file id; the others serve the operator tool); the grant names the indexes of this one table only.',
      );
    }
  }
}

/** Wake the publisher only for records whose new image has a final status. */
export function finalStatusFilter(): Record<string, unknown> {
  return FilterCriteria.filter({ dynamodb: { NewImage: { status: { S: FilterRule.or(...FINAL_STATUSES) } } } });
}

/** Reads plus exactly the given write actions. */
function grantRecordWrites(table: Table, role: PipelineFunction['role'], ...writes: string[]): void {
  table.grantReadData(role);
  table.grant(role, ...writes);
}

function attach(target: PipelineFunction, queue: Queue, settings: SqsSourceSettings): SqsEventSource {
  const source = new SqsEventSource(queue, {
    batchSize: settings.batchSize,
    maxBatchingWindow: seconds(settings.maxBatchingWindowSeconds),
    maxConcurrency: settings.maxConcurrency,
    reportBatchItemFailures: true,
  });
  target.function.addEventSource(source);
  return source;
}

/** A batching window, or none for 0. */
function seconds(value: number): Duration | undefined {
  return value > 0 ? Duration.seconds(value) : undefined;
}
