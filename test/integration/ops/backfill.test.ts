/**
 * `ops backfill --local` end to end: objects preloaded into the bucket before its notifications were
 * set (`npm start -- --preload`), so nothing but the backfill names them. DynamoDB Local, fauxqs, the
 * library sandbox and the three handlers are real; the key's limits are the dev stage's (4/s).
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { HeadObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalPipeline, type LocalPipeline } from '../../../infra/local/runner/local-pipeline.ts';
import { backfillCommand } from '../../../infra/ops/commands/backfill.ts';
import { checkpointKey, checkpointStore, type BackfillCounts } from '../../../infra/ops/backfill/checkpoint.ts';
import { BENCHMARK_REQUESTS_PER_FILE } from '../../../infra/ops/backfill/estimate.ts';
import type { ProgressReporter } from '../../../infra/ops/backfill/progress.ts';
import type { BackfillOptions } from '../../../infra/ops/backfill/run-backfill.ts';
import { queueFacts } from '../../../infra/ops/queues.ts';
import { localTarget } from '../../../infra/ops/target/local.ts';
import type { OpsTarget } from '../../../infra/ops/target/types.ts';
import { normalizeETag } from '../../../shared/s3/notification.ts';
import { isFinalStatus } from '../../../shared/record/upload-record.ts';
import { pngBytes } from '../../e2e/fixtures.ts';
import { s3Notification } from '../../support/factories.ts';
import { waitFor } from '../../support/wait.ts';

const SMALL = 200;
const LARGE = 600;
const SMALL_DIR = 'Backfill200';
const LARGE_DIR = 'Large';

let pipeline: LocalPipeline;
let target: OpsTarget;
let workDir: string;
let prefix: string;

const smallKeys = (): string[] =>
  Array.from({ length: SMALL }, (_, i) => `${prefix}${SMALL_DIR}/part-${i % 4}/b-${String(i).padStart(3, '0')}.png`);

async function preloadFolder(root: string): Promise<void> {
  for (let i = 0; i < SMALL; i++) {
    const dir = join(root, SMALL_DIR, `part-${i % 4}`);
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, `b-${String(i).padStart(3, '0')}.png`), pngBytes(32, 32, 64, i % 251));
  }
  // Types the library never takes: listed and counted, never enqueued.
  for (let i = 0; i < 5; i++) await writeFile(join(root, SMALL_DIR, `notes-${i}.txt`), 'not for the library');
  await mkdir(join(root, LARGE_DIR), { recursive: true });
  for (let i = 0; i < LARGE; i++) {
    await writeFile(join(root, LARGE_DIR, `l-${String(i).padStart(4, '0')}.png`), pngBytes(16, 16, 32, i % 251));
  }
}

/** No bar, no lines; `onUpdate` sees the counts as they grow. */
function quietProgress(onUpdate: (counts: BackfillCounts) => void = () => undefined): ProgressReporter {
  return { start: () => undefined, update: onUpdate, stop: () => undefined };
}

const options = (overrides: Partial<BackfillOptions> = {}): BackfillOptions => ({
  prefix: `${prefix}${SMALL_DIR}/`,
  pacing: { window: 20, pollMs: 200 },
  reserveShare: 0.25,
  ...overrides,
});

const backfill = (o: BackfillOptions, signal?: AbortSignal, onUpdate?: (c: BackfillCounts) => void) =>
  backfillCommand(target, o, {
    progress: quietProgress(onUpdate),
    say: () => undefined,
    ...(signal ? { signal } : {}),
  });

type Detail = { object: { key: string }; eventId: string; status: string; libraryFileId?: string };
const detailsUnder = (keyPrefix: string): Detail[] =>
  pipeline
    .events()
    .map((e) => e.detail as Detail)
    .filter((d) => d.object.key.startsWith(keyPrefix));

async function sandboxFiles(): Promise<Array<{ id: string; name: string }>> {
  const response = await fetch(`${pipeline.sandbox?.origin as string}/__sandbox/files`);
  return (await response.json()) as Array<{ id: string; name: string }>;
}

/** What S3 itself would send for `key`: its notification, delivered late (after the backfill saw it). */
async function notifyLate(key: string): Promise<void> {
  const bucket = pipeline.resources.bucket;
  const head = await target.clients.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
  const body = s3Notification([{ bucket, key, eTag: normalizeETag(head.ETag ?? ''), size: head.ContentLength ?? 0 }]);
  await target.clients.sqs.send(
    new SendMessageCommand({ QueueUrl: target.resources.queues.ingest.url, MessageBody: JSON.stringify(body) }),
  );
}

/**
 * An S3 Inventory report (CSV, as S3 writes it: gzip'd data files, URL-encoded keys, quoted fields) of
 * what the bucket holds under `keyPrefix`, split over two data files, under `inventory/` (outside the
 * upload prefix). Returns the manifest's s3:// URL.
 */
