import { Logger } from '@aws-lambda-powertools/logger';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { describe, expect, it, vi } from 'vitest';
import { processIngestBatch, type IngestBatchDependencies } from '../../../shared/ingest/ingest-batch.ts';
import { LibraryServerError, LibraryThrottledError, LibraryUnauthorizedError } from '../../../shared/library/errors.ts';
import { DailyQuotaExhaustedError } from '../../../shared/rate-limit/index.ts';
import type { UploadsStore } from '../../../shared/store/uploads-store.ts';
import { DEFAULT_RETRY_POLICY } from '../../../shared/retry/retry-policy.ts';
import { s3Notification, sqsEvent } from '../../support/factories.ts';

process.env['POWERTOOLS_METRICS_DISABLED'] = 'true';
const NOW = new Date('2026-03-01T23:55:00.000Z');

const notification = (key: string) => JSON.stringify(s3Notification([{ bucket: 'b', key, eTag: 'e', size: 10 }]));
const retryCopy = (key: string, retries: number) =>
  JSON.stringify({ type: 'ingest-retry', version: 1, object: { bucket: 'b', key, eTag: 'e' }, retries, waits: 0 });

const eventOf = (...bodies: string[]): SQSEvent => sqsEvent(bodies, 'ingest');

/** Dependencies whose first step (the claim) fails with `error`: enough to see what the batch layer does with it. */
function failingWith(error: unknown) {
  const requeued: { body: Record<string, unknown>; delaySeconds: number }[] = [];
  const deps = {
    store: { claim: vi.fn(async () => Promise.reject(error)) } as unknown as UploadsStore,
    settings: { uploadPrefix: 'incoming/', defaultFolderId: '0', mirrorFolders: true, pollFirstDelaySeconds: 10 },
    logger: new Logger({ logLevel: 'SILENT' }),
    retryPolicy: { ...DEFAULT_RETRY_POLICY, maxRetries: 2 },
    requeue: async (_record: SQSRecord, body: unknown, delaySeconds: number) => {
      requeued.push({ body: body as Record<string, unknown>, delaySeconds });
    },
    reportThrottle: vi.fn(async () => undefined),
    reportUnauthorized: vi.fn(),
    now: () => NOW,
    random: () => 1,
  } as unknown as IngestBatchDependencies;
  return { deps, requeued };
}

describe('processIngestBatch', () => {
  it('puts a throttled object back as a delayed copy, reports the throttle and succeeds the original', async () => {
    // Prepare
    const f = failingWith(new LibraryThrottledError('qps', { operation: 'uploadFile', status: 403, scope: 'second' }));
    // Act
    const response = await processIngestBatch(eventOf(notification('incoming/a.png')), f.deps);
    // Assess
    expect(response.batchItemFailures).toEqual([]);
    expect(f.deps.reportThrottle).toHaveBeenCalledWith('second');
    expect(f.requeued).toEqual([
      {
        body: expect.objectContaining({
          type: 'ingest-retry',
          object: expect.objectContaining({ key: 'incoming/a.png' }),
          retries: 0,
          waits: 1,
        }),
        delaySeconds: expect.any(Number),
      },
    ]);
  });

  it('waits until the daily reset when the quota is spent', async () => {
    // Prepare
    const f = failingWith(
      new DailyQuotaExhaustedError({ resetsAt: new Date('2026-03-02T00:00:00Z'), used: 10_000, limit: 10_000 }),
    );
    // Act
    const response = await processIngestBatch(eventOf(notification('incoming/a.png')), f.deps);
    // Assess
    expect(response.batchItemFailures).toEqual([]);
    expect(f.requeued[0]?.delaySeconds).toBe(300);
  });

  it('holds the process after a confirmed 401 and keeps the file queued', async () => {
    // Prepare
    const f = failingWith(new LibraryUnauthorizedError('401', { operation: 'getLibraryInfo', status: 401 }));
    // Act
    const response = await processIngestBatch(eventOf(notification('incoming/a.png')), f.deps);
    // Assess
    expect(response.batchItemFailures).toEqual([]);
    expect(f.deps.reportUnauthorized).toHaveBeenCalledOnce();
    expect(f.requeued[0]?.delaySeconds).toBe(DEFAULT_RETRY_POLICY.unauthorizedDelaySeconds);
  });

  it('retries a 5xx with a counted retry, and fails the message once the retries are spent', async () => {
    // Prepare
    const f = failingWith(new LibraryServerError('down', { operation: 'uploadFile', status: 500 }));
    // Act
    const response = await processIngestBatch(
      eventOf(retryCopy('incoming/a.png', 0), retryCopy('incoming/b.png', 2)),
      f.deps,
    );
    // Assess
    expect(
      f.requeued.map((r) => [(r.body['object'] as { key: string }).key, r.body['retries'], r.delaySeconds]),
    ).toEqual([['incoming/a.png', 1, 5]]);
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'm1' }]);
  });

  it('drops malformed messages, the test event and keys outside the prefix without touching the store', async () => {
    // Prepare
    const f = failingWith(new Error('must not be called'));
    // Act
    const response = await processIngestBatch(
      eventOf('{', '{"Event":"s3:TestEvent"}', notification('elsewhere/a.png'), notification('incoming/dir/')),
      f.deps,
    );
    // Assess
    expect(response.batchItemFailures).toEqual([]);
    expect(f.deps.store.claim).not.toHaveBeenCalled();
  });

  it("comes back after someone else's live lease has expired, instead of dropping the work", async () => {
    // Prepare: the claim finds a record whose lease another delivery holds for 30 s more.
    const f = failingWith(new Error('unused'));
    const held = {
      objectId: 's3://b/incoming/a.png#etag=e',
      bucket: 'b',
      key: 'incoming/a.png',
      status: 'Received',
      statusRank: 0,
      attempts: 0,
      transitions: {},
      leaseId: 'other',
      leaseExpiresAt: NOW.getTime() + 30_000,
    };
    f.deps.store = {
      claim: vi.fn(async () => ({ claimed: false, record: held })),
      acquireLease: vi.fn(async () => ({ acquired: false, record: held })),
    } as unknown as UploadsStore;
    // Act
    const response = await processIngestBatch(eventOf(notification('incoming/a.png')), f.deps);
    // Assess
    expect(response.batchItemFailures).toEqual([]);
    expect(f.requeued).toEqual([
      { body: expect.objectContaining({ reason: 'lease-held', waits: 1, retries: 0 }), delaySeconds: 32 },
    ]);
  });
});
