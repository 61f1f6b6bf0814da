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
import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { getStageConfig, librarySecretName, type StageConfig, type StageName } from '../../config/index.ts';
import type { RuntimeConfig } from '../../../shared/config/runtime-config.ts';
import { objectIdOf } from '../../../shared/record/object-id.ts';
import { isFinalStatus, type UploadRecord } from '../../../shared/record/upload-record.ts';
import { startLocalAws, type LocalAws, type LocalClientConfigs } from '../emulators/index.ts';
import { toEnvelope, type EventEnvelope, type RecordedEvent } from '../standins/eventbridge.ts';
import { Cleanups } from './cleanups.ts';
import { startDropWatcher, keyForDroppedFile, type DropWatcher, type DroppedFile } from './drop-watcher.ts';
import { EventLog, type WaitForEventsOptions } from './event-log.ts';
import { startEventSourceMappings, type EventSourceMappings } from './event-source-mappings.ts';
import type { SqsPollerStats } from './event-sources/sqs-poller.ts';
import type { StreamPollerStats } from './event-sources/stream-poller.ts';
import { applyEnvironment, functionEnvironment, localRuntimeConfig } from './function-environment.ts';
import { captureFunctionLogs } from './function-logs.ts';
import { importHandlers } from './handlers.ts';
import { acquireInstanceLocks } from './instance-lock.ts';
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
import { md5Of, recordedFileLookup, type RecordedFileLookup } from './recorded-files.ts';
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
  /**
   * Upload the files found in the drop folder at start that the records have not seen (default: when
   * state persists, i.e. with a real API; with the sandbox they are listed only).
   */
  uploadExisting?: boolean;
  /** A folder whose files are in the bucket before notifications are set (no notification: `ops backfill`). */
  preloadDir?: string;
  /** Stream starting position of the publish mapping (default TRIM_HORIZON, as the stack). */
  startingPosition?: 'TRIM_HORIZON' | 'LATEST';
  /** `file` (default): the functions' JSON log lines go to `<state>/logs/functions.jsonl`; `inherit`: stdout. */
  functionLogs?: 'file' | 'inherit';
  /**
   * Keep DynamoDB's tables and fauxqs' queues and objects under `<state>/data/` across restarts, so a
   * restart resumes in-flight files and never uploads one twice. Default: on with a real API (whose
   * library keeps its files), off with the sandbox (which starts empty each time, so old records would
   * point at library files that no longer exist).
   */
  persist?: boolean;
  /**
   * On stop, let publish read what the last invocations wrote before the stream mapping stops, so a
   * file that just became final still gets its event (about 2 s more). Default: when state persists
   * (a resumed run reads the stream from LATEST); `npm start` always does it.
   */
  drainOnStop?: boolean;
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
  /** Whether state persists under `<state>/data/`, and whether this start resumed an earlier run's. */
  persistence: { enabled: boolean; resumed: boolean; dataDir: string | undefined };
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
  /** Files not final yet (for the Ctrl-C message): records in flight and dropped files not yet recorded. */
  unfinished(): Promise<UnfinishedFile[]>;
  /** For a `ProgressDisplay`. */
  progressSource: ProgressSource;
  /** Stops everything it started; safe to call twice. */
  stop(): Promise<void>;
}