async function writeInventory(keyPrefix: string, name: string): Promise<string> {
  const bucket = pipeline.resources.bucket;
  const listed = await target.clients.s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: keyPrefix }));
  const rows = (listed.Contents ?? []).map((o) =>
    [bucket, encodeURIComponent(o.Key ?? ''), String(o.Size ?? 0), o.LastModified?.toISOString() ?? '', o.ETag ?? '']
      .map((field) => `"${field.replace(/"/g, '""')}"`)
      .join(','),
  );
  const half = Math.ceil(rows.length / 2);
  const files = [rows.slice(0, half), rows.slice(half)].map((part, i) => ({
    key: `inventory/${name}/data/${i}.csv.gz`,
    body: gzipSync(`${part.join('\n')}\n`),
  }));
  for (const file of files) {
    await target.clients.s3.send(new PutObjectCommand({ Bucket: bucket, Key: file.key, Body: file.body }));
  }
  const manifest = {
    sourceBucket: bucket,
    destinationBucket: `arn:aws:s3:::${bucket}`,
    fileFormat: 'CSV',
    fileSchema: 'Bucket, Key, Size, LastModifiedDate, ETag',
    files: files.map((f) => ({ key: f.key, size: f.body.length })),
  };
  const manifestKey = `inventory/${name}/manifest.json`;
  await target.clients.s3.send(
    new PutObjectCommand({ Bucket: bucket, Key: manifestKey, Body: JSON.stringify(manifest) }),
  );
  return `s3://${bucket}/${manifestKey}`;
}

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'ops-backfill-'));
  const preload = join(workDir, 'preload');
  await preloadFolder(preload);
  pipeline = await startLocalPipeline({
    fast: true,
    stateDir: join(workDir, 'state'),
    dropDir: join(workDir, 'drop'),
    preloadDir: preload,
    library: 'sandbox',
    shutdownGraceMs: 3000,
  });
  target = await localTarget(join(workDir, 'state'));
  prefix = pipeline.resources.uploadPrefix;
}, 120_000);

afterAll(async () => {
  target?.close();
  await pipeline?.stop();
  await rm(workDir, { recursive: true, force: true });
});

