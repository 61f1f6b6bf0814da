/**
 * The operator tool end to end against a running local pipeline (DynamoDB Local, fauxqs, the library
 * sandbox, the three handlers): every command through `--local`, as the person on call would use it,
 * in-process through the command functions and, for `status`, as a real `npm run ops` child process.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  DescribeStreamCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record as StreamRecord,
} from '@aws-sdk/client-dynamodb-streams';
import { ReceiveMessageCommand, SendMessageCommand, DeleteMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalPipeline, type LocalPipeline } from '../../../infra/local/runner/local-pipeline.ts';
import { listCommand } from '../../../infra/ops/commands/list.ts';
import { setPaused } from '../../../infra/ops/commands/pause.ts';
import { quotaCommand } from '../../../infra/ops/commands/quota.ts';
import { redriveCommand } from '../../../infra/ops/commands/redrive.ts';
import { replayCommand } from '../../../infra/ops/commands/replay.ts';
import { retryCommand } from '../../../infra/ops/commands/retry.ts';
import { statusCommand } from '../../../infra/ops/commands/status.ts';
import { queueFacts } from '../../../infra/ops/queues.ts';
import { localTarget } from '../../../infra/ops/target/local.ts';
import type { OpsTarget } from '../../../infra/ops/target/types.ts';
import { UploadsStore } from '../../../shared/store/uploads-store.ts';
import { isFinalStatus, type UploadRecord } from '../../../shared/record/upload-record.ts';
import { eventDetailErrors, pngBytes } from '../../e2e/fixtures.ts';
import { waitFor } from '../../support/wait.ts';

const run = promisify(execFile);
const REPO = new URL('../../../', import.meta.url).pathname;

let pipeline: LocalPipeline;
let target: OpsTarget;
let workDir: string;
let stateDir: string;

type Detail = { object: { key: string }; status: string; eventId: string; retry?: unknown; libraryFileId?: string };
const detailsOf = (key: string): Detail[] =>
  pipeline
    .events()
    .map((e) => e.detail as Detail)
    .filter((d) => d.object.key === key);

async function sandboxAdmin(path: string, body: unknown): Promise<void> {
  const origin = pipeline.sandbox?.origin as string;
  const response = await fetch(`${origin}/__sandbox/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(response.ok, `sandbox ${path}`).toBe(true);
}

async function recordOf(key: string): Promise<UploadRecord | undefined> {
  return (await pipeline.records()).find((r) => r.key === key);
}

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'ops-local-'));
  stateDir = join(workDir, 'state');
  pipeline = await startLocalPipeline({
    fast: true,
    stateDir,
    dropDir: join(workDir, 'drop'),
    library: 'sandbox',
    shutdownGraceMs: 3000,
  });
  target = await localTarget(stateDir);
});

afterAll(async () => {
  target?.close();
  await pipeline?.stop();
  await rm(workDir, { recursive: true, force: true });
});

describe('ops against the local pipeline', () => {
  it('looks a dropped file up by key, by short key and by library file id, and lists it by status', async () => {
    // Arrange
    const { key } = await pipeline.dropFile('brand/logo.png', pngBytes(64, 64));
    await pipeline.waitForEvents({ keys: [key], timeoutMs: 30_000 });
    // Act
    const byKey = await statusCommand(target, key);
    const byShortKey = await statusCommand(target, 'brand/logo.png');
    const fileId = byKey.data.records[0]?.libraryFileId as string;
    const byFileId = await statusCommand(target, fileId);
    const byUrl = await statusCommand(target, `s3://${pipeline.resources.bucket}/${key}`);
    const listed = await listCommand(target, { statuses: ['Active'], since: new Date(Date.now() - 60_000), limit: 10 });
    // Assess
    expect(byKey.exitCode).toBe(0);
    expect(byKey.data.records).toHaveLength(1);
    expect(byKey.data.records[0]).toMatchObject({ key, status: 'Active', attempts: 1, folderPath: 'brand' });
    expect(fileId).toMatch(/^\d+$/);
    expect(byKey.data.tags).toEqual({ 'library-status': 'Active', 'library-file-id': fileId });
    expect(byKey.text).toContain('Received');
    expect(byKey.text).toContain('Active');
    expect(byShortKey.data.records.map((r) => r.objectId)).toEqual(byKey.data.records.map((r) => r.objectId));
    expect(byFileId.data).toMatchObject({ key, records: [{ objectId: byKey.data.records[0]?.objectId }] });
    expect(byUrl.data.records).toHaveLength(1);
    expect(listed.data.records.map((r) => r.key)).toContain(key);
    expect(listed.data.records.every((r) => r.status === 'Active')).toBe(true);
  });

  it('shows every version of a key, newest first', async () => {
    // Arrange: the same key twice with different bytes: two object versions (eTags), two records.
    const key = 'uploads/versions/twice.png';
    await pipeline.putObject(key, pngBytes(10, 10));
    await pipeline.waitForEvents({ keys: [key], timeoutMs: 30_000 });
    await pipeline.putObject(key, pngBytes(20, 20));
    // The stage replaces overwritten files: wait for the second upload's event (and the first's Replaced).
    const uploadedTwice = () => detailsOf(key).filter((d) => d.status === 'Active').length === 2;
    const replacedOnce = () => detailsOf(key).filter((d) => d.status === 'Replaced').length === 1;
    await waitFor(() => uploadedTwice() && replacedOnce(), { timeoutMs: 30_000, what: 'the second version' });
    // Act
    const result = await statusCommand(target, key);
    // Assess
    expect(result.data.records).toHaveLength(2);
    const [newest, older] = result.data.records;
    expect((newest?.createdAt ?? '') > (older?.createdAt ?? '')).toBe(true);
    expect(new Set(result.data.records.map((r) => r.libraryFileId)).size).toBe(2);
  });

  it('answers exit 1 for a key it has no record of, in-process and as `npm run ops` with --json', async () => {
    // Act
    const missing = await statusCommand(target, 'uploads/never-dropped.png');
    const child = await run(
      'npm',
      ['run', '-s', 'ops', '--', '--local', '--state-dir', stateDir, '--json', 'status', 'brand/logo.png'],
      {
        cwd: REPO,
        env: process.env,
      },
    );
    const failing = await run(
      'npm',
      ['run', '-s', 'ops', '--', '--local', '--state-dir', stateDir, 'status', 'nope.png'],
      {
        cwd: REPO,
        env: process.env,
      },
    ).catch((error: { code: number; stdout: string }) => error);
    // Assess
    expect(missing.exitCode).toBe(1);
    const document = JSON.parse(child.stdout) as { records: UploadRecord[]; pipeline: { paused: boolean } };
    expect(document.records[0]).toMatchObject({ key: 'uploads/brand/logo.png', status: 'Active' });
    expect(document.pipeline.paused).toBe(false);
    expect((failing as { code: number }).code).toBe(1);
  });

  it('retries a forced TimedOut to Active with one library copy and a retry event', async () => {
    // Arrange: a file the library takes 10 minutes to process, given up on as the poll function would.
    await sandboxAdmin('processing', { processingMs: 600_000, uploadedMs: 300 });
    const { key } = await pipeline.dropFile('slow/poster.png', pngBytes(300, 200));
    const submitted = await waitFor(
      async () => {
        const record = await recordOf(key);
        return record?.libraryFileId ? record : undefined;
      },
      { timeoutMs: 30_000, what: 'the slow file to be submitted' },
    );
    await sandboxAdmin('processing', { processingMs: 300, uploadedMs: 300 });
    const store = new UploadsStore({ client: target.clients.dynamodb, tableName: target.resources.uploadsTable });
    await store.recordFinal(submitted.objectId, 'TimedOut', { errorKey: 'timed-out', errorMessage: 'no final status' });
    await waitFor(() => detailsOf(key).some((d) => d.status === 'TimedOut'), {
      timeoutMs: 15_000,
      what: 'TimedOut event',
    });
    await sandboxAdmin('clock/advance', { ms: 601_000 });
    const uploadsBefore = (await pipeline.sandbox?.counters())?.uploads.accepted;
    // Act
    const dryRun = await retryCommand(target, { keys: [key] }, { dryRun: true });
    const result = await retryCommand(target, { keys: [key] });
    await waitFor(() => detailsOf(key).some((d) => d.status === 'Active'), {
      timeoutMs: 30_000,
      what: 'Active after retry',
    });
    // Assess
    expect(dryRun.data.items).toEqual([expect.objectContaining({ action: 'recheck', retryCount: 1 })]);
    expect(result).toMatchObject({ exitCode: 0, data: { items: [{ key, action: 'recheck', retryCount: 1 }] } });
    const [timedOut, active] = detailsOf(key);
    expect(timedOut).toMatchObject({ status: 'TimedOut' });
    expect(timedOut?.retry).toBeUndefined();
    expect(active).toMatchObject({
      status: 'Active',
      libraryFileId: submitted.libraryFileId,
      retry: { count: 1, previous: { status: 'TimedOut', errorKey: 'timed-out' } },
    });
    expect(active?.eventId).not.toBe(timedOut?.eventId);
    expect(eventDetailErrors(active)).toEqual([]);
    const copies = (await pipeline.sandbox?.files())?.filter((f) => f.name === 'poster.png');
    expect(copies).toHaveLength(1);
    expect((await pipeline.sandbox?.counters())?.uploads.accepted).toBe(uploadsBefore);
    const status = await statusCommand(target, key);
    expect(status.data.records[0]).toMatchObject({ status: 'Active', retry: { count: 1 } });
    expect(status.data.tags).toMatchObject({ 'library-status': 'Active' });
  });

  it('refuses to retry what is not Failed, TimedOut or Rejected (exit 1)', async () => {
    const result = await retryCommand(target, { keys: ['uploads/brand/logo.png'] });
    expect(result.exitCode).toBe(1);
    expect(result.data.items).toEqual([expect.objectContaining({ action: 'skipped', status: 'Active' })]);
  });

  it('retries a forced Failed by searching the library first: the copy there is adopted, not posted again', async () => {
    // Arrange: a file still processing in the library when its record is marked Failed.
    await sandboxAdmin('processing', { processingMs: 600_000, uploadedMs: 300 });
    const { key } = await pipeline.dropFile('failed/flyer.png', pngBytes(120, 90));
    const submitted = await waitFor(
      async () => {
        const record = await recordOf(key);
        return record?.libraryFileId ? record : undefined;
      },
      { timeoutMs: 30_000, what: 'the file to be submitted' },
    );
    await sandboxAdmin('processing', { processingMs: 300, uploadedMs: 300 });
    const store = new UploadsStore({ client: target.clients.dynamodb, tableName: target.resources.uploadsTable });
    await store.recordFinal(submitted.objectId, 'Failed', { errorKey: 'library.processing_failed' });
    await waitFor(() => detailsOf(key).some((d) => d.status === 'Failed'), { timeoutMs: 15_000, what: 'Failed event' });
    const uploadsBefore = (await pipeline.sandbox?.counters())?.uploads.accepted;
    // Act
    const result = await retryCommand(target, { statuses: ['Failed'], since: new Date(Date.now() - 60_000) });
    await waitFor(async () => (await recordOf(key))?.status === 'Submitted', { timeoutMs: 30_000, what: 'adopted' });
    await sandboxAdmin('clock/advance', { ms: 601_000 });
    await waitFor(() => detailsOf(key).some((d) => d.status === 'Active'), { timeoutMs: 30_000, what: 'Active' });
    // Assess
    expect(result.data.items).toEqual([expect.objectContaining({ key, action: 'reupload', retryCount: 1 })]);
    expect(detailsOf(key).at(-1)).toMatchObject({
      status: 'Active',
      libraryFileId: submitted.libraryFileId,
      retry: { count: 1, previous: { status: 'Failed', errorKey: 'library.processing_failed' } },
    });
    expect(await recordOf(key)).toMatchObject({ adopted: true, attempts: submitted.attempts });
    expect((await pipeline.sandbox?.files())?.filter((f) => f.name === 'flyer.png')).toHaveLength(1);
    expect((await pipeline.sandbox?.counters())?.uploads.accepted).toBe(uploadsBefore);
  });

  it('redrives a message parked in the ingest DLQ to a final record', async () => {
    // Arrange: the notification of a new object, parked in the DLQ as after ten failed receives.
    await setPaused(target, true);
    await new Promise((resolve) => setTimeout(resolve, 3500));
    const key = 'uploads/dlq/parked.png';
    await pipeline.putObject(key, pngBytes(12, 12));
    const { ingest, ingestDeadLetter } = target.resources.queues;
    const [message] = await waitFor(
      async () =>
        (await target.clients.sqs.send(new ReceiveMessageCommand({ QueueUrl: ingest.url, WaitTimeSeconds: 1 })))
          .Messages,
      { timeoutMs: 10_000, what: 'the notification' },
    );
    await target.clients.sqs.send(
      new SendMessageCommand({ QueueUrl: ingestDeadLetter.url, MessageBody: message?.Body }),
    );
    await target.clients.sqs.send(
      new DeleteMessageCommand({ QueueUrl: ingest.url, ReceiptHandle: message?.ReceiptHandle }),
    );
    await setPaused(target, false);
    // Act
    const result = await redriveCommand(target, 'ingest');
    await pipeline.waitForEvents({ keys: [key], timeoutMs: 30_000 });
    // Assess
    expect(result.data).toEqual({ source: 'ingest', method: 'receive-send-delete', messages: 1 });
    expect((await queueFacts(target.clients.sqs, ingestDeadLetter)).visible).toBe(0);
    expect((await recordOf(key))?.status).toBe('Active');
  });

  it('re-publishes the final records a publish-failures pointer names', async () => {
    // Arrange: a pointer to the stream record in which logo.png became final, as Lambda would write it.
    const record = (await recordOf('uploads/brand/logo.png')) as UploadRecord;
    const streamRecord = await findFinalStreamRecord(record.objectId);
    const pointer = {
      version: '1.0',
      timestamp: new Date().toISOString(),
      DDBStreamBatchInfo: {
        shardId: streamRecord.shardId,
        startSequenceNumber: streamRecord.sequenceNumber,
        endSequenceNumber: streamRecord.sequenceNumber,
        approximateArrivalOfFirstRecord: new Date().toISOString(),
        approximateArrivalOfLastRecord: new Date().toISOString(),
        batchSize: 1,
        streamArn: pipeline.resources.uploadsStreamArn,
      },
    };
    await target.clients.sqs.send(
      new SendMessageCommand({
        QueueUrl: target.resources.queues.publishFailures.url,
        MessageBody: JSON.stringify(pointer),
      }),
    );
    const before = detailsOf(record.key).length;
    // Act
    const result = await redriveCommand(target, 'publish');
    await waitFor(() => detailsOf(record.key).length === before + 1, {
      timeoutMs: 10_000,
      what: 'the re-published event',
    });
    // Assess
    expect(result.data).toMatchObject({ source: 'publish', pointers: 1, events: 1, fromTimeWindow: 0 });
    const [first, again] = [detailsOf(record.key)[0], detailsOf(record.key).at(-1)];
    expect(again?.eventId).toBe(first?.eventId);
    expect((await queueFacts(target.clients.sqs, target.resources.queues.publishFailures)).visible).toBe(0);
  });

  it('falls back to the batch time window when the stream no longer has the batch', async () => {
    // Arrange: a pointer to a shard the stream does not have (trimmed after 24 hours), around a final record.
    const record = (await recordOf('uploads/brand/logo.png')) as UploadRecord;
    const at = record.updatedAt;
    const pointer = {
      DDBStreamBatchInfo: {
        shardId: 'shardId-00000000000000000000-trimmed',
        startSequenceNumber: '1',
        endSequenceNumber: '2',
        approximateArrivalOfFirstRecord: at,
        approximateArrivalOfLastRecord: at,
        batchSize: 1,
        streamArn: pipeline.resources.uploadsStreamArn,
      },
    };
    await target.clients.sqs.send(
      new SendMessageCommand({
        QueueUrl: target.resources.queues.publishFailures.url,
        MessageBody: JSON.stringify(pointer),
      }),
    );
    const before = detailsOf(record.key).length;
    // Act
    const result = await redriveCommand(target, 'publish');
    // Assess
    expect(result.data).toMatchObject({ source: 'publish', pointers: 1, fromTimeWindow: 1 });
    expect((result.data as { eventIds: string[] }).eventIds).toContain(detailsOf(record.key)[0]?.eventId);
    await waitFor(() => detailsOf(record.key).length === before + 1, {
      timeoutMs: 10_000,
      what: 'the re-published event',
    });
  });

  it('replays a window locally by re-emitting its final records', async () => {
    // Arrange
    const finals = (await pipeline.records()).filter((r) => isFinalStatus(r.status));
    const before = pipeline.events().length;
    // Act
    const result = await replayCommand(target, { from: new Date(Date.now() - 3_600_000), to: new Date() });
    await waitFor(() => pipeline.events().length === before + finals.length, {
      timeoutMs: 10_000,
      what: 'replayed events',
    });
    // Assess
    expect(result.data).toMatchObject({ method: 're-emit', events: finals.length });
    const replayed = pipeline
      .events()
      .slice(before)
      .map((e) => (e.detail as Detail).eventId);
    const originals = new Set(
      pipeline
        .events()
        .slice(0, before)
        .map((e) => (e.detail as Detail).eventId),
    );
    expect(replayed.every((id) => originals.has(id))).toBe(true);
  });

  it('holds a dropped file queued while paused, and lets it finish on resume', async () => {
    // Act: pause (the runner reads the switch every 2 s), drop, wait.
    const paused = await setPaused(target, true);
    await new Promise((resolve) => setTimeout(resolve, 3500));
    const { key } = await pipeline.dropFile('paused/held.png', pngBytes(16, 16));
    await waitFor(async () => (await queueFacts(target.clients.sqs, target.resources.queues.ingest)).visible >= 1, {
      timeoutMs: 10_000,
      what: 'the notification queued',
    });
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const whilePaused = await statusCommand(target, key);
    const quotaWhilePaused = await quotaCommand(target);
    const resumed = await setPaused(target, false);
    await pipeline.waitForEvents({ keys: [key], timeoutMs: 30_000 });
    // Assess
    expect(paused.data.paused).toBe(true);
    expect(paused.data.queues.find((q) => q.name === 'ingest')?.retentionSeconds).toBe(
      pipeline.stage.sources.ingestQueue.retentionDays * 86_400,
    );
    expect(paused.text).toContain('retention');
    expect(whilePaused.exitCode).toBe(1);
    expect(whilePaused.data.pipeline.paused).toBe(true);
    expect(quotaWhilePaused.data.pipeline.paused).toBe(true);
    expect(resumed.data.paused).toBe(false);
    expect((await statusCommand(target, key)).data.records[0]?.status).toBe('Active');
  });

  it("reports today's quota as the sandbox counted it", async () => {
    // Arrange: nothing in flight (every file above is final).
    const records = await pipeline.records();
    expect(records.every((r) => isFinalStatus(r.status))).toBe(true);
    const counters = await pipeline.sandbox?.counters();
    // Act
    const result = await quotaCommand(target);
    // Assess
    expect(result.data.used).toBe(counters?.totalRequests);
    expect(result.data.throttledLastHour).toBe((counters?.throttled.second ?? 0) + (counters?.throttled.day ?? 0));
    expect(result.data).toMatchObject({
      dailyLimit: pipeline.stage.library.requestsPerDay,
      perSecond: pipeline.stage.library.requestsPerSecond,
      finalFilesToday: records.length,
      keys: 1,
    });
    expect(result.data.filesPerDay).toBe(Math.floor(result.data.dailyLimit / (result.data.requestsPerFile ?? 1)));
    console.info(
      `[figures] ops quota: ${result.data.used} requests for ${records.length} files (${result.data.requestsPerFile}/file)`,
    );
  });
});

/** The stream record in which `objectId` entered a final status (as the publisher saw it). */
async function findFinalStreamRecord(objectId: string): Promise<{ shardId: string; sequenceNumber: string }> {
  const streams = target.clients.streams;
  const description = await streams.send(new DescribeStreamCommand({ StreamArn: pipeline.resources.uploadsStreamArn }));
  for (const shard of description.StreamDescription?.Shards ?? []) {
    const start = await streams.send(
      new GetShardIteratorCommand({
        StreamArn: pipeline.resources.uploadsStreamArn,
        ShardId: shard.ShardId,
        ShardIteratorType: 'TRIM_HORIZON',
      }),
    );
    let iterator = start.ShardIterator;
    while (iterator) {
      const page = await streams.send(new GetRecordsCommand({ ShardIterator: iterator }));
      const found = (page.Records ?? []).find((r: StreamRecord) => {
        const image = r.dynamodb?.NewImage;
        return image?.['objectId']?.S === objectId && image['status']?.S === 'Active';
      });
      if (found) return { shardId: shard.ShardId as string, sequenceNumber: found.dynamodb?.SequenceNumber as string };
      if ((page.Records ?? []).length === 0) break;
      iterator = page.NextShardIterator;
    }
  }
  throw new Error(`No stream record of ${objectId} becoming Active`);
}
