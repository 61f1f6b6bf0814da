/**
 * The backfill's pure parts: which listed objects are enqueued, the message they are enqueued as
 * (it must name the same record as S3's own notification), the quota arithmetic, plain progress
 * lines, and the command line's refusals.
 */
import { describe, expect, it } from 'vitest';
import { emptyCounts, checkpointKey } from '../../../infra/ops/backfill/checkpoint.ts';
import { skipReasonOf } from '../../../infra/ops/backfill/eligibility.ts';
import { notificationBodyOf } from '../../../infra/ops/backfill/enqueue.ts';
import { parseS3Url } from '../../../infra/ops/backfill/inventory.ts';
import { BENCHMARK_REQUESTS_PER_FILE, estimateQuota, estimateText } from '../../../infra/ops/backfill/estimate.ts';
import type { ListedObject } from '../../../infra/ops/backfill/listing.ts';
import { progressReporter } from '../../../infra/ops/backfill/progress.ts';
import { runOps, type OpsIO } from '../../../infra/ops/program.ts';
import { parseIngestMessage } from '../../../shared/ingest/ingest-message.ts';
import { objectIdOf } from '../../../shared/record/object-id.ts';
import { s3Notification } from '../../support/factories.ts';

const RULES = { uploadPrefix: 'uploads/' };
const listed = (key: string, extra: Partial<ListedObject> = {}): ListedObject => ({
  key,
  size: 10,
  eTag: '9b2cf535f27731c974343645a3985328',
  ...extra,
});

describe('which listed objects a backfill enqueues', () => {
  it.each([
    ['uploads/Events/poster.pdf', undefined],
    ['uploads/a b/Photo.JPG', undefined],
    ['other/poster.pdf', 'outside-prefix'],
    ['uploads/Events/', 'folder-marker'],
    ['uploads/notes.txt', 'unsupported-type'],
    ['uploads/no-extension', 'unsupported-type'],
  ])('%s → %s', (key, reason) => {
    expect(skipReasonOf(listed(key), RULES)).toBe(reason);
  });

  it('skips objects last modified before --since, keeps those after', () => {
    const since = new Date('2026-03-01T00:00:00Z');
    const rules = { ...RULES, since };
    expect(skipReasonOf(listed('uploads/a.png', { lastModified: new Date('2026-02-28T23:59:59Z') }), rules)).toBe(
      'before-since',
    );
    expect(skipReasonOf(listed('uploads/a.png', { lastModified: since }), rules)).toBeUndefined();
  });
});

describe('the message a backfilled object is enqueued as', () => {
  it.each([
    ['uploads/Events/2026/team photo.png', undefined],
    ['uploads/Ünïcode + plus%/x (1).png', undefined],
    ['uploads/versioned.png', '3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY'],
  ])('names the same record as S3 notification for %s', (key, versionId) => {
    // Arrange
    const object = listed(key, versionId === undefined ? {} : { versionId });
    const ref = { bucket: 'b', key, size: 10, eTag: object.eTag, ...(versionId ? { versionId } : {}) };
    // Act
    const fromBackfill = parseIngestMessage(notificationBodyOf('b', object, 'eu-west-1'));
    const fromS3 = parseIngestMessage(JSON.stringify(s3Notification([ref])));
    // Assess
    if (fromBackfill.kind !== 'tasks' || fromS3.kind !== 'tasks') throw new Error('not parsed as tasks');
    const [task] = fromBackfill.tasks;
    expect(task?.keyDecodedExactly).toBe(true);
    expect(task?.object.key).toBe(key);
    expect(objectIdOf(task!.object)).toBe(objectIdOf(fromS3.tasks[0]!.object));
    expect(objectIdOf(task!.object)).toBe(objectIdOf({ bucket: 'b', ...object }));
  });
});