/** A file the pipeline has not finished with: its key, and its record's status (`queued`: no record yet). */
export interface UnfinishedFile {
  key: string;
  status: string;
  libraryFileId?: string;
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
  realApi: ReturnType<typeof chooseRealApi>,
  files: { eventsFile: string; dataDir: string | undefined },
  cleanups: Cleanups,
): Promise<{ local: LocalAws; library: LibraryTarget; definitions: StackDefinitions }> {
  const { eventsFile, dataDir } = files;
  const persisted = dataDir
    ? { dynamodb: { dbPath: join(dataDir, 'dynamodb') }, fauxqs: { dataDir: join(dataDir, 'fauxqs') } }
    : {};
  const [local, library, definitions] = await Promise.allSettled([
    startLocalAws({ eventBridge: { eventsFile }, ...persisted }),
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

/** What `watchDropFolder` needs from the started parts. */
interface DropFolderParts {
  s3: S3Client;
  resources: LocalResources;
  tracker: ProgressTracker;
  notice: NoticeSink;
  lookup: RecordedFileLookup;
  /** Upload the files at start that the records have not seen (default: only when state persists). */
  uploadExisting: boolean;
}

/** Says "unchanged" for a dropped copy of bytes an earlier drop already took to a final state. */
async function noticeUnchanged(file: DroppedFile, parts: DropFolderParts): Promise<void> {
  if (!file.eTag) return;
  const record = await parts.lookup(file.key, file.eTag);
  if (!record || !isFinalStatus(record.status)) return;
  if (Date.parse(record.createdAt) >= file.startedAt) return;
  parts.notice({ kind: 'unchanged', file, status: record.status, libraryFileId: record.libraryFileId });
}

/** Starts the watcher on the drop folder, if there is one; resolves once it watches. */
async function watchDropFolder(
  dropDir: string | undefined,
  parts: DropFolderParts,
  cleanups: Cleanups,
): Promise<DropWatcher | undefined> {
  if (!dropDir) return undefined;
  const { resources, tracker, notice, lookup } = parts;
  const pending: string[] = [];
  let recorded = 0;
  const watcher = startDropWatcher({
    dir: dropDir,
    s3: parts.s3,
    bucket: resources.bucket,
    prefix: resources.uploadPrefix,
    // Files already there: those with a record (these very bytes at this key) are done; the others
    // are listed, and uploaded when asked (or when state persists, so the records are complete).
    uploadExisting: async (file) => {
      if (await lookup(file.key, await md5Of(file.path))) {
        recorded++;
        return false;
      }
      pending.push(file.relativePath);
      return parts.uploadExisting;
    },
    onUploaded: (file) => {
      tracker.dropped();
      notice({ kind: 'dropped', file });
      noticeUnchanged(file, parts).catch((error: unknown) =>
        notice({ kind: 'drop-error', path: file.path, error: errorLine(error) }),
      );
    },
    onError: (error, path) => notice({ kind: 'drop-error', path, error: errorLine(error) }),
  });
  cleanups.add(() => watcher.stop());
  await watcher.ready;
  if (pending.length > 0 || recorded > 0) {
    notice({ kind: 'existing-files', pending, uploading: parts.uploadExisting, recorded });
  }
  return watcher;
}

/** Files the pipeline has not finished: records not yet final, and dropped files with no record yet. */
async function unfinishedFiles(
  documents: DynamoDBDocumentClient,
  resources: LocalResources,
  watcher: DropWatcher | undefined,
): Promise<UnfinishedFile[]> {
  const records = await scanTable(documents, resources.uploadsTable);
  const unfinished: UnfinishedFile[] = records
    .filter((r) => !isFinalStatus(r.status))
    .map((r) => ({ key: r.key, status: r.status, ...(r.libraryFileId ? { libraryFileId: r.libraryFileId } : {}) }));
  const known = new Set(records.map((r) => r.objectId));
  for (const file of watcher?.uploaded() ?? []) {
    const objectId = objectIdOf({ bucket: resources.bucket, key: file.key, eTag: file.eTag });
    if (!known.has(objectId)) unfinished.push({ key: file.key, status: 'queued' });
  }
  return unfinished;
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

/** Where persisted state goes, and whether an earlier run left some (DynamoDB Local's database file). */
function persistenceOf(stateDir: string, enabled: boolean): LocalPipeline['persistence'] {
  if (!enabled) return { enabled, resumed: false, dataDir: undefined };
  const dataDir = join(stateDir, 'data');
  return { enabled, resumed: existsSync(join(dataDir, 'dynamodb', 'shared-local-instance.db')), dataDir };
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
  // First, before any file in the state directory is touched: a second instance must not empty the
  // first one's events and logs, nor watch its drop folder.
  // Incomplete LIBRARY_* settings fail before anything starts or is locked.
  const realApi = chooseRealApi(options.library, options.env ?? process.env);
  const locks = acquireInstanceLocks(stateDir, dropDir);
  cleanups.add(() => locks.release());
  const persistence = persistenceOf(stateDir, options.persist ?? realApi !== undefined);

  try {
    await mkdir(dirname(functionLog), { recursive: true });
    // In memory, last run's events and logs describe objects that are gone; persisted, they still hold.
    if (!persistence.enabled) await Promise.all([rm(eventsFile, { force: true }), rm(functionLog, { force: true })]);
    const files = { eventsFile, dataDir: persistence.dataDir };
    const { local, library, definitions } = await startSlowParts(stage, options, realApi, files, cleanups);
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
    // A pipeline paused before a restart must not take work in the moment before the first read.
    await pauseSwitch.ready;
    // Resumed: the stream still holds the records of the earlier runs, whose events were published then.
    const startingPosition = options.startingPosition ?? (persistence.resumed ? 'LATEST' : 'TRIM_HORIZON');
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
      drainStreamOnStop: options.drainOnStop ?? persistence.enabled,
    });
    ready.mappings = running;
    const graceMs = options.shutdownGraceMs ?? 5000;
    cleanups.add(() => running.stop(graceMs));

    const lookup = recordedFileLookup(clients.documents, resources.uploadsTable, resources.bucket);
    const uploadExisting = options.uploadExisting ?? persistence.enabled;
    const dropParts = { s3: clients.s3, resources, tracker, notice, lookup, uploadExisting };
    const watcher = await watchDropFolder(dropDir, dropParts, cleanups);
    const endpoints = endpointsOf(local, library);
    await writeEndpointsFile(stateDir, stage.stage, endpoints, resources);
    const { s3, sqs, dynamodb, library: libraryUrl } = endpoints;
    locks.describe({ s3, sqs, dynamodb, library: libraryUrl });
    return pipelineHandle({
      stage,
      endpoints,
      resources,
      library,
      paths: { stateDir, dropDir, eventsFile, functionLog },
      persistence,
      startupMs: Math.round(performance.now() - started),
      runtimeConfig,
      s3: clients.s3,
      documents: clients.documents,
      events,
      tracker,
      mappings: running,
      unfinished: () => unfinishedFiles(clients.documents, resources, watcher),
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
  persistence: LocalPipeline['persistence'];
  startupMs: number;
  runtimeConfig: RuntimeConfig;
  s3: S3Client;
  documents: DynamoDBDocumentClient;
  events: EventLog;
  tracker: ProgressTracker;
  mappings: EventSourceMappings;
  unfinished: () => Promise<UnfinishedFile[]>;
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
    persistence: parts.persistence,
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
    unfinished: parts.unfinished,
    stop() {
      stopping ??= parts.cleanups.run();
      return stopping;
    },
  };
}
