/**
 * A work queue and its dead-letter queue, configured the same way everywhere in this app:
 * SQS-managed encryption, TLS-only access, a visibility timeout derived from the consuming function's
 * timeout, and a DLQ that keeps messages for the SQS maximum of 14 days.
 */
import { Arn, Duration, Stack, type RemovalPolicy } from 'aws-cdk-lib';
import { Queue, QueueEncryption, RedrivePermission } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { acknowledge } from './acknowledge.ts';

/** The names and timings of a work queue and its DLQ. */
export interface WorkQueueProps {
  readonly queueName: string;
  readonly deadLetterQueueName: string;
  readonly visibilityTimeout: Duration;
  readonly retentionPeriod: Duration;
  readonly maxReceiveCount: number;
  readonly removalPolicy: RemovalPolicy;
}

/** A work queue and its dead-letter queue. */
export class WorkQueue extends Construct {
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;

  constructor(scope: Construct, id: string, props: WorkQueueProps) {
    super(scope, id);

    // SSE-SQS rather than a KMS key: S3 can deliver notifications to it without a key policy, there is
    // no per-request KMS charge, and the messages only carry object keys, never file contents.
    this.deadLetterQueue = new Queue(this, 'DeadLetterQueue', {
      queueName: props.deadLetterQueueName,
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      // Only its own work queue may use it as a DLQ. The ARN is built from the work queue's fixed name:
      // a reference would make each queue depend on the other.
      redriveAllowPolicy: {
        redrivePermission: RedrivePermission.BY_QUEUE,
        sourceQueues: [Queue.fromQueueArn(this, 'Source', queueArn(this, props.queueName))],
      },
      removalPolicy: props.removalPolicy,
    });
    acknowledge(
      this.deadLetterQueue,
      'AwsSolutions-SQS3',
      `${props.deadLetterQueueName} is itself the dead-letter queue of ${props.queueName}; a DLQ of a DLQ ` +
        'would only hide messages an operator must look at.',
    );

    this.queue = new Queue(this, 'Queue', {
      queueName: props.queueName,
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: props.visibilityTimeout,
      retentionPeriod: props.retentionPeriod,
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: props.maxReceiveCount },
      removalPolicy: props.removalPolicy,
    });
  }
}

function queueArn(scope: Construct, queueName: string): string {
  return Arn.format({ service: 'sqs', resource: queueName }, Stack.of(scope));
}