describe('the quota arithmetic', () => {
  it('files × requests per file, in days of the daily limit, and what today leaves after the reserve', () => {
    // Act
    const e = estimateQuota({ files: 50_000, dailyLimit: 10_000, usedToday: 1_000, reserveShare: 0.25 });
    // Assess
    expect(e.requestsPerFile).toBe(BENCHMARK_REQUESTS_PER_FILE);
    expect(e.requests).toBe(Math.ceil(50_000 * BENCHMARK_REQUESTS_PER_FILE));
    expect(e.days).toBe(Math.round((e.requests / 10_000) * 100) / 100);
    // 10,000 − 1,000 used − 2,500 reserved = 6,500 requests = 5,909 files at 1.1.
    expect(e.allowanceToday).toBe(Math.floor(6_500 / BENCHMARK_REQUESTS_PER_FILE));
    expect(estimateText(e)).toContain('benchmark figure');
  });

  it("uses today's measured requests per file, and allows nothing once the reserve is reached", () => {
    const e = estimateQuota({
      files: 10,
      dailyLimit: 10_000,
      usedToday: 7_600,
      requestsPerFileToday: 1.05,
      reserveShare: 0.25,
    });
    expect(e).toMatchObject({ requestsPerFile: 1.05, measured: 'today', requests: 11, allowanceToday: 0 });
    expect(estimateText(e)).toContain('= < 0.01 days');
  });
});

describe('progress without a terminal', () => {
  it('writes plain lines with counts and an ETA', () => {
    // Arrange
    const lines: string[] = [];
    const reporter = progressReporter({ write: (t: string) => lines.push(t), isTTY: false }, { everyMs: 0 });
    const counts = emptyCounts();
    // Act
    reporter.start(100, counts);
    counts.listed = 40;
    counts.enqueued = 30;
    counts.alreadyDone = 8;
    counts.skipped['unsupported-type'] = 2;
    reporter.update(counts);
    reporter.stop();
    // Assess
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^backfill: 40\/100 listed, 30 enqueued, 8 done, 2 skipped, ETA (\d+ s|-)\n$/);
  });
});

describe('ops backfill command line', () => {
  const io = (): OpsIO & { err: string } => {
    const captured = {
      err: '',
      stdout: () => undefined,
      stderr: (t: string) => void (captured.err += t),
      resolveTarget: () => Promise.reject(new Error('no target needed')),
    };
    return captured;
  };

  it.each([
    [['--local', 'backfill', '--max', '0'], /--max must be a positive integer/],
    [['--local', 'backfill', '--window', 'x'], /--window must be a positive integer/],
    [['--local', 'backfill', '--since', 'yesterday'], /--since: "yesterday"/],
    [['--local', 'backfill', '--inventory', 'https://example.com/manifest.json'], /--inventory must be s3:\/\//],
    [['backfill'], /--stage <name>.*or --local/],
  ])('answers %j with a usage error (exit 2)', async (argv, message) => {
    const captured = io();
    expect(await runOps(argv, captured)).toBe(2);
    expect(captured.err).toMatch(message);
  });

  it('keeps one checkpoint per bucket, listing prefix and --since', () => {
    const a = checkpointKey('b', 'uploads/', undefined);
    expect(checkpointKey('b', 'uploads/Events/', undefined)).not.toBe(a);
    expect(checkpointKey('b', 'uploads/', new Date('2026-03-01T00:00:00Z'))).not.toBe(a);
    expect(a.startsWith('backfill#')).toBe(true);
  });
});

describe('the --inventory manifest address', () => {
  it('splits s3://bucket/key, and refuses anything else', () => {
    expect(parseS3Url('s3://inv/library-upload-prod-uploads/all/2026-03-01T01-00Z/manifest.json')).toEqual({
      bucket: 'inv',
      key: 'library-upload-prod-uploads/all/2026-03-01T01-00Z/manifest.json',
    });
    expect(() => parseS3Url('s3://inv/')).toThrow(/--inventory must be/);
    expect(() => parseS3Url('inv/manifest.json')).toThrow(/--inventory must be/);
  });
});