describe('ops backfill --local', () => {
  it('preloaded objects produced no notification: nothing happens until a backfill', async () => {
    // Arrange
    await new Promise((resolve) => setTimeout(resolve, 1500));
    // Act
    const records = await pipeline.records();
    // Assess
    expect(records).toHaveLength(0);
    expect(pipeline.events()).toHaveLength(0);
  });

  it('--dry-run counts and estimates, and changes nothing at all', async () => {
    // Arrange
    const store = checkpointStore(
      target.clients.dynamodb,
      target.resources.limitsTable,
      checkpointKey(target.resources.bucket, `${prefix}${SMALL_DIR}/`, undefined),
    );
    // Act
    const dry = await backfill(options({ dryRun: true }));
    const whole = await backfill(options({ dryRun: true, prefix: '' }));
    // Assess
    expect(dry.exitCode).toBe(0);
    expect(dry.data.counts).toMatchObject({ listed: SMALL + 5, alreadyDone: 0, enqueued: SMALL });
    expect(dry.data.counts.skipped['unsupported-type']).toBe(5);
    expect(dry.data.estimate).toMatchObject({ files: SMALL, dailyLimit: target.stage.library.requestsPerDay });
    expect(dry.data.estimate.requests).toBeGreaterThanOrEqual(SMALL);
    expect(dry.text).toContain('DRY RUN');
    expect(whole.data.counts.listed).toBe(SMALL + 5 + LARGE);
    expect(await store.read()).toBeUndefined();
    expect((await queueFacts(target.clients.sqs, target.resources.queues.ingest)).visible).toBe(0);
    expect(await pipeline.records()).toHaveLength(0);
  });

  it('200 objects, interrupted then resumed, some also notified, some backfilled twice at once: 200 uploads, 200 events, no second copy', async () => {
    // Arrange
    const keys = smallKeys();
    const controller = new AbortController();
    // Act: the first run is stopped (Ctrl-C) once 60 are on the queue.
    const first = await backfill(options(), controller.signal, (c) => c.enqueued >= 60 && controller.abort());
    // S3's own notifications arrive late for 30 objects, some already backfilled, some not yet.
    await Promise.all(keys.filter((_, i) => i % 7 === 0).map(notifyLate));
    // Two operators resume the same backfill at once.
    const [second, third] = await Promise.all([backfill(options()), backfill(options())]);
    // And someone runs it once more, after it finished.
    const fourth = await backfill(options());
    await pipeline.waitForEvents({ keys, timeoutMs: 240_000 });
    await new Promise((resolve) => setTimeout(resolve, 3000)); // room for any second event to show
    // Assess
    expect(first.data.stop).toBe('interrupted');
    expect(first.data.enqueuedThisRun).toBeGreaterThanOrEqual(60);
    expect(first.data.enqueuedThisRun).toBeLessThan(SMALL);
    expect(second.data.resumedAfter ?? third.data.resumedAfter).toBeDefined();
    expect([second.data.stop, third.data.stop, fourth.data.stop]).toEqual(['finished', 'finished', 'finished']);
    expect(Math.min(second.data.counts.listed, third.data.counts.listed)).toBe(SMALL + 5);
    const records = (await pipeline.records()).filter((r) => r.key.startsWith(`${prefix}${SMALL_DIR}/`));
    expect(records).toHaveLength(SMALL);
    expect(records.every((r) => isFinalStatus(r.status) && r.status === 'Active')).toBe(true);
    const details = detailsUnder(`${prefix}${SMALL_DIR}/`);
    expect(details).toHaveLength(SMALL);
    expect(new Set(details.map((d) => d.eventId)).size).toBe(SMALL);
    expect(new Set(details.map((d) => d.object.key))).toEqual(new Set(keys));
    const names = (await sandboxFiles()).map((f) => f.name).filter((n) => n.startsWith('b-'));
    expect(names).toHaveLength(SMALL);
    expect(new Set(names).size).toBe(SMALL);
  }, 300_000);

  it('a live drop during a large backfill reaches its final event without waiting for the backfill', async () => {
    // Arrange
    const controller = new AbortController();
    const large = backfill(options({ prefix: `${prefix}${LARGE_DIR}/` }), controller.signal);
    await waitFor(async () => (await pipeline.records()).filter((r) => r.key.includes(`/${LARGE_DIR}/`)).length >= 20, {
      timeoutMs: 60_000,
      what: 'the large backfill to be under way',
    });
    // Act
    const droppedAt = Date.now();
    const { key } = await pipeline.dropFile('live/now.png', pngBytes(40, 40));
    await pipeline.waitForEvents({ keys: [key], timeoutMs: 60_000 });
    const liveMs = Date.now() - droppedAt;
    const largeFinalWhenLive = detailsUnder(`${prefix}${LARGE_DIR}/`).length;
    const depthWhenLive = (await queueFacts(target.clients.sqs, target.resources.queues.ingest)).visible;
    controller.abort();
    const result = await large;
    // Assess: the live file waited behind at most the window, not behind the backfill's hundreds: it is
    // final before the key could have uploaded a quarter of the backfill (load-independent: the key's time).
    const { requestsPerSecond } = target.stage.library;
    const quarterOfBackfillMs = ((LARGE / 4) * BENCHMARK_REQUESTS_PER_FILE * 1000) / requestsPerSecond;
    const seen = `live ${liveMs} ms, ${largeFinalWhenLive} backfilled files final, queue depth ${depthWhenLive}`;
    expect(largeFinalWhenLive, seen).toBeLessThan(LARGE / 2);
    expect(depthWhenLive, seen).toBeLessThanOrEqual(20 + 1);
    expect(liveMs, seen).toBeLessThan(quarterOfBackfillMs);
    expect(result.data.stop).toBe('interrupted');
    expect(result.data.counts.enqueued).toBeLessThan(LARGE);
  }, 180_000);

  it('reads an S3 Inventory report instead of listing: recorded versions found done, the rest enqueued and resumed by position', async () => {
    // Arrange
    const small = await writeInventory(`${prefix}${SMALL_DIR}/`, 'small');
    const large = await writeInventory(`${prefix}${LARGE_DIR}/`, 'large');
    // Act
    const dry = await backfill(options({ inventory: small, dryRun: true }));
    const first = await backfill(options({ inventory: large, prefix: `${prefix}${LARGE_DIR}/`, max: 10 }));
    const second = await backfill(options({ inventory: large, prefix: `${prefix}${LARGE_DIR}/`, max: 10 }));
    // Assess: every object of the small report was uploaded by the backfills above.
    expect(dry.data.inventory).toBe(small);
    expect(dry.data.counts).toMatchObject({ listed: SMALL + 5, alreadyDone: SMALL, enqueued: 0 });
    expect(first.data).toMatchObject({ stop: 'max', enqueuedThisRun: 10 });
    expect(second.data).toMatchObject({ stop: 'max', enqueuedThisRun: 10 });
    expect(second.data.resumedAfter).toBe(first.data.lastKey);
    expect(second.data.counts.enqueued).toBe(first.data.counts.enqueued + 10);
    expect(second.data.counts.listed).toBeGreaterThan(first.data.counts.listed);
  }, 120_000);
});
