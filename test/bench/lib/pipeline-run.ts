/**
 * One run of the whole local pipeline (startLocalPipeline: emulators, the dev stage's resources, the
 * three handlers invoked in this process by the emulated SQS and stream event sources) against a library
 * sandbox started HERE, in this process, so the benchmark can give it a processing time per file and read
 * its counters directly (the runner accepts any API base URL and credentials).
 *
 * What the benchmark changes, and nothing else:
 * - the sandbox's per-second limit and the pipeline's REQUESTS_PER_SECOND, both set to `perSecond`
 *   (scaled up from the key's 4/s to keep runs short; the figures say so);
 * - the functions' log level (INFO, as staging and prod, instead of dev's DEBUG).
 * The poll schedule, batch sizes and windows, concurrency and memory are the dev stage's.
 *
 * It measures: the sandbox's counters; every AWS SDK call (lib/sdk-counters.ts); each function's busy
 * time (the event sources' in-flight invocations, sampled every 10 ms and integrated) and invocations
 * (counted where the handler wrapper attaches the Lambda context to the logger); for each upload the
 * time the sandbox accepted it and its processing time; for each event the time the EventBridge
 * stand-in received it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import {
  startSandbox,
  type Sandbox,
  type SandboxCounters,
  type ProcessingSubject,
} from '../../../infra/local/sandbox/index.ts';
import { startLocalPipeline, type LocalPipeline } from '../../../infra/local/runner/local-pipeline.ts';
import { loadRuntimeConfig } from '../../../shared/config/runtime-config.ts';
import { logger } from '../../../shared/observability/index.ts';
import { buildPipelineRuntime, setPipelineRuntime } from '../../../shared/runtime/index.ts';
import type { UploadRecord } from '../../../shared/record/upload-record.ts';
import { installSdkCounter, type SdkCounts } from './sdk-counters.ts';

export type FunctionName = 'ingest' | 'poll' | 'publish';

export interface PipelineRunOptions {
  label: string;
  files: number;
  /** Sandbox limit and pipeline REQUESTS_PER_SECOND. */
  perSecond: number;
  /** Time in `Processing` per file (the sandbox then goes `Uploaded` for `uploadedMs`, then `Active`). */
  processingMs: number | ((file: ProcessingSubject) => number);
  uploadedMs: number;
  timeoutMs: number;
  log: (line: string) => void;
  /** Put one object every this many ms (a trickle) instead of all at once. */
  dropEveryMs?: number;
  /** Bytes of padding after the PNG header of file `i` (default 2,048). */
  paddingOf?: (i: number) => number;
  /** A link in front of the sandbox: upload bodies paced to this rate, and a delay before each answer. */
  link?: { uploadBytesPerSecond: number; latencyMs: number };
}

export interface UploadTiming {
  fileId: string;
  /** Date.now() when the sandbox accepted the upload. */
  acceptedAt: number;
  /** Until final: processing + uploaded. */
  finalAfterMs: number;
}

export interface EventTiming {
  receivedAt: number;
  detailType: string;
  libraryFileId: string | undefined;
  key: string | undefined;
}

export interface PipelineRunResult {
  label: string;
  files: number;
  perSecond: number;
  /** Date.now() when the first object was put. */
  dropStartedAt: number;
  dropFinishedAt: number;
  /** Date.now() when the last event arrived. */
  finishedAt: number;
  sandbox: SandboxCounters;
  sdk: SdkCounts;
  busyMs: Record<FunctionName, number>;
  invocations: Record<FunctionName, number>;
  maxInFlight: Record<FunctionName, number>;
  uploads: UploadTiming[];
  events: EventTiming[];
  records: UploadRecord[];
  poll: LocalPipeline['poll'];
  stage: LocalPipeline['stage'];
  startupMs: number;
}

/** A valid PNG header (signature + IHDR) and padding: passes every check ingest makes. */
export function pngBytes(seed: number, padding = 2048): Buffer {
  const header = Buffer.alloc(24);
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(header, 0);
  header.writeUInt32BE(13, 8);
  header.write('IHDR', 12, 'latin1');
  header.writeUInt32BE(64 + (seed % 512), 16);
  header.writeUInt32BE(48, 20);
  return Buffer.concat([header, Buffer.alloc(padding, seed & 0xff)]);
}

