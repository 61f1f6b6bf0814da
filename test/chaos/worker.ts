/**
 * The pipeline's workers alone, in a process of their own that the fault run can SIGKILL and start
 * again: the ingest, poll and publish handlers (functions/*\/handler.ts) driven by local mode's event
 * sources (infra/local/runner/event-sources/), against emulators, stand-ins and a sandbox that the
 * parent process owns and keeps running across kills.
 *
 * Composed from the runner's exported parts, not copied: `functionEnvironment` + `applyEnvironment`
 * (the environment the stack gives the functions, plus the emulator endpoints), `startSqsPoller`,
 * `startStreamPoller`, and the stack's own stream filter (passed in by the parent, which read it with
 * `loadStackDefinitions`).
 *
 * Input: one JSON document in `CHAOS_WORKER_CONFIG` (see `WorkerConfig`). Output: the handlers'
 * Powertools log lines on stdout (what CloudWatch would hold), the worker's own notices on stderr
 * (`[worker] ready` once the pollers run). SIGTERM stops the pollers gracefully; SIGKILL is the point.
 */
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { RuntimeResources, StageConfig } from '../../infra/config/index.ts';
import { localClientConfigs, type LocalAwsEndpoints } from '../../infra/local/emulators/aws-endpoints.ts';
import { startSqsPoller, type SqsPoller } from '../../infra/local/runner/event-sources/sqs-poller.ts';
import { startStreamPoller, type StreamPoller } from '../../infra/local/runner/event-sources/stream-poller.ts';
import type { FilterPattern } from '../../infra/local/runner/event-sources/filter-criteria.ts';
import {
  applyEnvironment,
  functionEnvironment,
  localRuntimeConfig,
} from '../../infra/local/runner/function-environment.ts';
import type { LocalResources } from '../../infra/local/runner/resources.ts';

export interface WorkerConfig {
  stage: StageConfig;
  resources: LocalResources;
  runtimeResources: RuntimeResources;
  endpoints: LocalAwsEndpoints;
  fast: boolean;
  publishStreamFilters: FilterPattern[];
  /** Library client time-outs for this run (the production default waits 60 s for headers). */
  libraryTimeoutMs: number;
  /** Lets a restarted worker keep the retry policy of the run (production values unless set). */
  retryPolicy?: { baseSeconds?: number; maxSeconds?: number; maxRetries?: number; unauthorizedDelaySeconds?: number };
}

type SqsLambda = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;
type StreamLambda = (event: DynamoDBStreamEvent, context: Context) => Promise<DynamoDBBatchResponse>;

const notice = (text: string): void => {
  process.stderr.write(`[worker ${process.pid}] ${text}\n`);
};
const describe = (error: unknown): string =>
  error instanceof Error ? `${error.name}: ${error.message}` : String(error);

async function main(): Promise<void> {
  const raw = process.env['CHAOS_WORKER_CONFIG'];
  if (!raw) throw new Error('CHAOS_WORKER_CONFIG is not set');
  const config = JSON.parse(raw) as WorkerConfig;
  const { stage, resources, runtimeResources, endpoints } = config;

  // The environment the stack gives the functions, pointed at the parent's emulators.
  applyEnvironment(functionEnvironment({ stage, resources: runtimeResources, endpoints, fast: config.fast }));

  // The handlers build their runtime from process.env on first use; the one seam used here is the
  // library client's time-outs (and, optionally, the retry policy), set through the same builder.
  const runtime = await import('../../shared/runtime/index.ts');
  runtime.setPipelineRuntime(
    runtime.buildPipelineRuntime(localRuntimeConfig({ stage, resources: runtimeResources, fast: config.fast }), {
      libraryOptions: {
        timeouts: {
          connectMs: config.libraryTimeoutMs,
          headersMs: config.libraryTimeoutMs,
          bodyMs: config.libraryTimeoutMs,
        },
      },
      ...(config.retryPolicy ? { retryPolicy: config.retryPolicy } : {}),
    }),
  );
  const [{ handler: ingest }, { handler: poll }, { handler: publish }] = (await Promise.all([
    import('../../functions/ingest/handler.ts'),
    import('../../functions/poll/handler.ts'),
    import('../../functions/publish/handler.ts'),
  ])) as [{ handler: SqsLambda }, { handler: SqsLambda }, { handler: StreamLambda }];

  const clients = localClientConfigs(endpoints);
  const sqs = new SQSClient({ ...clients.sqs, credentials: { ...clients.sqs.credentials } });
  const streams = new DynamoDBStreamsClient({
    ...clients.dynamodbStreams,
    credentials: { ...clients.dynamodbStreams.credentials },
  });
  const fn = (name: 'ingest' | 'poll' | 'publish') => ({
    functionName: resources.names.functions[name],
    timeoutSeconds: stage.functions[name].timeoutSeconds,
    memoryMb: stage.functions[name].memoryMb,
    region: stage.env.region,
  });
  const onSqsInvocation = (report: { functionName: string; error?: unknown; messageIds: string[] }): void => {
    if (report.error !== undefined)
      notice(
        `invocation failed: ${report.functionName} (${report.messageIds.length} messages): ${describe(report.error)}`,
      );
  };
  const pollers: Array<SqsPoller | StreamPoller> = [
    startSqsPoller({
      sqs,
      queueUrl: resources.ingestQueue.url,
      queueArn: resources.ingestQueue.arn,
      ...stage.sources.ingestQueue,
      handler: ingest,
      function: fn('ingest'),
      region: stage.env.region,
      onInvocation: onSqsInvocation,
      onError: (error) => notice(`ingest poller: ${describe(error)}`),
    }),
    startSqsPoller({
      sqs,
      queueUrl: resources.statusQueue.url,
      queueArn: resources.statusQueue.arn,
      ...stage.sources.statusQueue,
      handler: poll,
      function: fn('poll'),
      region: stage.env.region,
      onInvocation: onSqsInvocation,
      onError: (error) => notice(`status poller: ${describe(error)}`),
    }),
    startStreamPoller({
      streams,
      streamArn: resources.uploadsStreamArn,
      // As the stack. A restarted worker has no checkpoint (Lambda's survives), so it publishes the final
      // records again: same event ids, which consumers de-duplicate by (docs/events.md).
      startingPosition: 'TRIM_HORIZON',
      batchSize: stage.sources.uploadsStream.batchSize,
      maxBatchingWindowSeconds: stage.sources.uploadsStream.maxBatchingWindowSeconds,
      retryAttempts: stage.sources.uploadsStream.retryAttempts,
      maxRecordAgeSeconds: stage.sources.uploadsStream.maxRecordAgeSeconds,
      bisectBatchOnError: true,
      filters: config.publishStreamFilters,
      handler: publish,
      function: fn('publish'),
      region: stage.env.region,
      onFailure: async (pointer) => {
        await sqs.send(
          new SendMessageCommand({ QueueUrl: resources.publishFailureQueue.url, MessageBody: JSON.stringify(pointer) }),
        );
      },
      onInvocation: (report) => {
        if (report.error !== undefined) notice(`invocation failed: ${report.functionName}: ${describe(report.error)}`);
      },
      onError: (error) => notice(`stream poller: ${describe(error)}`),
    }),
  ];

  let stopping = false;
  process.once('SIGTERM', () => {
    if (stopping) return;
    stopping = true;
    void Promise.all(pollers.map((p) => p.stop({ graceMs: 5000 })))
      .then(() => runtime.pipelineRuntime().close())
      .finally(() => process.exit(0));
  });
  notice('ready');
}

main().catch((error: unknown) => {
  notice(`could not start: ${describe(error)}`);
  process.exit(1);
});
