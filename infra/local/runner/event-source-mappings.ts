/**
 * The stack's three event source mappings, emulated: the ingest queue and the status queue feed ingest
 * and poll (`sqs-poller.ts`), the uploads table's stream feeds publish (`stream-poller.ts`) through the
 * stack's own filter. Batching, concurrency and retries come from the stage config, as in the stack.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import type { StageConfig } from '../../config/index.ts';
import { startSqsPoller, type SqsPoller, type SqsPollerStats } from './event-sources/sqs-poller.ts';
import { startStreamPoller, type StreamPoller, type StreamPollerStats } from './event-sources/stream-poller.ts';
import type { LocalHandlers } from './handlers.ts';
import type { LocalFunctionSettings } from './lambda-context.ts';
import { errorLine, type NoticeSink } from './notices.ts';
import type { ProgressTracker } from './progress.ts';
import type { LocalResources } from './resources.ts';
import type { StackDefinitions } from './stack-definitions.ts';

/** What the mappings are built from. */
export interface EventSourceMappingsInput {
  stage: StageConfig;
  resources: LocalResources;
  definitions: StackDefinitions;
  handlers: LocalHandlers;
  sqs: SQSClient;
  streams: DynamoDBStreamsClient;
  startingPosition: 'TRIM_HORIZON' | 'LATEST';
  tracker: ProgressTracker;
  notice: NoticeSink;
  /** While true the queue mappings take no work (`ops pause`); the stream mapping always runs. */
  paused?: () => boolean;
  /**
   * On stop, let the stream mapping publish what the last queue invocations wrote before it stops
   * (default false). Needed when state persists: a resumed run reads the stream from LATEST, so a
   * final record left unread at stop would never get its event.
   */
  drainStreamOnStop?: boolean;
}

/** The running mappings. */
export interface EventSourceMappings {
  stats(): { ingest: SqsPollerStats; poll: SqsPollerStats; publish: StreamPollerStats };
  /** Invocations running now, per function (for the progress line). */
  inFlight(): { ingest: number; poll: number; publish: number };
  /** Stops taking work and waits up to `graceMs` for running invocations. */
  stop(graceMs: number): Promise<void>;
}

/** Starts the three mappings. */
export function startEventSourceMappings(input: EventSourceMappingsInput): EventSourceMappings {
  const ingest = startQueueMapping(input, 'ingest');
  const poll = startQueueMapping(input, 'poll');
  const publish = startStreamMapping(input);
  return {
    stats: () => ({ ingest: ingest.stats(), poll: poll.stats(), publish: publish.stats() }),
    inFlight: () => ({
      ingest: ingest.stats().inFlight,
      poll: poll.stats().inFlight,
      publish: publish.stats().inFlight,
    }),
    async stop(graceMs) {
      if (!input.drainStreamOnStop) {
        await Promise.all([ingest, poll, publish].map((p) => p.stop({ graceMs })));
        return;
      }
      await Promise.all([ingest, poll].map((p) => p.stop({ graceMs })));
      // A record written just now reaches a batch after the stream's window and one poll interval.
      await sleep(input.stage.sources.uploadsStream.maxBatchingWindowSeconds * 1000 + 750);
      await publish.stop({ graceMs });
    },
  };
}

function functionSettings(input: EventSourceMappingsInput, name: keyof LocalHandlers): LocalFunctionSettings {
  const { stage, resources } = input;
  return {
    functionName: resources.names.functions[name],
    timeoutSeconds: stage.functions[name].timeoutSeconds,
    memoryMb: stage.functions[name].memoryMb,
    region: stage.env.region,
  };
}

function failedInvocation(input: EventSourceMappingsInput, functionName: string, error: unknown, records: number) {
  input.notice({ kind: 'invocation-failed', functionName, error: errorLine(error), records });
}

function pollerError(input: EventSourceMappingsInput, source: string) {
  return (error: unknown) => input.notice({ kind: 'poller-error', source, error: errorLine(error) });
}

function startQueueMapping(input: EventSourceMappingsInput, name: 'ingest' | 'poll'): SqsPoller {
  const { stage, resources } = input;
  const queue = name === 'ingest' ? resources.ingestQueue : resources.statusQueue;
  const source = name === 'ingest' ? stage.sources.ingestQueue : stage.sources.statusQueue;
  return startSqsPoller({
    sqs: input.sqs,
    queueUrl: queue.url,
    queueArn: queue.arn,
    batchSize: source.batchSize,
    maxBatchingWindowSeconds: source.maxBatchingWindowSeconds,
    maxConcurrency: source.maxConcurrency,
    handler: input.handlers[name],
    function: functionSettings(input, name),
    region: stage.env.region,
    onInvocation: (report) => {
      if (report.error !== undefined)
        failedInvocation(input, report.functionName, report.error, report.messageIds.length);
    },
    onError: pollerError(input, name === 'ingest' ? 'ingest queue' : 'status queue'),
    ...(input.paused ? { paused: input.paused } : {}),
  });
}

function startStreamMapping(input: EventSourceMappingsInput): StreamPoller {
  const { stage, resources } = input;
  const stream = stage.sources.uploadsStream;
  return startStreamPoller({
    streams: input.streams,
    streamArn: resources.uploadsStreamArn,
    startingPosition: input.startingPosition,
    batchSize: stream.batchSize,
    maxBatchingWindowSeconds: stream.maxBatchingWindowSeconds,
    retryAttempts: stream.retryAttempts,
    maxRecordAgeSeconds: stream.maxRecordAgeSeconds,
    // As the stack's DynamoEventSource: bisect on error (partial batch responses are always on).
    bisectBatchOnError: true,
    filters: input.definitions.publishStreamFilters,
    handler: input.handlers.publish,
    function: functionSettings(input, 'publish'),
    region: stage.env.region,
    onRecords: (records) => input.tracker.recordStream(records),
    // The stack's on-failure destination: the publish-failures queue receives a pointer to the records.
    onFailure: async (pointer) => {
      const body = JSON.stringify(pointer);
      await input.sqs.send(new SendMessageCommand({ QueueUrl: resources.publishFailureQueue.url, MessageBody: body }));
    },
    onInvocation: (report) => {
      if (report.error !== undefined)
        failedInvocation(input, report.functionName, report.error, report.sequenceNumbers.length);
    },
    onError: pollerError(input, 'uploads stream'),
  });
}
