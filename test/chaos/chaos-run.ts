/**
 * The fault run: every object version written under faults ends as one final record, one (distinct)
 * event per final state and, when accepted, one library file; nothing is lost, no file is uploaded twice,
 * and the library ends as the bucket implies. One exception is
 * reported apart, not hidden: an upload whose answer was lost and that the library cancelled (VirusFound)
 * before the pipeline's search could see it is posted again (see `cancelledReposts`).
 *
 * This process owns the emulators (DynamoDB Local, fauxqs, the EventBridge and Secrets Manager
 * stand-ins) and the library sandbox, all kept running for the whole run. The pipeline's workers (the
 * three handlers behind local mode's event sources) run in a child process (worker.ts) that is
 * SIGKILLed mid-run and started again against the same endpoints, as a crashed Lambda host would be
 * replaced. Meanwhile:
 *  - the sandbox answers 10 % of requests with 500/503, hangs 5 % past the client's time-out, resets 3 %
 *    of connections after it has handled the request (an upload is stored, the 202 is lost);
 *  - every few seconds the sandbox's per-second limit drops to 1 for two seconds (bursts of 403
 *    `over.qps` although the pipeline's limiter keeps to 4/s);
 *  - 10 % of the S3 notifications are delivered twice;
 *  - some keys are overwritten with new bytes, deleted, or renamed (copy + delete), half while uploads
 *    run and half once half the files are final, and one file is put into the library by someone else.
 * At the end the bucket's live keys are held against the library (sync-check.ts): each live key has one
 * live file, its latest version's; a deleted key has none; the foreign file is live; the Trash holds
 * only files the records name.
 *
 * What is shortened, and why (documented in docs/reliability.md): function time-outs (the stack's
 * visibility-timeout formula, 6 × timeout + window, then gives queues whose in-flight messages come back
 * in one to two minutes after a kill instead of twelve) and the library client's time-outs (a hang costs
 * seconds, not a minute); status checks use local mode's `--fast` schedule. Everything else (batch
 * sizes, concurrency, maxReceiveCount, retry policy, rate limits) is the dev stage's.
 */
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { randomBytes } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CopyObjectCommand, DeleteObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
  type Message,
} from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { dev, librarySecretName, type StageConfig } from '../../infra/config/index.ts';
import { signalGroup, spawnManaged, type ManagedProcess } from '../../infra/local/emulators/processes.ts';
import { startLocalAws, type LocalAws } from '../../infra/local/emulators/index.ts';
import { startSandboxProcess, type SandboxProcess } from '../../infra/local/runner/library-target.ts';
import { createLocalResources, type LocalResources } from '../../infra/local/runner/resources.ts';
import { loadStackDefinitions } from '../../infra/local/runner/stack-definitions.ts';
import { toEnvelope, type EventEnvelope } from '../../infra/local/standins/eventbridge.ts';
import { isFinalStatus, type UploadRecord } from '../../shared/record/upload-record.ts';
import { encodeS3Key } from '../../shared/s3/key-encoding.ts';
import { buildS3Notification, normalizeETag } from '../../shared/s3/notification.ts';
import { classifyCopies, extraCopies, type CopyGroup } from './copies.ts';
import { pngBytes } from '../support/sample-files.ts';
import { chaosFiles, chaosMutations, seededRandom, type ChaosFile, type ChaosMutation } from './files.ts';
import { checkSync, syncProblems, type BucketTruth, type SyncFindings } from './sync-check.ts';
import type { WorkerConfig } from './worker.ts';

export interface ChaosOptions {
  files: number;
  seed: number;
  /** SIGKILLs of the workers, spread over the run (each followed by a restart). */
  kills: number;
  /** Shares of final files at which the kills happen (default 30 % … 65 %, or 35 % for one kill). */
  killAtShares?: number[];
  /**
   * `progress` (default): kill at the shares above, whatever is in flight (uploads included: the
   * killed invocations' messages come back after the ingest queue's visibility timeout).
   * `after-ingest`: once every file is past ingest (submitted or final) while status checks and
   * publishing are in flight (the short run: the status queue's visibility timeout is far shorter).
   */
  killWhen?: 'progress' | 'after-ingest';
  /**
   * `drain` (default): the run ends when every file is final and announced AND the ingest and status
   * queues are empty (every copy, duplicate and message of a killed worker handled).
   * `final`: it ends when every file is final and announced; messages still queued are counted in
   * `leftInWorkQueues` (they can only be no-ops: a final record is never changed).
   */
  settle?: 'drain' | 'final';
  serverErrorRate?: number;
  hangRate?: number;
  resetAfterBodyRate?: number;
  duplicateRate?: number;
  /** Every this many ms the sandbox allows 1 request per second for `throttleBurstMs` (0 = never). */
  throttleEveryMs?: number;
  throttleBurstMs?: number;
  /** Ingest function time-out in the run (the ingest queue's visibility is 6 × this + 1 s). */
  ingestTimeoutSeconds?: number;
  pollTimeoutSeconds?: number;
  libraryTimeoutMs?: number;
  /** Give up waiting for the files after this long (the report then shows what is missing). */
  deadlineMs?: number;
  /** Where the run's files go (worker logs, events). Default: a temporary directory, removed unless `keepState`. */
  stateDir?: string;
  keepState?: boolean;
  /** Progress lines. */
  onProgress?: (line: string) => void;
}

