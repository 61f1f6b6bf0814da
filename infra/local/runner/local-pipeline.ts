/**
 * The whole pipeline on this machine, composed: emulators (DynamoDB Local, fauxqs for S3 + SQS, the
 * EventBridge and Secrets Manager stand-ins), the library sandbox (or the real API), the stage's
 * resources, the three handlers invoked in this process by emulated event sources, and the drop folder.
 *
 *   const pipeline = await startLocalPipeline({ fast: true, stateDir, dropDir });
 *   await pipeline.dropFile('photos/beach.png', bytes);
 *   const [event] = await pipeline.waitForEvents({ keys: ['uploads/photos/beach.png'] });
 *   await pipeline.stop();
 *
 * Used by `npm start` (infra/local/start.ts), the end-to-end tests and benchmarks.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL, fileURLToPath } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { getStageConfig, librarySecretName, type StageConfig, type StageName } from '../../config/index.ts';
import type { UploadRecord } from '../../../shared/record/upload-record.ts';
import { startLocalAws, type LocalAws } from '../emulators/index.ts';
import { toEnvelope, type EventEnvelope, type RecordedEvent } from '../standins/eventbridge.ts';
import { startDropWatcher, keyForDroppedFile, type DropWatcher, type DroppedFile } from './drop-watcher.ts';
import {
  startSqsPoller,
  type SqsInvocationReport,
  type SqsPoller,
  type SqsPollerStats,
} from './event-sources/sqs-poller.ts';
import {
  startStreamPoller,
  type StreamInvocationReport,
  type StreamPoller,
  type StreamPollerStats,
} from './event-sources/stream-poller.ts';
import { applyEnvironment, functionEnvironment, localRuntimeConfig } from './function-environment.ts';
import { captureFunctionLogs, type FunctionLogCapture } from './function-logs.ts';
import type { LocalFunctionSettings } from './lambda-context.ts';
import {
  libraryApiFromEnvironment,
  startSandboxProcess,
  type LibraryTarget,
  type SandboxProcess,
  type SandboxProcessOptions,
} from './library-target.ts';
import { ProgressTracker, type ProgressSnapshot, type ProgressSource } from './progress.ts';
import { createLocalResources, type LocalResources } from './resources.ts';
import { loadStackDefinitions } from './stack-definitions.ts';
import { watchPauseSwitch } from '../../ops/pause-switch.ts';

export interface LocalPipelineOptions {
  /** Stage whose config is emulated (default `dev`). */
  stage?: StageName;
  /** Where events.jsonl, logs/ and endpoints.json go (default `.local`). */
  stateDir?: string;
  /** The watched folder (default `drop`); `false` = no watcher. */
  dropDir?: string | false;
  /** Shorter status-check delays (FAST_POLL), same code path. */
  fast?: boolean;
  /** Sandbox settings (ignored when talking to a real API). */
  sandbox?: SandboxProcessOptions;
  /**
   * `'sandbox'` forces the sandbox; an object names a real API; by default the real API is used when
   * `LIBRARY_BASE_URL` (+ `LIBRARY_API_KEY`, `LIBRARY_ACCESS_TOKEN`) is set in `env`, else the sandbox.
   */
  library?: 'sandbox' | { baseUrl: string; apiKey: string; accessToken: string };
  /** Environment read for LIBRARY_* (default `process.env`). */
  env?: NodeJS.ProcessEnv;
  /** Upload files already in the drop folder at start (default false). */
  uploadExisting?: boolean;
  /** Stream starting position of the publish mapping (default TRIM_HORIZON, as the stack). */
  startingPosition?: 'TRIM_HORIZON' | 'LATEST';
  /** `file` (default): the functions' JSON log lines go to `<state>/logs/functions.jsonl`; `inherit`: stdout. */
  functionLogs?: 'file' | 'inherit';
  /** How long `stop()` waits for running invocations (default 5000 ms). */
  shutdownGraceMs?: number;
  /** Called for every published event (after it is appended to events.jsonl). */
  onEvent?: (event: EventEnvelope) => void;
  /** Notices for the operator (a file dropped, a handler error, a failed invocation). */
  onNotice?: (notice: LocalNotice) => void;
}

