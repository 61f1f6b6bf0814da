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
 * Used by `npm start` (infra/local/start.ts), the end-to-end tests and benchmarks. Each part lives in
 * its own module; this one only orders them and registers how each is undone (`Cleanups`).
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { getStageConfig, librarySecretName, type StageConfig, type StageName } from '../../config/index.ts';
import type { RuntimeConfig } from '../../../shared/config/runtime-config.ts';
import type { UploadRecord } from '../../../shared/record/upload-record.ts';
import { startLocalAws, type LocalAws, type LocalClientConfigs } from '../emulators/index.ts';
import { toEnvelope, type EventEnvelope, type RecordedEvent } from '../standins/eventbridge.ts';
import { Cleanups } from './cleanups.ts';
import { startDropWatcher, keyForDroppedFile } from './drop-watcher.ts';
import { EventLog, type WaitForEventsOptions } from './event-log.ts';
import { startEventSourceMappings, type EventSourceMappings } from './event-source-mappings.ts';
import type { SqsPollerStats } from './event-sources/sqs-poller.ts';
import type { StreamPollerStats } from './event-sources/stream-poller.ts';
import { applyEnvironment, functionEnvironment, localRuntimeConfig } from './function-environment.ts';
import { captureFunctionLogs } from './function-logs.ts';
import { importHandlers } from './handlers.ts';
import {
  chooseRealApi,
  startLibraryTarget,
  type LibraryChoice,
  type LibraryTarget,
  type SandboxProcess,
  type SandboxProcessOptions,
} from './library-target.ts';
import { errorLine, type LocalNotice, type NoticeSink } from './notices.ts';
import { ProgressTracker, type ProgressSnapshot, type ProgressSource } from './progress.ts';
import { preloadBucket } from './preload.ts';
import { createLocalResources, type LocalResources } from './resources.ts';
import { loadStackDefinitions, type StackDefinitions } from './stack-definitions.ts';
import { watchPauseSwitch } from '../../ops/pause-switch.ts';

export type { LocalNotice } from './notices.ts';
export type { WaitForEventsOptions } from './event-log.ts';

/** How to run it; every field has a default that suits `npm start`. */
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
  /** The sandbox or a real API (see `LibraryChoice`; default: from `env`). */
  library?: Exclude<LibraryChoice, undefined>;
  /** Environment read for LIBRARY_* (default `process.env`). */
  env?: NodeJS.ProcessEnv;
  /** Upload files already in the drop folder at start (default false). */
  uploadExisting?: boolean;
  /** A folder whose files are in the bucket before notifications are set (no notification: `ops backfill`). */
  preloadDir?: string;
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

/** Where each local service listens. */
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

/** A running local pipeline. */
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

/** The SDK clients the runner itself uses (the handlers build their own from the environment). */
interface RunnerClients {
  s3: S3Client;
  sqs: SQSClient;
  dynamodb: DynamoDBClient;
  streams: DynamoDBStreamsClient;
  documents: DynamoDBDocumentClient;
}

function runnerClients(configs: LocalClientConfigs, cleanups: Cleanups): RunnerClients {
  // Each client gets its own copy of the credentials object: the SDK may memoize into it.
  const own = <T extends { credentials: object }>(config: T): T => ({
    ...config,
    credentials: { ...config.credentials },
  });
  const dynamodb = new DynamoDBClient(own(configs.dynamodb));
  const clients = {
    s3: new S3Client(own(configs.s3)),
    sqs: new SQSClient(own(configs.sqs)),
    dynamodb,
    streams: new DynamoDBStreamsClient(own(configs.dynamodbStreams)),
    documents: DynamoDBDocumentClient.from(dynamodb),
  };
  cleanups.add(() => [clients.s3, clients.sqs, clients.dynamodb, clients.streams].forEach((c) => c.destroy()));
  return clients;
}

/**
 * Starts what takes time at once: the JVM and fauxqs, the sandbox, and the CDK stack module. Each part
 * that started is registered for cleanup even when another failed, so nothing is left running.
 */
async function startSlowParts(
  stage: StageConfig,
  options: LocalPipelineOptions,
  eventsFile: string,
  cleanups: Cleanups,
): Promise<{ local: LocalAws; library: LibraryTarget; definitions: StackDefinitions }> {
  // Checked first: incomplete LIBRARY_* settings fail before anything starts.
  const realApi = chooseRealApi(options.library, options.env ?? process.env);
  const [local, library, definitions] = await Promise.allSettled([
    startLocalAws({ eventBridge: { eventsFile } }),
    startLibraryTarget(realApi, options.sandbox),
    loadStackDefinitions(stage),
  ]);
  if (local.status === 'fulfilled') cleanups.add(() => local.value.stop());
  if (library.status === 'fulfilled' && library.value.kind === 'sandbox') {
    const sandbox = library.value.sandbox;
    cleanups.add(() => sandbox.stop());
  }
  if (local.status === 'rejected') throw local.reason;
  if (library.status === 'rejected') throw library.reason;
  if (definitions.status === 'rejected') throw definitions.reason;
  return { local: local.value, library: library.value, definitions: definitions.value };
}