export interface DeadLetter {
  queue: string;
  body: string;
  receiveCount: number;
  /** Why it is there: the retry copy's own reason, plus the last ERROR/WARN log line about its object. */
  reason: string;
}

export interface ChaosReport {
  options: Required<
    Omit<ChaosOptions, 'stateDir' | 'keepState' | 'onProgress' | 'killAtShares' | 'killWhen' | 'settle'>
  >;
  filesDropped: number;
  /** Objects written: the dropped files, then the overwrites' new versions and the renames' copies. */
  versionsWritten: number;
  /** Overwrites, deletions and renames made while or after the files were uploaded. */
  mutations: Record<ChaosMutation['kind'], number>;
  /** One event per record's final state, plus one per record later Replaced or Removed. */
  expectedEvents: number;
  /** Library files put in by someone else (through the API, not the pipeline), which must stay live. */
  foreignFileIds: string[];
  /** The bucket's live keys and deletions against the library's live files and Trash. */
  sync: SyncFindings;
  duplicateNotifications: number;
  finalRecords: number;
  recordsByStatus: Record<string, number>;
  /** Events by distinct `detail.eventId`. */
  distinctEvents: number;
  /** Every envelope the bus received (restarts publish again from the stream's start: same ids). */
  eventsReceived: number;
  /** Library files the pipeline's final records name (records not Rejected; a rename shares its file). */
  filesAccepted: number;
  /** Files the library holds. */
  libraryUploads: number;
  /** Extra library files in `secondCopies` (a file uploaded twice). */
  duplicateUploads: number;
  /** The sandbox's own count of uploads whose name and size matched a file it already held. */
  sandboxDuplicatesByNameAndSize: number;
  /** Each name held more than once with more than one usable copy: the copies and the ids records kept. */
  secondCopies: CopyGroup[];
  /**
   * Each name held more than once where the library cancelled every copy (VirusFound, Failed) and one
   * record names one of them: an upload whose answer was lost, that the library cancelled before the
   * search could see it (lists leave cancelled files out), posted again. Reported, not a second copy:
   * neither copy is a file in the library.
   */
  cancelledReposts: CopyGroup[];
  /** Records adopted after an interrupted upload (found in the library instead of re-posted). */
  adopted: number;
  /** Written versions (key and eTag) with no final record or no event for it, and no message left to finish them. */
  lost: string[];
  /** Written versions not finished when the run stopped (its deadline) while work was still queued. */
  unfinished: string[];
  /** Versions whose final status is not one the run expected (a superseded or deleted version may end Rejected). */
  unexpected: Array<{ key: string; expected: string; status: string; errorKey?: string }>;
  deadLetters: DeadLetter[];
  /** Messages still in the ingest and status queues at the end (0 with `settle: 'drain'`). */
  leftInWorkQueues: number;
  kills: Array<{ atMs: number; finalRecordsBefore: number }>;
  faults: { hang: number; resetBeforeBody: number; serverError: number; resetAfterBody: number };
  throttled: { second: number; day: number };
  apiRequests: number;
  /** Occurrences of the run's api key or token in worker logs, records, events and dead letters. */
  credentialLeaks: string[];
  workerStarts: number;
  runMs: number;
  stateDir: string;
}

const WORKER_ENTRY = fileURLToPath(new URL('./worker.ts', import.meta.url));
const tsxLoader = (): string => pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The dev stage with the run's shorter function time-outs (the queues' visibility follows from them). */
export function chaosStage(ingestTimeoutSeconds: number, pollTimeoutSeconds: number): StageConfig {
  return {
    ...dev,
    functions: {
      ...dev.functions,
      ingest: { ...dev.functions.ingest, timeoutSeconds: ingestTimeoutSeconds },
      poll: { ...dev.functions.poll, timeoutSeconds: pollTimeoutSeconds },
    },
  };
}

/** Distinctive credentials for the run, so a leak anywhere is found by a plain text search. */
function runCredentials(): { apiKey: string; accessToken: string } {
  return {
    apiKey: `chaosKey${randomBytes(9).toString('hex')}`,
    accessToken: `chaosToken${randomBytes(12).toString('hex')}`,
  };
}