export type LocalNotice =
  | { kind: 'dropped'; file: DroppedFile }
  | { kind: 'function-error'; summary: string }
  | { kind: 'invocation-failed'; functionName: string; error: string; records: number }
  | { kind: 'poller-error'; source: string; error: string }
  | { kind: 'drop-error'; path: string; error: string };

export interface LocalEndpoints {
  s3: string;
  sqs: string;
  dynamodb: string;
  eventbridge: string;
  secretsmanager: string;
  /** The library API base URL the functions use (sandbox or real). */
  library: string;
  /** `http://127.0.0.1:PORT/__sandbox/` when the sandbox runs. */
  sandboxAdmin?: string;
  region: string;
}

export interface WaitForEventsOptions {
  /** Resolve once every one of these object keys has an event. */
  keys?: readonly string[];
  /** Or once at least this many events were published. */
  count?: number;
  timeoutMs?: number;
}

export interface LocalPipeline {
  stage: StageConfig;
  endpoints: LocalEndpoints;
  resources: LocalResources;
  library: { kind: 'sandbox' | 'api'; baseUrl: string };
  /** The sandbox child process and its admin API; undefined with a real API. */
  sandbox: SandboxProcess | undefined;
  paths: { stateDir: string; dropDir: string | undefined; eventsFile: string; functionLog: string };
  /** Milliseconds from the call to ready. */
  startupMs: number;
  /** The poll settings in effect (dev's, or shortened with `fast`). */
  poll: { firstDelaySeconds: number; maxDelaySeconds: number; maxWaitSeconds: number };
  /** Writes a file into the drop folder (sub-folders created); resolves with the key it will get. */
  dropFile(relativePath: string, content: Buffer | string): Promise<{ path: string; key: string }>;
  /** Puts an object into the bucket directly (as any S3 client would). */
  putObject(key: string, body: Buffer | string): Promise<void>;
  /** Every event published so far (EventBridge envelopes). */
  events(): EventEnvelope[];
  waitForEvents(options: WaitForEventsOptions): Promise<EventEnvelope[]>;
  /** The uploads table, scanned. */
  records(): Promise<UploadRecord[]>;
  progress(): ProgressSnapshot;
  /** Counters of the emulated event sources (invocations, failures, peak concurrency…), for benchmarks. */
  stats(): { ingest: SqsPollerStats; poll: SqsPollerStats; publish: StreamPollerStats };
  /** For a `ProgressDisplay`. */
  progressSource: ProgressSource;
  /** Stops everything it started; safe to call twice. */
  stop(): Promise<void>;
}

type SqsLambda = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;
type StreamLambda = (event: DynamoDBStreamEvent, context: Context) => Promise<DynamoDBBatchResponse>;

const FUNCTIONS_DIR = fileURLToPath(new URL('../../../functions/', import.meta.url));
let instance = 0;

/**
 * Imports the handlers after the environment is set. Each pipeline gets fresh module instances (a
 * query on the URL), so module-level caches built from one pipeline's environment never serve
 * another started later in the same process.
 */
async function importHandlers(): Promise<{ ingest: SqsLambda; poll: SqsLambda; publish: StreamLambda }> {
  instance++;
  const load = async <T>(name: string): Promise<T> => {
    const url = `${pathToFileURL(join(FUNCTIONS_DIR, name, 'handler.ts')).href}?local-pipeline=${instance}`;
    const module = (await import(url)) as { handler: T };
    return module.handler;
  };
  const [ingest, poll, publish] = await Promise.all([
    load<SqsLambda>('ingest'),
    load<SqsLambda>('poll'),
    load<StreamLambda>('publish'),
  ]);
  return { ingest, poll, publish };
}