/**
 * Sets the functions' environment as the stack would, then imports the handlers (which read it at
 * load) with a fresh shared runtime, whose connection pool is closed on cleanup.
 */
async function loadFunctions(
  stage: StageConfig,
  options: LocalPipelineOptions,
  parts: { local: LocalAws; library: LibraryTarget; resources: LocalResources },
  cleanups: Cleanups,
) {
  const { local, library, resources } = parts;
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
  const fast = options.fast ?? false;
  const runtimeConfig = localRuntimeConfig({ stage, resources: runtimeResources, fast });
  cleanups.add(
    applyEnvironment(functionEnvironment({ stage, resources: runtimeResources, endpoints: local.endpoints, fast })),
  );
  const runtimeModule = await import('../../../shared/runtime/index.ts');
  runtimeModule.setPipelineRuntime(undefined);
  cleanups.add(async () => {
    // Close the connection pool the handlers' runtime opened (building one if none was, harmlessly).
    await runtimeModule
      .pipelineRuntime()
      .close()
      .catch(() => undefined);
    runtimeModule.setPipelineRuntime(undefined);
  });
  return { runtimeConfig, handlers: await importHandlers() };
}

/** Starts the watcher on the drop folder, if there is one; resolves once it watches. */
async function watchDropFolder(
  dropDir: string | undefined,
  options: LocalPipelineOptions,
  parts: { s3: S3Client; resources: LocalResources; tracker: ProgressTracker; notice: NoticeSink },
  cleanups: Cleanups,
): Promise<void> {
  if (!dropDir) return;
  const { resources, tracker, notice } = parts;
  const watcher = startDropWatcher({
    dir: dropDir,
    s3: parts.s3,
    bucket: resources.bucket,
    prefix: resources.uploadPrefix,
    uploadExisting: options.uploadExisting ?? false,
    onUploaded: (file) => {
      tracker.dropped();
      notice({ kind: 'dropped', file });
    },
    onError: (error, path) => notice({ kind: 'drop-error', path, error: errorLine(error) }),
  });
  cleanups.add(() => watcher.stop());
  await watcher.ready;
}

function endpointsOf(local: LocalAws, library: LibraryTarget): LocalEndpoints {
  return {
    s3: local.endpoints.s3,
    sqs: local.endpoints.sqs,
    dynamodb: local.endpoints.dynamodb,
    eventbridge: local.endpoints.eventbridge,
    secretsmanager: local.endpoints.secretsmanager,
    library: library.baseUrl,
    ...(library.kind === 'sandbox' ? { sandboxAdmin: `${library.sandbox.origin}/__sandbox/` } : {}),
    region: local.endpoints.region,
  };
}

