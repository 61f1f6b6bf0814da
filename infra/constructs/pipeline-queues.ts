/**
 * The pipeline's queues: ingest (S3 notifications) and status (status checks), each with its DLQ, and
 * the publish-failures queue (the on-failure destination of the uploads-stream event source). Queues
 * hold work in flight, not data: they go with the stack in every stage, so fixed names are safe.
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { ResourceNames } from '../config/names.ts';
import type { SqsSourceSettings, StageConfig } from '../config/types.ts';
import { visibilityTimeoutSeconds } from '../config/validate.ts';
import { acknowledge, guardRule } from './acknowledge.ts';
import { WorkQueue } from './work-queue.ts';

/** What the queues need: the stage (timeouts, batching) and the names. */
export interface PipelineQueuesProps {
  readonly config: StageConfig;
  readonly names: ResourceNames;
}

/** The three queues of one pipeline. */
export class PipelineQueues extends Construct {
  readonly ingest: WorkQueue;
  readonly status: WorkQueue;
  readonly publishFailures: Queue;

  constructor(scope: Construct, id: string, { config, names }: PipelineQueuesProps) {
    super(scope, id);
    this.ingest = workQueue(this, 'Ingest', names.ingestQueue, names.ingestDeadLetterQueue, {
      consumerTimeoutSeconds: config.functions.ingest.timeoutSeconds,
      source: config.sources.ingestQueue,
    });
    this.status = workQueue(this, 'Status', names.statusQueue, names.statusDeadLetterQueue, {
      consumerTimeoutSeconds: config.functions.poll.timeoutSeconds,
      source: config.sources.statusQueue,
    });
    this.publishFailures = new Queue(this, 'PublishFailures', {
      queueName: names.publishFailureQueue,
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      // Like the other queues: work in flight, not data (the records it points to stay in the table).
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const reason =
      'This queue is the on-failure destination of the uploads-stream event source, i.e. the dead-letter ' +
      'queue of the publisher; its messages are read by operators (docs/operations.md), not by a consumer.';
    acknowledge(this.publishFailures, 'AwsSolutions-SQS3', reason);
    acknowledge(this.publishFailures, guardRule('sqs_dlq_check'), reason);
  }
}

/**
 * A work queue whose visibility timeout is six times its consumer's timeout (plus the batching window),
 * so a message is never handed to a second invocation while the first may still be working on it.
 */
function workQueue(
  scope: Construct,
  id: string,
  queueName: string,
  deadLetterQueueName: string,
  { consumerTimeoutSeconds, source }: { consumerTimeoutSeconds: number; source: SqsSourceSettings },
): WorkQueue {
  return new WorkQueue(scope, id, {
    queueName,
    deadLetterQueueName,
    visibilityTimeout: Duration.seconds(visibilityTimeoutSeconds(consumerTimeoutSeconds, source)),
    retentionPeriod: Duration.days(source.retentionDays),
    maxReceiveCount: source.maxReceiveCount,
    removalPolicy: RemovalPolicy.DESTROY,
  });
}