/** `endpoints.json`: where everything is, for scripts and the operator tool (`ops --local`); no credentials. */
function localEndpointsFile(stage: string, endpoints: LocalEndpoints, resources: LocalResources) {
  return {
    stage,
    endpoints,
    bucket: resources.bucket,
    uploadPrefix: resources.uploadPrefix,
    queues: {
      ingest: resources.ingestQueue.url,
      status: resources.statusQueue.url,
      ingestDeadLetter: resources.ingestQueue.deadLetter.url,
      statusDeadLetter: resources.statusQueue.deadLetter.url,
      publishFailures: resources.publishFailureQueue.url,
    },
    uploadsTable: resources.uploadsTable,
    limitsTable: resources.limitsTable,
    uploadsStreamArn: resources.uploadsStreamArn,
    eventBus: resources.eventBusName,
    pid: process.pid,
  };
}

function message(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

export async function startLocalPipeline(options: LocalPipelineOptions = {}): Promise<LocalPipeline> {
  const started = performance.now();
  const stage = getStageConfig(options.stage ?? 'dev');
  const stateDir = resolve(options.stateDir ?? '.local');
  const dropDir = options.dropDir === false ? undefined : resolve(options.dropDir ?? 'drop');
  const eventsFile = join(stateDir, 'events.jsonl');
  const functionLog = join(stateDir, 'logs', 'functions.jsonl');
  const notice = (n: LocalNotice): void => options.onNotice?.(n);

  // Every emulator keeps its state in memory, so last run's events describe objects that are gone.
  await mkdir(dirname(functionLog), { recursive: true });
  await Promise.all([rm(eventsFile, { force: true }), rm(functionLog, { force: true })]);

  const realApi =
    options.library === 'sandbox'
      ? undefined
      : typeof options.library === 'object'
        ? {
            baseUrl: options.library.baseUrl,
            credentials: { apiKey: options.library.apiKey, accessToken: options.library.accessToken },
          }
        : libraryApiFromEnvironment(options.env ?? process.env);

  // Start everything that takes time at once: the JVM, fauxqs, the sandbox, and the stack module.
  const cleanups: Array<() => Promise<unknown> | unknown> = [];
  const cleanup = async (): Promise<void> => {
    for (const step of cleanups.splice(0).reverse())
      await Promise.resolve()
        .then(step)
        .catch(() => undefined);
  };
  let local: LocalAws;
  let library: LibraryTarget;
  let definitions: Awaited<ReturnType<typeof loadStackDefinitions>>;
  {
    const [localResult, libraryResult, definitionsResult] = await Promise.allSettled([
      startLocalAws({ eventBridge: { eventsFile } }),
      realApi
        ? Promise.resolve<LibraryTarget>({ kind: 'api', ...realApi })
        : startSandboxProcess(options.sandbox).then((sandbox): LibraryTarget => ({
            kind: 'sandbox',
            baseUrl: sandbox.baseUrl,
            credentials: sandbox.credentials,
            sandbox,
          })),
      loadStackDefinitions(stage),
    ]);
    if (localResult.status === 'fulfilled') cleanups.push(() => localResult.value.stop());
    if (libraryResult.status === 'fulfilled' && libraryResult.value.kind === 'sandbox') {
      const sandbox = libraryResult.value.sandbox;
      cleanups.push(() => sandbox.stop());
    }
    const failed = [localResult, libraryResult, definitionsResult].find(
      (r): r is PromiseRejectedResult => r.status === 'rejected',
    );
    if (
      failed ||
      localResult.status !== 'fulfilled' ||
      libraryResult.status !== 'fulfilled' ||
      definitionsResult.status !== 'fulfilled'
    ) {
      await cleanup();
      throw failed?.reason;
    }
    local = localResult.value;
    library = libraryResult.value;
    definitions = definitionsResult.value;
  }

  try {
    const configs = local.clientConfigs;
    const s3 = new S3Client({ ...configs.s3, credentials: { ...configs.s3.credentials } });
    const sqs = new SQSClient({ ...configs.sqs, credentials: { ...configs.sqs.credentials } });
    const dynamodb = new DynamoDBClient({ ...configs.dynamodb, credentials: { ...configs.dynamodb.credentials } });
    const streams = new DynamoDBStreamsClient({
      ...configs.dynamodbStreams,
      credentials: { ...configs.dynamodbStreams.credentials },
    });
    const documentClient = DynamoDBDocumentClient.from(dynamodb);
    cleanups.push(() => [s3, sqs, dynamodb, streams].forEach((c) => c.destroy()));

    const resources = await createLocalResources({ s3, sqs, dynamodb }, stage, definitions.notificationFilters);
    const secretId = librarySecretName(stage);
    local.secretsManager.setSecret(secretId, { ...library.credentials });

    const runtimeResources = {
      librarySecretId: secretId,
      uploadsTableName: resources.uploadsTable,
      limitsTableName: resources.limitsTable,
      statusQueueUrl: resources.statusQueue.url,
      eventBusName: resources.eventBusName,
      libraryBaseUrl: library.baseUrl,
    };
    const runtimeConfig = localRuntimeConfig({ stage, resources: runtimeResources, fast: options.fast ?? false });
    const restoreEnvironment = applyEnvironment(
      functionEnvironment({
        stage,
        resources: runtimeResources,
        endpoints: local.endpoints,
        fast: options.fast ?? false,
      }),
    );
    cleanups.push(restoreEnvironment);

    let logs: FunctionLogCapture | undefined;
    if ((options.functionLogs ?? 'file') === 'file') {
      logs = captureFunctionLogs({
        file: functionLog,
        onError: (summary) => notice({ kind: 'function-error', summary }),
      });
      cleanups.push(() => logs?.restore());
    }

    const runtimeModule = await import('../../../shared/runtime/index.ts');
    runtimeModule.setPipelineRuntime(undefined);
    cleanups.push(async () => {
      // Close the connection pool the handlers' runtime opened (building one if none was, harmlessly).
      await runtimeModule
        .pipelineRuntime()
        .close()
        .catch(() => undefined);
      runtimeModule.setPipelineRuntime(undefined);
    });
    const handlers = await importHandlers();

    const fn = (name: 'ingest' | 'poll' | 'publish'): LocalFunctionSettings => ({
      functionName: resources.names.functions[name],
      timeoutSeconds: stage.functions[name].timeoutSeconds,
      memoryMb: stage.functions[name].memoryMb,
      region: stage.env.region,
    });
    const onSqsInvocation = (report: SqsInvocationReport): void => {
      if (report.error !== undefined) {
        notice({
          kind: 'invocation-failed',
          functionName: report.functionName,
          error: message(report.error),
          records: report.messageIds.length,
        });
      }
    };
    const onStreamInvocation = (report: StreamInvocationReport): void => {
      if (report.error !== undefined) {
        notice({
          kind: 'invocation-failed',
          functionName: report.functionName,
          error: message(report.error),
          records: report.sequenceNumbers.length,
        });
      }
    };
    const pollerError = (source: string) => (error: unknown) =>
      notice({ kind: 'poller-error', source, error: message(error) });

    const pollers: Array<SqsPoller | StreamPoller> = [];
    const inFlight = (index: number): number => pollers[index]?.stats().inFlight ?? 0;
    const tracker = new ProgressTracker(() => ({ ingest: inFlight(0), poll: inFlight(1), publish: inFlight(2) }));
    // Events: the stand-in appends each to events.jsonl; we count, show and hand them to waiters.
    const events: EventEnvelope[] = [];
    const waiters = new Set<() => void>();
    const onRecorded = (recorded: RecordedEvent): void => {
      const envelope = toEnvelope(recorded);
      events.push(envelope);
      tracker.event();
      options.onEvent?.(envelope);
      for (const wake of [...waiters]) wake();
    };
    local.eventBridge.on('event', onRecorded);
    cleanups.push(() => local.eventBridge.off('event', onRecorded));

    // `ops pause` (infra/ops/): the queue pollers stop receiving, as disabled event source mappings do.
    const pauseSwitch = watchPauseSwitch(documentClient, resources.limitsTable, {
      onError: pollerError('pause switch'),
    });
    cleanups.push(() => pauseSwitch.stop());
    const ingestPoller = startSqsPoller({
      sqs,
      queueUrl: resources.ingestQueue.url,
      queueArn: resources.ingestQueue.arn,
      batchSize: stage.sources.ingestQueue.batchSize,
      maxBatchingWindowSeconds: stage.sources.ingestQueue.maxBatchingWindowSeconds,
      maxConcurrency: stage.sources.ingestQueue.maxConcurrency,
      handler: handlers.ingest,
      function: fn('ingest'),
      region: stage.env.region,
      onInvocation: onSqsInvocation,
      onError: pollerError('ingest queue'),
      paused: pauseSwitch.paused,
    });
    const statusPoller = startSqsPoller({
      sqs,
      queueUrl: resources.statusQueue.url,
      queueArn: resources.statusQueue.arn,
      batchSize: stage.sources.statusQueue.batchSize,
      maxBatchingWindowSeconds: stage.sources.statusQueue.maxBatchingWindowSeconds,
      maxConcurrency: stage.sources.statusQueue.maxConcurrency,
      handler: handlers.poll,
      function: fn('poll'),
      region: stage.env.region,
      onInvocation: onSqsInvocation,
      onError: pollerError('status queue'),
      paused: pauseSwitch.paused,
    });
    const stream = stage.sources.uploadsStream;
    const streamPoller: StreamPoller = startStreamPoller({
      streams,
      streamArn: resources.uploadsStreamArn,
      startingPosition: options.startingPosition ?? 'TRIM_HORIZON',
      batchSize: stream.batchSize,
      maxBatchingWindowSeconds: stream.maxBatchingWindowSeconds,
      retryAttempts: stream.retryAttempts,
      maxRecordAgeSeconds: stream.maxRecordAgeSeconds,
      // As the stack's DynamoEventSource: bisect on error, partial batch responses.
      bisectBatchOnError: true,
      reportBatchItemFailures: true,
      filters: definitions.publishStreamFilters,
      handler: handlers.publish,
      function: fn('publish'),
      region: stage.env.region,
      onRecords: (records) => tracker.recordStream(records),
      onFailure: async (pointer) => {
        await sqs.send(
          new SendMessageCommand({ QueueUrl: resources.publishFailureQueue.url, MessageBody: JSON.stringify(pointer) }),
        );
      },
      onInvocation: onStreamInvocation,
      onError: pollerError('uploads stream'),
    });
    pollers.push(ingestPoller, statusPoller, streamPoller);
    const graceMs = options.shutdownGraceMs ?? 5000;
    cleanups.push(async () => {
      await Promise.all(pollers.map((p) => p.stop({ graceMs })));
    });

    let watcher: DropWatcher | undefined;
    if (dropDir) {
      watcher = startDropWatcher({
        dir: dropDir,
        s3,
        bucket: resources.bucket,
        prefix: resources.uploadPrefix,
        uploadExisting: options.uploadExisting ?? false,
        onUploaded: (file) => {
          tracker.dropped();
          notice({ kind: 'dropped', file });
        },
        onError: (error, path) => notice({ kind: 'drop-error', path, error: message(error) }),
      });
      const active = watcher;
      cleanups.push(() => active.stop());
      await watcher.ready;
    }

    const endpoints: LocalEndpoints = {
      s3: local.endpoints.s3,
      sqs: local.endpoints.sqs,
      dynamodb: local.endpoints.dynamodb,
      eventbridge: local.endpoints.eventbridge,
      secretsmanager: local.endpoints.secretsmanager,
      library: library.baseUrl,
      ...(library.kind === 'sandbox' ? { sandboxAdmin: `${library.sandbox.origin}/__sandbox/` } : {}),
      region: local.endpoints.region,
    };
    // For scripts and other terminals: where everything is (no credentials).
    await writeFile(
      join(stateDir, 'endpoints.json'),
      `${JSON.stringify(localEndpointsFile(stage.stage, endpoints, resources), null, 2)}\n`,
    );

    const keyOf = (event: EventEnvelope): string | undefined =>
      (event.detail as { object?: { key?: string } }).object?.key;
    let stopping: Promise<void> | undefined;
    const pipeline: LocalPipeline = {
      stage,
      endpoints,
      resources,
      library: { kind: library.kind, baseUrl: library.baseUrl },
      sandbox: library.kind === 'sandbox' ? library.sandbox : undefined,
      paths: { stateDir, dropDir, eventsFile, functionLog },
      startupMs: Math.round(performance.now() - started),
      poll: { ...runtimeConfig.poll },
      async dropFile(relativePath, content) {
        if (!dropDir) throw new Error('This pipeline has no drop folder (dropDir: false)');
        const path = join(dropDir, ...relativePath.split('/'));
        await mkdir(dirname(path), { recursive: true });
        await writeFile(path, content);
        return { path, key: keyForDroppedFile(resources.uploadPrefix, relativePath) };
      },
      async putObject(key, body) {
        await s3.send(
          new PutObjectCommand({
            Bucket: resources.bucket,
            Key: key,
            Body: typeof body === 'string' ? Buffer.from(body) : body,
          }),
        );
      },
      events: () => [...events],
      waitForEvents(wait) {
        const timeoutMs = wait.timeoutMs ?? 60_000;
        const done = (): boolean => {
          if (wait.count !== undefined && events.length < wait.count) return false;
          if (wait.keys) {
            const seen = new Set(events.map(keyOf));
            if (!wait.keys.every((k) => seen.has(k))) return false;
          }
          return true;
        };
        const select = (): EventEnvelope[] =>
          wait.keys ? events.filter((e) => wait.keys?.includes(keyOf(e) ?? '')) : [...events];
        if (done()) return Promise.resolve(select());
        return new Promise((resolvePromise, reject) => {
          const wake = (): void => {
            if (!done()) return;
            cleanupWaiter();
            resolvePromise(select());
          };
          const timer = setTimeout(() => {
            cleanupWaiter();
            const seen = new Set(events.map(keyOf));
            const missing = (wait.keys ?? []).filter((k) => !seen.has(k));
            reject(
              new Error(
                `No events within ${timeoutMs} ms for: ${missing.length > 0 ? missing.join(', ') : `${wait.count} events (got ${events.length})`}`,
              ),
            );
          }, timeoutMs);
          const cleanupWaiter = (): void => {
            clearTimeout(timer);
            waiters.delete(wake);
          };
          waiters.add(wake);
        });
      },
      async records() {
        const items: UploadRecord[] = [];
        let start: Record<string, unknown> | undefined;
        do {
          const page = await documentClient.send(
            new ScanCommand({ TableName: resources.uploadsTable, ConsistentRead: true, ExclusiveStartKey: start }),
          );
          items.push(...((page.Items ?? []) as UploadRecord[]));
          start = page.LastEvaluatedKey;
        } while (start);
        return items;
      },
      progress: () => tracker.snapshot(),
      progressSource: tracker,
      stats: () => ({ ingest: ingestPoller.stats(), poll: statusPoller.stats(), publish: streamPoller.stats() }),
      stop() {
        stopping ??= cleanup();
        return stopping;
      },
    };
    return pipeline;
  } catch (error) {
    await cleanup();
    throw error;
  }
}
