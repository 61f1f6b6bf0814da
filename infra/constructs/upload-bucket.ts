/**
 * The upload bucket: versioned, because the pipeline's unit of work is an object *version* (overwriting
 * a key uploads the new content as a new library file, and the record of the old one still names a real
 * version). SSE-S3 rather than SSE-KMS: the files end up publicly hosted in the library, so a customer
 * key adds cost (a KMS request per GetObject) and key-policy work (S3 → SQS notifications) but no
 * protection. CloudFormation generates the bucket's name; the stack outputs it.
 */
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  EventType,
  ObjectOwnership,
  type LifecycleRule,
  type NotificationKeyFilter,
} from 'aws-cdk-lib/aws-s3';
import { SqsDestination } from 'aws-cdk-lib/aws-s3-notifications';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { StageConfig } from '../config/types.ts';
import { acknowledge, guardRule } from './acknowledge.ts';

/** What the bucket needs from the stage. */
export interface UploadBucketProps {
  readonly config: StageConfig;
  /** Retained buckets survive the stack; destroyed ones are emptied first. */
  readonly removalPolicy: RemovalPolicy;
}

/** The upload bucket and, when the stage keeps access logs, the bucket they go to. */
export class UploadBucket extends Construct {
  readonly bucket: Bucket;
  readonly accessLogs: Bucket | undefined;

  private readonly config: StageConfig;

  constructor(scope: Construct, id: string, props: UploadBucketProps) {
    super(scope, id);
    this.config = props.config;
    const { retention } = props.config;
    const destroy = props.removalPolicy === RemovalPolicy.DESTROY;
    this.accessLogs =
      retention.accessLogDays === undefined ? undefined : accessLogsBucket(this, retention.accessLogDays, destroy);

    this.bucket = new Bucket(this, 'Bucket', {
      ...PRIVATE_BUCKET,
      versioned: true,
      lifecycleRules: uploadLifecycle(retention.noncurrentVersionDays),
      serverAccessLogsBucket: this.accessLogs,
      serverAccessLogsPrefix: this.accessLogs ? 'upload-bucket/' : undefined,
      removalPolicy: props.removalPolicy,
      // CloudFormation cannot delete a full bucket: a destroyable stage empties it first.
      autoDeleteObjects: destroy,
    });
    if (this.accessLogs === undefined) {
      const reason =
        `Server access logs are off in ${props.config.stage} (retention.accessLogDays): objects only arrive from the ` +
        'team, every object version gets an uploads-table record, and CloudTrail data events can be enabled if needed.';
      acknowledge(this.bucket, 'AwsSolutions-S1', reason);
      acknowledge(this.bucket, guardRule('s3_bucket_logging_enabled_check'), reason);
    }
    acknowledge(
      this.bucket,
      guardRule('s3_event_notifications_enabled_check'),
      "The bucket's ObjectCreated notifications to the ingest queue are written by CDK's notifications custom " +
        'resource (Custom::S3BucketNotifications), not by the bucket resource the control reads.',
    );
  }

  /**
   * Sends ObjectCreated (and, with `sync.onDelete: trash`, ObjectRemoved) below the upload prefix to `queue`. S3 filters are case-sensitive and allow one
   * prefix and one suffix per rule (see `notificationFilters`).
   */
  notify(queue: IQueue): void {
    for (const filter of notificationFilters(this.config)) {
      // An empty prefix means the whole bucket: S3 then takes no filter at all.
      const filters = filter.prefix === undefined && filter.suffix === undefined ? [] : [filter];
      this.bucket.addEventNotification(EventType.OBJECT_CREATED, new SqsDestination(queue), ...filters);
      // Deletions (and delete markers) only matter when the stage trashes a deleted key's library file.
      if (this.config.sync.onDelete === 'trash')
        this.bucket.addEventNotification(EventType.OBJECT_REMOVED, new SqsDestination(queue), ...filters);
    }
    acknowledgeNotificationsHandler(Stack.of(this));
  }
}

/**
 * S3 notification filters for the stage. With `prefix` filtering (the default) ingest sees every object
 * below the prefix and rejects, with an event, what the library cannot take; with `prefix-and-suffixes`
 * there is one rule per suffix in lower and upper case, and any other spelling is ignored without a trace.
 */
export function notificationFilters(config: StageConfig): NotificationKeyFilter[] {
  const prefix = config.uploads.prefix === '' ? {} : { prefix: config.uploads.prefix };
  if (config.uploads.notificationFilter === 'prefix') return [prefix];
  const spellings = new Set(config.uploads.suffixes.flatMap((s) => [s.toLowerCase(), s.toUpperCase()]));
  return [...spellings].map((suffix) => ({ ...prefix, suffix }));
}

/**
 * S3 notifications are configured by CDK's own singleton custom resource at the stack's top level
 * (CloudFormation cannot add a notification whose queue policy refers back to the bucket without a cycle).
 */
function acknowledgeNotificationsHandler(stack: Stack): void {
  for (const child of stack.node.children) {
    if (!child.node.id.startsWith('BucketNotificationsHandler')) continue;
    acknowledge(
      child,
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      "CDK's BucketNotificationsHandler runs only during deployments to write the bucket's notification " +
        'configuration; the managed policy only lets it write its own logs.',
    );
  }
}

const PRIVATE_BUCKET = {
  encryption: BucketEncryption.S3_MANAGED,
  blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
  objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
  enforceSSL: true,
  minimumTLSVersion: 1.2,
} as const;

function uploadLifecycle(noncurrentVersionDays: number | undefined): LifecycleRule[] {
  const abort: LifecycleRule = {
    id: 'abort-incomplete-multipart-uploads',
    abortIncompleteMultipartUploadAfter: Duration.days(7),
  };
  if (noncurrentVersionDays === undefined) return [abort];
  return [
    abort,
    {
      id: 'expire-noncurrent-versions',
      noncurrentVersionExpiration: Duration.days(noncurrentVersionDays),
      expiredObjectDeleteMarker: true,
    },
  ];
}

/** Access-log delivery does not support SSE-KMS targets: SSE-S3 it is. */
function accessLogsBucket(scope: Construct, days: number, destroy: boolean): Bucket {
  const logs = new Bucket(scope, 'AccessLogs', {
    ...PRIVATE_BUCKET,
    lifecycleRules: [{ id: 'expire-access-logs', expiration: Duration.days(days) }],
    removalPolicy: destroy ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
    autoDeleteObjects: destroy,
  });
  const itself = 'This is the server access log bucket of the upload bucket';
  acknowledge(logs, 'AwsSolutions-S1', `${itself}; logging its own access would log the log writes.`);
  acknowledge(
    logs,
    guardRule('s3_bucket_logging_enabled_check'),
    `${itself}; logging its own access would log the log writes.`,
  );
  acknowledge(
    logs,
    guardRule('s3_bucket_versioning_enabled_check'),
    `${itself}: S3 writes each log object once, and they expire after retention.accessLogDays.`,
  );
  acknowledge(
    logs,
    guardRule('s3_event_notifications_enabled_check'),
    `${itself}: nothing reacts to new log objects, they are read when investigating.`,
  );
  return logs;
}