export async function runPipeline(options: PipelineRunOptions): Promise<PipelineRunResult> {
  const { log } = options;
  const uploads = new Map<string, UploadTiming>();
  const processing = (file: ProcessingSubject): number => {
    const ms = typeof options.processingMs === 'number' ? options.processingMs : options.processingMs(file);
    uploads.set(file.id, { fileId: file.id, acceptedAt: Date.now(), finalAfterMs: ms + options.uploadedMs });
    return ms;
  };
  const sandbox: Sandbox = await startSandbox({
    keepBytes: false,
    limits: { perSecond: options.perSecond, perDay: 10_000 },
    processing: { processingMs: processing, uploadedMs: options.uploadedMs },
    ...(options.link ? { faults: { ...options.link } } : {}),
  });
  const stateDir = mkdtempSync(join(tmpdir(), `bench-${options.label}-`));
  const counter = installSdkCounter();
  const events: EventTiming[] = [];
  const invocations: Record<FunctionName, number> = { ingest: 0, poll: 0, publish: 0 };
  const originalAddContext = logger.addContext.bind(logger);
  let pipeline: LocalPipeline | undefined;
  let sampler: NodeJS.Timeout | undefined;
  try {
    pipeline = await startLocalPipeline({
      stage: 'dev',
      stateDir,
      dropDir: false,
      library: {
        baseUrl: sandbox.baseUrl,
        apiKey: sandbox.credentials.apiKey,
        accessToken: sandbox.credentials.accessToken,
      },
      functionLogs: 'file',
      onEvent: (event) => {
        const detail = event.detail as { libraryFileId?: string; object?: { key?: string } };
        events.push({
          receivedAt: Date.now(),
          detailType: event['detail-type'],
          libraryFileId: detail.libraryFileId,
          key: detail.object?.key,
        });
      },
    });
    const running = pipeline;
    log(`  [${options.label}] local pipeline up in ${running.startupMs} ms`);
    // The pipeline's share of the (scaled) key: the functions read REQUESTS_PER_SECOND when their runtime
    // is built; build it now with the new value (before the first file), exactly as the handlers would.
    process.env.REQUESTS_PER_SECOND = String(options.perSecond);
    setPipelineRuntime(buildPipelineRuntime(loadRuntimeConfig(process.env)));
    logger.setLogLevel('INFO');
    const names: Record<string, FunctionName> = {
      [running.resources.names.functions.ingest]: 'ingest',
      [running.resources.names.functions.poll]: 'poll',
      [running.resources.names.functions.publish]: 'publish',
    };
    logger.addContext = (context) => {
      const name = names[context.functionName];
      if (name !== undefined) invocations[name] += 1;
      originalAddContext(context);
    };

    const configs = {
      endpoint: running.endpoints.s3,
      region: running.endpoints.region,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    };
    const s3 = new S3Client({ ...configs, forcePathStyle: true });
    const dynamodb = new DynamoDBClient({
      endpoint: running.endpoints.dynamodb,
      region: running.endpoints.region,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const documents = DynamoDBDocumentClient.from(dynamodb);
    for (const client of [s3, dynamodb, documents]) counter.exclude(client);

    // Wait for the S3 test event (sent when the notification configuration is set) to be consumed, then
    // start counting from zero: only the files' traffic is measured.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    counter.reset();
    sandbox.reset();
    uploads.clear();
    invocations.ingest = invocations.poll = invocations.publish = 0;

    const busyMs: Record<FunctionName, number> = { ingest: 0, poll: 0, publish: 0 };
    const maxInFlight: Record<FunctionName, number> = { ingest: 0, poll: 0, publish: 0 };
    let lastSample = performance.now();
    sampler = setInterval(() => {
      const now = performance.now();
      const inFlight = running.progress().inFlight;
      for (const name of ['ingest', 'poll', 'publish'] as const) {
        busyMs[name] += inFlight[name] * (now - lastSample);
        maxInFlight[name] = Math.max(maxInFlight[name], inFlight[name]);
      }
      lastSample = now;
    }, 10);

    const prefix = running.resources.uploadPrefix;
    const dropStartedAt = Date.now();
    const keys: string[] = [];
    const queue = Array.from({ length: options.files }, (_, i) => i);
    const trickle = options.dropEveryMs;
    await Promise.all(
      Array.from({ length: trickle === undefined ? 16 : 1 }, async () => {
        for (let i = queue.shift(); i !== undefined; i = queue.shift()) {
          if (trickle !== undefined && i > 0) await new Promise((resolve) => setTimeout(resolve, trickle));
          const key = `${prefix}bench-${options.label}-${String(i).padStart(5, '0')}.png`;
          keys.push(key);
          await s3.send(
            new PutObjectCommand({
              Bucket: running.resources.bucket,
              Key: key,
              Body: pngBytes(i, options.paddingOf?.(i)),
              ContentType: 'image/png',
            }),
          );
        }
      }),
    );
    const dropFinishedAt = Date.now();
    log(
      `  [${options.label}] ${options.files} objects put in ${dropFinishedAt - dropStartedAt} ms; waiting for ${options.files} events`,
    );
    const progress = setInterval(() => {
      const p = running.progress();
      log(
        `  [${options.label}] ${events.length}/${options.files} events, ${uploads.size} uploads accepted, ${sandbox.counters().totalRequests} API requests, in flight ${JSON.stringify(p.inFlight)}`,
      );
    }, 15_000);
    try {
      await running.waitForEvents({ count: options.files, timeoutMs: options.timeoutMs });
    } finally {
      clearInterval(progress);
    }
    const finishedAt = Date.now();
    clearInterval(sampler);
    sampler = undefined;
    const sdk = counter.counts();
    const sandboxCounters = sandbox.counters();
    const records: UploadRecord[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await documents.send(
        new ScanCommand({ TableName: running.resources.uploadsTable, ConsistentRead: true, ExclusiveStartKey: start }),
      );
      records.push(...((page.Items ?? []) as UploadRecord[]));
      start = page.LastEvaluatedKey;
    } while (start);
    s3.destroy();
    dynamodb.destroy();
    return {
      label: options.label,
      files: options.files,
      perSecond: options.perSecond,
      dropStartedAt,
      dropFinishedAt,
      finishedAt,
      sandbox: sandboxCounters,
      sdk,
      busyMs,
      invocations: { ...invocations },
      maxInFlight,
      uploads: [...uploads.values()],
      events: events.filter((e) => e.receivedAt >= dropStartedAt),
      records: records.filter((r) => keys.includes(r.key)),
      poll: running.poll,
      stage: running.stage,
      startupMs: running.startupMs,
    };
  } finally {
    if (sampler) clearInterval(sampler);
    logger.addContext = originalAddContext;
    counter.uninstall();
    await pipeline?.stop();
    setPipelineRuntime(undefined);
    await sandbox.close();
    rmSync(stateDir, { recursive: true, force: true });
  }
}

/** Requests the sandbox answered for an operation (any outcome). */
export function requestsOf(counters: SandboxCounters, operation: keyof SandboxCounters['requests']): number {
  return Object.values(counters.requests[operation] ?? {}).reduce((a, b) => a + b, 0);
}