/** `endpoints.json`: where everything is, for scripts and the operator tool (`ops --local`); no credentials. */
async function writeEndpointsFile(
  stateDir: string,
  stage: string,
  endpoints: LocalEndpoints,
  resources: LocalResources,
) {
  const description = {
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
  await writeFile(join(stateDir, 'endpoints.json'), `${JSON.stringify(description, null, 2)}\n`);
}

async function scanTable(documents: DynamoDBDocumentClient, table: string): Promise<UploadRecord[]> {
  const items: UploadRecord[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await documents.send(
      new ScanCommand({ TableName: table, ConsistentRead: true, ExclusiveStartKey: start }),
    );
    items.push(...((page.Items ?? []) as UploadRecord[]));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

/** Starts everything; resolves once files can be dropped. A failure stops what had started, then throws. */
export async function startLocalPipeline(options: LocalPipelineOptions = {}): Promise<LocalPipeline> {
  const started = performance.now();
  const stage = getStageConfig(options.stage ?? 'dev');
  const stateDir = resolve(options.stateDir ?? '.local');
  const dropDir = options.dropDir === false ? undefined : resolve(options.dropDir ?? 'drop');
  const eventsFile = join(stateDir, 'events.jsonl');
  const functionLog = join(stateDir, 'logs', 'functions.jsonl');
  const notice: NoticeSink = (n) => options.onNotice?.(n);
  const cleanups = new Cleanups();

  // Every emulator keeps its state in memory, so last run's events describe objects that are gone.
  await mkdir(dirname(functionLog), { recursive: true });
  await Promise.all([rm(eventsFile, { force: true }), rm(functionLog, { force: true })]);

  try {
    const { local, library, definitions } = await startSlowParts(stage, options, eventsFile, cleanups);
    const clients = runnerClients(local.clientConfigs, cleanups);
    const preload = options.preloadDir;
    const resources = await createLocalResources(
      clients,
      stage,
      definitions.notificationFilters,
      preload === undefined
        ? undefined
        : async (bucket) => void (await preloadBucket(clients.s3, bucket, stage.uploads.prefix, resolve(preload))),
    );
    // Before the handlers load: their loggers must write into the capture from the first line.
    if ((options.functionLogs ?? 'file') === 'file') {
      const onError = (summary: string) => notice({ kind: 'function-error', summary });
      const logs = captureFunctionLogs({ file: functionLog, onError });
      cleanups.add(() => logs.restore());
    }
    const { runtimeConfig, handlers } = await loadFunctions(stage, options, { local, library, resources }, cleanups);

    // The tracker is needed to start the mappings, and asks them what runs: it finds them here once started.
    const ready: { mappings?: EventSourceMappings } = {};
    const tracker = new ProgressTracker(() => ready.mappings?.inFlight() ?? { ingest: 0, poll: 0, publish: 0 });
    const events = new EventLog();
    const onRecorded = (recorded: RecordedEvent): void => {
      const envelope = toEnvelope(recorded);
      events.add(envelope);
      tracker.event();
      options.onEvent?.(envelope);
    };
    local.eventBridge.on('event', onRecorded);
    cleanups.add(() => local.eventBridge.off('event', onRecorded));

    // `ops pause` (infra/ops/): the queue pollers stop receiving, as disabled event source mappings do.
    const pauseSwitch = watchPauseSwitch(clients.documents, resources.limitsTable, {
      onError: (error) => notice({ kind: 'poller-error', source: 'pause switch', error: errorLine(error) }),
    });
    cleanups.add(() => pauseSwitch.stop());
    const startingPosition = options.startingPosition ?? 'TRIM_HORIZON';
    const running = startEventSourceMappings({
      paused: pauseSwitch.paused,
      stage,
      resources,
      definitions,
      handlers,
      ...clients,
      startingPosition,
      tracker,
      notice,
    });
    ready.mappings = running;
    const graceMs = options.shutdownGraceMs ?? 5000;
    cleanups.add(() => running.stop(graceMs));

    await watchDropFolder(dropDir, options, { s3: clients.s3, resources, tracker, notice }, cleanups);
    const endpoints = endpointsOf(local, library);
    await writeEndpointsFile(stateDir, stage.stage, endpoints, resources);
    return pipelineHandle({
      stage,
      endpoints,
      resources,
      library,
      paths: { stateDir, dropDir, eventsFile, functionLog },
      startupMs: Math.round(performance.now() - started),
      runtimeConfig,
      s3: clients.s3,
      documents: clients.documents,
      events,
      tracker,
      mappings: running,
      cleanups,
    });
  } catch (error) {
    await cleanups.run();
    throw error;
  }
}

/** The `LocalPipeline` callers get, over the started parts. */
function pipelineHandle(parts: {
  stage: StageConfig;
  endpoints: LocalEndpoints;
  resources: LocalResources;
  library: LibraryTarget;
  paths: LocalPipeline['paths'];
  startupMs: number;
  runtimeConfig: RuntimeConfig;
  s3: S3Client;
  documents: DynamoDBDocumentClient;
  events: EventLog;
  tracker: ProgressTracker;
  mappings: EventSourceMappings;
  cleanups: Cleanups;
}): LocalPipeline {
  const { resources, library, paths, events, tracker } = parts;
  let stopping: Promise<void> | undefined;
  return {
    stage: parts.stage,
    endpoints: parts.endpoints,
    resources,
    library: { kind: library.kind, baseUrl: library.baseUrl },
    sandbox: library.kind === 'sandbox' ? library.sandbox : undefined,
    paths,
    startupMs: parts.startupMs,
    poll: { ...parts.runtimeConfig.poll },
    async dropFile(relativePath, content) {
      if (!paths.dropDir) throw new Error('This pipeline has no drop folder (dropDir: false)');
      const path = join(paths.dropDir, ...relativePath.split('/'));
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, content);
      return { path, key: keyForDroppedFile(resources.uploadPrefix, relativePath) };
    },
    async putObject(key, body) {
      const bytes = typeof body === 'string' ? Buffer.from(body) : body;
      await parts.s3.send(new PutObjectCommand({ Bucket: resources.bucket, Key: key, Body: bytes }));
    },
    events: () => events.all(),
    waitForEvents: (wait) => events.waitFor(wait),
    records: () => scanTable(parts.documents, resources.uploadsTable),
    progress: () => tracker.snapshot(),
    progressSource: tracker,
    stats: () => parts.mappings.stats(),
    stop() {
      stopping ??= parts.cleanups.run();
      return stopping;
    },
  };
}