async function sandboxAdmin(sandbox: SandboxProcess, path: string, body: unknown): Promise<void> {
  const response = await fetch(`${sandbox.origin}/__sandbox/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(5000),
  });
  if (!response.ok) throw new Error(`sandbox admin ${path}: HTTP ${response.status} ${await response.text()}`);
}

/**
 * A file put into the library by someone else, straight through the API (faults paused so that exactly
 * one copy is stored): the pipeline must never delete it.
 */
async function uploadForeignFile(
  sandbox: SandboxProcess,
  credentials: { apiKey: string; accessToken: string },
  faults: { serverErrorRate: number; hangRate: number; resetAfterBodyRate: number },
): Promise<string> {
  await sandboxAdmin(sandbox, 'faults', { serverErrorRate: 0, hangRate: 0, resetAfterBodyRate: 0 });
  const form = new FormData();
  const fields = { file_name: 'someone-else.png', folder_id: '-1', description: 'not ours', source: 'MyComputer' };
  for (const [name, value] of Object.entries({ ...fields, file_type: 'PNG' })) form.append(name, value);
  form.append('data', new Blob([pngBytes(32, 32, 300, 9)]), fields.file_name);
  const response = await fetch(`${sandbox.baseUrl}/library/files?api_key=${credentials.apiKey}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${credentials.accessToken}`, accept: 'application/json' },
    body: form,
    signal: AbortSignal.timeout(5000),
  });
  await response.arrayBuffer();
  await sandboxAdmin(sandbox, 'faults', faults);
  const location = response.headers.get('location') ?? '';
  if (response.status !== 202 || location === '') throw new Error(`foreign upload: HTTP ${response.status}`);
  return location.slice(location.lastIndexOf('/') + 1);
}

/** Every message still in a queue (each received once and left to reappear; the run is over). */
async function drainForReport(sqs: SQSClient, url: string): Promise<Message[]> {
  const seen = new Map<string, Message>();
  for (let round = 0; round < 20; round++) {
    const result = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: url,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 0,
        VisibilityTimeout: 30,
        MessageSystemAttributeNames: ['All'],
      }),
    );
    const messages = result.Messages ?? [];
    if (messages.length === 0) break;
    for (const m of messages) seen.set(m.MessageId ?? String(seen.size), m);
  }
  return [...seen.values()];
}

async function queueDepth(sqs: SQSClient, url: string): Promise<number> {
  const result = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: url,
      AttributeNames: [
        'ApproximateNumberOfMessages',
        'ApproximateNumberOfMessagesNotVisible',
        'ApproximateNumberOfMessagesDelayed',
      ],
    }),
  );
  const a = result.Attributes ?? {};
  return (
    Number(a['ApproximateNumberOfMessages'] ?? 0) +
    Number(a['ApproximateNumberOfMessagesNotVisible'] ?? 0) +
    Number(a['ApproximateNumberOfMessagesDelayed'] ?? 0)
  );
}

export async function runChaos(input: ChaosOptions): Promise<ChaosReport> {
  const options: ChaosReport['options'] = {
    files: input.files,
    seed: input.seed,
    kills: input.kills,
    serverErrorRate: input.serverErrorRate ?? 0.1,
    hangRate: input.hangRate ?? 0.05,
    resetAfterBodyRate: input.resetAfterBodyRate ?? 0.03,
    duplicateRate: input.duplicateRate ?? 0.1,
    throttleEveryMs: input.throttleEveryMs ?? 15_000,
    throttleBurstMs: input.throttleBurstMs ?? 2_000,
    ingestTimeoutSeconds: input.ingestTimeoutSeconds ?? 20,
    pollTimeoutSeconds: input.pollTimeoutSeconds ?? 10,
    libraryTimeoutMs: input.libraryTimeoutMs ?? 4_000,
    deadlineMs: input.deadlineMs ?? 30 * 60_000,
  };
  const progress = input.onProgress ?? (() => undefined);
  const started = performance.now();
  const elapsed = (): number => Math.round(performance.now() - started);
  const stateDir = input.stateDir ?? mkdtempSync(join(tmpdir(), 'chaos-'));
  mkdirSync(stateDir, { recursive: true });
  const workerLog = join(stateDir, 'worker-stdout.jsonl');
  const workerNotices = join(stateDir, 'worker-stderr.log');
  const eventsFile = join(stateDir, 'events.jsonl');
  writeFileSync(workerLog, '');
  writeFileSync(workerNotices, '');

  const stage = chaosStage(options.ingestTimeoutSeconds, options.pollTimeoutSeconds);
  const credentials = runCredentials();
  const cleanups: Array<() => Promise<unknown>> = [];
  const cleanup = async (): Promise<void> => {
    for (const step of cleanups.splice(0).reverse()) await step().catch(() => undefined);
  };

  let worker: ManagedProcess | undefined;
  let workerStarts = 0;
  try {
    const [local, sandbox, definitions] = await Promise.all([
      startLocalAws({ eventBridge: { eventsFile } }).then((l: LocalAws) => {
        cleanups.push(() => l.stop());
        return l;
      }),
      startSandboxProcess({
        perSecond: stage.library.requestsPerSecond,
        seed: options.seed,
        processingMs: 300,
        uploadedMs: 300,
        extraArgs: [
          '--server-error-rate',
          String(options.serverErrorRate),
          '--hang-rate',
          String(options.hangRate),
          '--reset-after-body-rate',
          String(options.resetAfterBodyRate),
        ],
      }).then((s) => {
        cleanups.push(() => s.stop());
        return s;
      }),
      loadStackDefinitions(stage),
    ]);
    await sandboxAdmin(sandbox, 'credentials', [credentials]);

    const configs = local.clientConfigs;
    const s3 = new S3Client({ ...configs.s3, credentials: { ...configs.s3.credentials } });
    const sqs = new SQSClient({ ...configs.sqs, credentials: { ...configs.sqs.credentials } });
    const dynamodb = new DynamoDBClient({ ...configs.dynamodb, credentials: { ...configs.dynamodb.credentials } });
    const documentClient = DynamoDBDocumentClient.from(dynamodb);
    cleanups.push(async () => [s3, sqs, dynamodb].forEach((c) => c.destroy()));

    const resources: LocalResources = await createLocalResources(
      { s3, sqs, dynamodb },
      stage,
      definitions.notificationFilters,
    );
    const secretId = librarySecretName(stage);
    local.secretsManager.setSecret(secretId, { ...credentials });

    const workerConfig: WorkerConfig = {
      stage,
      resources,
      runtimeResources: {
        librarySecretId: secretId,
        uploadsTableName: resources.uploadsTable,
        limitsTableName: resources.limitsTable,
        statusQueueUrl: resources.statusQueue.url,
        eventBusName: resources.eventBusName,
        libraryBaseUrl: sandbox.baseUrl,
      },
      endpoints: local.endpoints,
      fast: true,
      publishStreamFilters: definitions.publishStreamFilters,
      libraryTimeoutMs: options.libraryTimeoutMs,
    };

    const startWorker = async (): Promise<ManagedProcess> => {
      workerStarts++;
      let ready = false;
      const proc = spawnManaged({
        name: 'chaos-worker',
        command: process.execPath,
        args: ['--import', tsxLoader(), WORKER_ENTRY],
        env: { ...process.env, NODE_OPTIONS: '', CHAOS_WORKER_CONFIG: JSON.stringify(workerConfig) },
        onStdoutLine: (line) => appendFileSync(workerLog, `${line}\n`),
        // Powertools writes WARN and ERROR lines to stderr: they are function logs too.
        onStderrLine: (line) => {
          if (line.endsWith('] ready')) ready = true;
          appendFileSync(line.startsWith('{') ? workerLog : workerNotices, `${line}\n`);
        },
      });
      const deadline = Date.now() + 60_000;
      while (!ready) {
        if (proc.exitStatus()) throw new Error(`The chaos worker exited while starting:\n${proc.outputTail()}`);
        if (Date.now() > deadline) throw new Error(`The chaos worker did not start within 60 s:\n${proc.outputTail()}`);
        await sleep(50);
      }
      return proc;
    };
    cleanups.push(async () => {
      await worker?.stop({ graceMs: 3000 });
    });

    // Events as the bus receives them.
    const events: EventEnvelope[] = [];
    const finalIds = new Set<string>();
    local.eventBridge.on('event', (recorded) => {
      const envelope = toEnvelope(recorded);
      events.push(envelope);
      // Announced states, by record and status: a record Active then Replaced is announced twice.
      const detail = envelope.detail as { objectId?: string; status?: string };
      if (detail.objectId) finalIds.add(`${detail.objectId}:${detail.status ?? ''}`);
    });

    const foreignFileIds = [
      await uploadForeignFile(sandbox, credentials, {
        serverErrorRate: options.serverErrorRate,
        hangRate: options.hangRate,
        resetAfterBodyRate: options.resetAfterBodyRate,
      }),
    ];
    worker = await startWorker();
    progress(
      `[chaos] emulators, sandbox and workers up after ${elapsed()} ms; dropping ${options.files} files (seed ${options.seed})`,
    );

    // Throttle bursts: the sandbox allows 1 request per second for a moment, every so often.
    let throttling = true;
    const throttleLoop = (async () => {
      if (options.throttleEveryMs <= 0) return;
      while (throttling) {
        await sleep(options.throttleEveryMs);
        if (!throttling) break;
        await sandboxAdmin(sandbox, 'limits', { perSecond: 1 }).catch(() => undefined);
        await sleep(options.throttleBurstMs);
        await sandboxAdmin(sandbox, 'limits', { perSecond: stage.library.requestsPerSecond }).catch(() => undefined);
      }
    })();

    // Drop the files; 10 % of their notifications are delivered a second time.
    const files = chaosFiles(options.files, options.seed, resources.uploadPrefix);
    const random = seededRandom(options.seed ^ 0x5eed);
    let duplicateNotifications = 0;
    const queue = [...files];
    // What the bucket holds: every version written (key, eTag, expected outcome), the live keys' latest.
    const versions: Array<{ key: string; eTag: string; expected: string }> = [];
    const live = new Map<string, { eTag: string; expected: string }>();
    const gone = new Set<string>();
    const wrote = (key: string, eTag: string | undefined, expected: string): void => {
      const version = { key, eTag: normalizeETag(eTag ?? ''), expected };
      versions.push(version);
      live.set(key, version);
      gone.delete(key);
    };
    const put = async (file: ChaosFile): Promise<void> => {
      const result = await s3.send(new PutObjectCommand({ Bucket: resources.bucket, Key: file.key, Body: file.bytes }));
      wrote(file.key, result.ETag, file.expected);
      if (random() < options.duplicateRate) {
        duplicateNotifications++;
        const body = buildS3Notification([
          {
            bucket: resources.bucket,
            key: file.key,
            encodedKey: encodeS3Key(file.key),
            size: file.bytes.length,
            ...(result.ETag ? { eTag: normalizeETag(result.ETag) } : {}),
          },
        ]);
        await sqs.send(
          new SendMessageCommand({ QueueUrl: resources.ingestQueue.url, MessageBody: JSON.stringify(body) }),
        );
      }
    };
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        for (let file = queue.shift(); file; file = queue.shift()) await put(file);
      }),
    );
    progress(
      `[chaos] ${files.length} files dropped at ${elapsed()} ms (${duplicateNotifications} notifications sent twice)`,
    );

    // Overwrites, deletions and renames: half now (uploads in flight), half once half the files are final.
    const mutations = chaosMutations(files, options.seed, resources.uploadPrefix);
    const remove = async (key: string): Promise<void> => {
      await s3.send(new DeleteObjectCommand({ Bucket: resources.bucket, Key: key }));
      live.delete(key);
      gone.add(key);
    };
    const mutate = async (mutation: ChaosMutation): Promise<void> => {
      if (mutation.kind === 'overwrite') {
        const { key, bytes } = mutation;
        const result = await s3.send(new PutObjectCommand({ Bucket: resources.bucket, Key: key, Body: bytes }));
        wrote(key, result.ETag, 'Active');
      } else if (mutation.kind === 'delete') {
        await remove(mutation.key);
      } else {
        const result = await s3.send(
          new CopyObjectCommand({
            Bucket: resources.bucket,
            Key: mutation.toKey,
            CopySource: `${resources.bucket}/${mutation.key}`,
          }),
        );
        wrote(mutation.toKey, result.CopyObjectResult?.ETag, 'Active');
        await remove(mutation.key);
      }
    };
    const applyMutations = async (late: boolean): Promise<void> => {
      for (const mutation of mutations.filter((m) => m.late === late)) await mutate(mutation);
      progress(`[chaos] ${late ? 'late' : 'early'} overwrites, deletions and renames made at ${elapsed()} ms`);
    };
    await applyMutations(false);
    let lateApplied = false;
    const truth: BucketTruth = { live, gone };

    // Kills: when the share of finished files passes 30 %, 65 % (two kills) or 35 % (one kill).
    const killAt =
      input.killAtShares?.slice(0, options.kills) ??
      (options.kills === 1
        ? [0.35]
        : Array.from({ length: options.kills }, (_, i) => 0.3 + (0.35 * i) / Math.max(1, options.kills - 1)));
    const kills: ChaosReport['kills'] = [];
    const versionId = (key: string, eTag: string | undefined): string => `${key}\n${normalizeETag(eTag ?? '')}`;
    const scanRecords = async (): Promise<UploadRecord[]> => {
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
    };

    const deadline = Date.now() + options.deadlineMs;
    let lastLine = 0;
    let records: UploadRecord[] = [];
    for (;;) {
      records = await scanRecords();
      const finalKeys = new Set(records.filter((r) => isFinalStatus(r.status)).map((r) => r.key));
      const settled = new Set(
        records.filter((r) => finalIds.has(`${r.objectId}:${r.status}`)).map((r) => versionId(r.key, r.eTag)),
      );
      const done = versions.filter((v) => settled.has(versionId(v.key, v.eTag))).length;
      if (!lateApplied && finalKeys.size >= files.length / 2) {
        lateApplied = true;
        await applyMutations(true);
      }
      const nextKill = killAt[kills.length];
      const killNow =
        nextKill !== undefined &&
        (input.killWhen === 'after-ingest'
          ? // The dropped files claimed, every record past ingest and some still followed (the late
            // changes' versions, written at half the files final, may still be on their way).
            records.length >= files.length &&
            records.every((r) => r.libraryFileId !== undefined || isFinalStatus(r.status)) &&
            records.some((r) => !isFinalStatus(r.status))
          : finalKeys.size >= nextKill * files.length);
      if (killNow && worker) {
        kills.push({ atMs: elapsed(), finalRecordsBefore: finalKeys.size });
        progress(
          `[chaos] SIGKILL workers (pid ${worker.pid}) at ${elapsed()} ms with ${finalKeys.size}/${files.length} final`,
        );
        signalGroup(worker.pid, 'SIGKILL');
        await worker.exited;
        await sleep(1000);
        worker = await startWorker();
        progress(`[chaos] workers restarted (pid ${worker.pid}) at ${elapsed()} ms`);
      }
      // Once every version is settled, what still keeps the library from following the bucket.
      const unsynced =
        lateApplied && done === versions.length
          ? syncProblems(checkSync(truth, records, await sandbox.files(), foreignFileIds))
          : undefined;
      if (unsynced?.length === 0 && (kills.length >= killAt.length || input.killWhen === 'after-ingest')) {
        if (input.settle === 'final') break;
        const [ingestLeft, statusLeft] = await Promise.all([
          queueDepth(sqs, resources.ingestQueue.url),
          queueDepth(sqs, resources.statusQueue.url),
        ]);
        if (ingestLeft + statusLeft === 0) break;
      }
      if (Date.now() > deadline) {
        progress(`[chaos] deadline reached with ${done}/${versions.length} versions finished`);
        break;
      }
      if (elapsed() - lastLine > 10_000) {
        lastLine = elapsed();
        progress(
          `[chaos] ${elapsed()} ms: ${finalKeys.size} keys final, ${done}/${versions.length} versions settled, ${events.length} events${unsynced?.length ? `; not yet in sync: ${unsynced.join('; ')}` : ''}`,
        );
      }
      await sleep(1000);
    }
    throttling = false;
    await throttleLoop;
    // Let the stream catch up with the last final records before stopping the workers.
    await sleep(1500);
    await worker.stop({ graceMs: 5000 });
    worker = undefined;
    const runMs = elapsed();
    const leftInWorkQueues =
      (await queueDepth(sqs, resources.ingestQueue.url)) + (await queueDepth(sqs, resources.statusQueue.url));

    // What is left where.
    records = await scanRecords();
    const [counters, libraryFiles] = await Promise.all([sandbox.counters(), sandbox.files()]);
    const logText = readFileSync(workerLog, 'utf8');
    const logLines = logText.split('\n').filter((l) => l.startsWith('{'));
    const reasonFor = (objectKey: string | undefined, retryReason: string | undefined): string => {
      const lastProblem = objectKey
        ? logLines
            .filter((l) => l.includes(JSON.stringify(objectKey).slice(1, -1)) && /"level":"(ERROR|WARN)"/.test(l))
            .at(-1)
        : undefined;
      let logged = '';
      if (lastProblem) {
        const parsed = JSON.parse(lastProblem) as { message?: string; error?: { message?: string } };
        logged = `${parsed.message ?? ''}${parsed.error?.message ? `: ${parsed.error.message}` : ''}`;
      }
      return (
        [retryReason ? `retry copy (${retryReason})` : undefined, logged || undefined].filter(Boolean).join('; ') ||
        'no log line found'
      );
    };
    const deadLetters: DeadLetter[] = [];
    for (const [queue, url] of [
      ['ingest DLQ', resources.ingestQueue.deadLetter.url],
      ['status DLQ', resources.statusQueue.deadLetter.url],
      ['publish failures', resources.publishFailureQueue.url],
    ] as const) {
      for (const message of await drainForReport(sqs, url)) {
        const body = message.Body ?? '';
        let key: string | undefined;
        let retryReason: string | undefined;
        try {
          const parsed = JSON.parse(body) as {
            key?: string;
            reason?: string;
            object?: { key?: string };
            Records?: Array<{ s3?: { object?: { key?: string } } }>;
          };
          key =
            parsed.key ??
            parsed.object?.key ??
            (parsed.Records?.[0]?.s3?.object?.key
              ? decodeURIComponent(parsed.Records[0].s3.object.key.replace(/\+/g, ' '))
              : undefined);
          retryReason = parsed.reason;
        } catch {
          // left as unknown
        }
        deadLetters.push({
          queue,
          body: body.slice(0, 300),
          receiveCount: Number(message.Attributes?.ApproximateReceiveCount ?? 0),
          reason: reasonFor(key, retryReason),
        });
      }
    }

    const distinct = new Map<string, EventEnvelope>();
    for (const e of events) distinct.set((e.detail as { eventId: string }).eventId, e);
    const announced = new Set(
      [...distinct.values()].map((e) => {
        const detail = e.detail as { objectId: string; status: string };
        return `${detail.objectId}:${detail.status}`;
      }),
    );
    const finalByVersion = new Map(
      records.filter((r) => isFinalStatus(r.status)).map((r) => [versionId(r.key, r.eTag), r]),
    );
    const notDone = versions
      .filter((v) => {
        const r = finalByVersion.get(versionId(v.key, v.eTag));
        return r === undefined || !announced.has(`${r.objectId}:${r.status}`);
      })
      .map((v) => `${v.key} (${v.eTag})`);
    // Not done but still queued (the deadline came first) is not lost: its message is still working.
    const lost = leftInWorkQueues === 0 ? notDone : [];
    const unfinished = leftInWorkQueues === 0 ? [] : notDone;
    const recordsByStatus: Record<string, number> = {};
    for (const r of records) recordsByStatus[r.status] = (recordsByStatus[r.status] ?? 0) + 1;
    // A Replaced record's trashed file shares its name with the new version's: expected, not a second copy.
    const replacedFiles = new Set(records.filter((r) => r.status === 'Replaced').map((r) => r.libraryFileId));
    const ours = libraryFiles.filter((f) => !foreignFileIds.includes(f.id));
    const { secondCopies, cancelledReposts } = classifyCopies(
      ours.filter((f) => !(f.status === 'Deleted' && replacedFiles.has(f.id))),
      records.map((r) => r.libraryFileId).filter((id): id is string => id !== undefined),
    );
    const unexpected = versions
      .map((v) => ({ v, r: finalByVersion.get(versionId(v.key, v.eTag)), allowed: allowedOutcomes(v, live) }))
      .filter(({ r, allowed }) => r !== undefined && !allowed.includes(r.status))
      .map(({ v, r, allowed }) => ({
        key: v.key,
        expected: allowed.join('|'),
        status: r?.status ?? '',
        ...(r?.errorKey ? { errorKey: r.errorKey } : {}),
      }));
    const finalRecords = records.filter((r) => isFinalStatus(r.status));
    const sync = checkSync(truth, records, libraryFiles, foreignFileIds);

    // Credentials anywhere they must not be.
    const haystacks: Array<[string, string]> = [
      ['worker stdout (function logs)', logText],
      ['worker stderr', readFileSync(workerNotices, 'utf8')],
      ['uploads table', JSON.stringify(records)],
      ['events', JSON.stringify(events)],
      ['events.jsonl', existsSync(eventsFile) ? readFileSync(eventsFile, 'utf8') : ''],
      ['dead letters', JSON.stringify(deadLetters)],
    ];
    const credentialLeaks = haystacks.flatMap(([where, text]) =>
      [
        ['api key', credentials.apiKey],
        ['token', credentials.accessToken],
      ]
        .filter(([, secret]) => secret !== undefined && text.includes(secret))
        .map(([what]) => `${what} in ${where}`),
    );

    return {
      options,
      filesDropped: files.length,
      versionsWritten: versions.length,
      mutations: {
        overwrite: mutations.filter((m) => m.kind === 'overwrite').length,
        delete: mutations.filter((m) => m.kind === 'delete').length,
        rename: mutations.filter((m) => m.kind === 'rename').length,
      },
      expectedEvents:
        finalRecords.length + records.filter((r) => r.status === 'Replaced' || r.status === 'Removed').length,
      foreignFileIds,
      sync,
      duplicateNotifications,
      finalRecords: finalRecords.length,
      recordsByStatus,
      distinctEvents: distinct.size,
      eventsReceived: events.length,
      filesAccepted: new Set(finalRecords.filter((r) => r.status !== 'Rejected').map((r) => r.libraryFileId)).size,
      libraryUploads: ours.length,
      duplicateUploads: extraCopies(secondCopies),
      sandboxDuplicatesByNameAndSize:
        (counters as unknown as { duplicates?: { byNameAndSize?: number } }).duplicates?.byNameAndSize ?? 0,
      secondCopies,
      cancelledReposts,
      adopted: records.filter((r) => r.adopted === true).length,
      lost,
      unfinished,
      unexpected,
      deadLetters,
      leftInWorkQueues,
      kills,
      faults: counters.faults,
      throttled: counters.throttled,
      apiRequests: counters.totalRequests,
      credentialLeaks,
      workerStarts,
      runMs,
      stateDir,
    };
  } finally {
    await cleanup();
    if (!input.keepState && input.stateDir === undefined) rmSync(stateDir, { recursive: true, force: true });
  }
}

/**
 * The final states a written version may end in: a live key's latest version its file's outcome; a
 * version overwritten since, Replaced (or Rejected when it was gone before ingest read it); a version
 * of a deleted key, Removed (or Replaced, or Rejected).
 */
function allowedOutcomes(
  version: { key: string; eTag: string; expected: string },
  live: ReadonlyMap<string, { eTag: string }>,
): string[] {
  const current = live.get(version.key);
  if (current === undefined) return ['Removed', 'Replaced', 'Rejected'];
  return current.eTag === version.eTag ? [version.expected] : ['Replaced', 'Rejected'];
}

/** The report as text (printed by `npm run chaos`, quoted in docs/reliability.md). */
export function formatReport(report: ChaosReport): string {
  const o = report.options;
  const lines = [
    `Fault run: ${o.files} files, seed ${o.seed}, ${o.kills} SIGKILL(s); faults 5xx ${o.serverErrorRate * 100} %, hang ${o.hangRate * 100} %, reset after body ${o.resetAfterBodyRate * 100} %; notifications twice ${o.duplicateRate * 100} %; throttle bursts ${o.throttleBurstMs} ms every ${o.throttleEveryMs} ms`,
    `  files dropped          ${report.filesDropped}; then ${report.mutations.overwrite} overwritten, ${report.mutations.delete} deleted, ${report.mutations.rename} renamed (${report.versionsWritten} versions written)`,
    `  final records          ${report.finalRecords}  ${JSON.stringify(report.recordsByStatus)}`,
    `  distinct events        ${report.distinctEvents} of ${report.expectedEvents} expected  (${report.eventsReceived} received: restarts publish again from the stream's start, same event ids)`,
    `  files accepted         ${report.filesAccepted}`,
    `  uploads in the library ${report.libraryUploads} (besides ${report.foreignFileIds.length} put in by someone else)`,
    `  library follows bucket ${syncProblems(report.sync).join('; ') || 'yes: each live key one live file (its latest version), none for a deleted key, the foreign file live, nothing foreign in the Trash'}`,
    `  second copies          ${report.duplicateUploads} by name, ${report.sandboxDuplicatesByNameAndSize} by name+size (sandbox)${report.secondCopies.length > 0 ? `: ${JSON.stringify(report.secondCopies.slice(0, 5))}` : ''}`,
    `  cancelled, posted again ${extraCopies(report.cancelledReposts)}${report.cancelledReposts.length > 0 ? ` (lost answer, cancelled by the library before the search, not listed): ${JSON.stringify(report.cancelledReposts.slice(0, 5))}` : ''}`,
    `  adopted after a lost answer ${report.adopted}`,
    `  lost                   ${report.lost.length}${report.lost.length > 0 ? `: ${report.lost.slice(0, 10).join(', ')}` : ''}`,
    `  unfinished (queued)    ${report.unfinished.length}${report.unfinished.length > 0 ? `: ${report.unfinished.slice(0, 10).join(', ')}` : ''}`,
    `  unexpected outcomes    ${report.unexpected.length}${report.unexpected.length > 0 ? `: ${JSON.stringify(report.unexpected.slice(0, 5))}` : ''}`,
    `  duplicate notifications ${report.duplicateNotifications}`,
    `  dead letters           ${report.deadLetters.length}${report.deadLetters.map((d) => `\n    - ${d.queue} (received ${d.receiveCount}×): ${d.reason}`).join('')}`,
    `  left in work queues    ${report.leftInWorkQueues}${report.leftInWorkQueues > 0 ? ' (copies waiting for a lease or a visibility time-out; with unfinished files, their messages too)' : ''}`,
    `  kills                  ${report.kills.map((k) => `at ${Math.round(k.atMs / 100) / 10} s (${k.finalRecordsBefore} final)`).join(', ')}; worker starts ${report.workerStarts}`,
    `  sandbox faults         ${JSON.stringify(report.faults)}; throttled ${JSON.stringify(report.throttled)}; ${report.apiRequests} API requests`,
    `  credentials found      ${report.credentialLeaks.length === 0 ? 'none' : report.credentialLeaks.join(', ')}`,
    `  run time               ${Math.round(report.runMs / 100) / 10} s`,
  ];
  return lines.join('\n');
}

/** The run's verdict: the list of broken promises (empty = pass). */
export function verdict(report: ChaosReport): string[] {
  const problems: string[] = [];
  if (report.finalRecords !== report.versionsWritten)
    problems.push(`final records ${report.finalRecords} ≠ versions written ${report.versionsWritten}`);
  if (report.distinctEvents !== report.expectedEvents)
    problems.push(`distinct events ${report.distinctEvents} ≠ expected ${report.expectedEvents}`);
  problems.push(...syncProblems(report.sync));
  const reposted = extraCopies(report.cancelledReposts);
  if (report.libraryUploads - reposted !== report.filesAccepted) {
    problems.push(
      `library uploads ${report.libraryUploads}${reposted > 0 ? ` (${reposted} cancelled and posted again)` : ''} ≠ files accepted ${report.filesAccepted}`,
    );
  }
  if (report.duplicateUploads !== 0) problems.push('a file was uploaded twice');
  if (report.sandboxDuplicatesByNameAndSize !== reposted) {
    problems.push(
      `the sandbox counted ${report.sandboxDuplicatesByNameAndSize} uploads of a file it already held, ${reposted} explained by cancelled uploads`,
    );
  }
  if (report.lost.length !== 0) problems.push(`${report.lost.length} files lost`);
  if (report.unfinished.length !== 0)
    problems.push(`${report.unfinished.length} files not finished before the deadline (still queued)`);
  if (report.unexpected.length !== 0) problems.push(`${report.unexpected.length} unexpected outcomes`);
  if (report.deadLetters.length !== 0) problems.push(`${report.deadLetters.length} messages in dead-letter queues`);
  if (report.credentialLeaks.length !== 0) problems.push(`credentials found: ${report.credentialLeaks.join(', ')}`);
  if (report.kills.length !== report.options.kills)
    problems.push(`${report.kills.length} kills instead of ${report.options.kills}`);
  return problems;
}
