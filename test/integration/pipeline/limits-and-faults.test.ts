import './quiet-env.ts';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { lambdaContext } from '../../support/factories.ts';
import { pngBytes, requestsOf, startPipelineHarness, statusRequests, type PipelineHarness } from './harness.ts';
import { handler as ingestHandler } from '../../../functions/ingest/handler.ts';

let h: PipelineHarness;

beforeAll(async () => {
  h = await startPipelineHarness();
});
afterAll(() => h?.close());
beforeEach(() => h.reset());

const putMany = (prefix: string, count: number) =>
  Promise.all(
    Array.from({ length: count }, (_, i) => h.putObject(`incoming/${prefix}/file-${i}.png`, pngBytes(10 + i, 10))),
  );

describe('limits', () => {
  it('works through a backlog at the API key limit without a single throttled request', async () => {
    // Prepare: 4 requests per second at the sandbox and in the limiter, as on the real API.
    const refs = await putMany('backlog', 12);
    const started = Date.now();
    // Act
    await h.notify(refs);
    const records = await h.settle(refs, 60_000);
    // Assess
    const counters = h.sandbox.counters();
    expect(records.map((r) => r.status)).toEqual(Array(12).fill('Active'));
    expect(counters.throttled).toEqual({ second: 0, day: 0 });
    expect(counters.uploads.accepted).toBe(12);
    expect(h.stats.ingestFailures + h.stats.pollFailures).toBe(0);
    console.info(
      `[figures] backlog of 12 at 4 req/s: ${counters.totalRequests} requests, ${statusRequests(h.sandbox)} status requests, ${Math.round((Date.now() - started) / 100) / 10} s`,
    );
  });

  it('waits out per-second throttles from the API (limiter set too high) without losing or duplicating a file', async () => {
    // Prepare
    await h.reset({ config: { requestsPerSecond: 20 } });
    h.sandbox.setLimits({ perSecond: 2 });
    const refs = await putMany('throttled', 6);
    // Act
    await h.notify(refs);
    const records = await h.settle(refs, 60_000);
    // Assess
    expect(records.map((r) => r.status)).toEqual(Array(6).fill('Active'));
    expect(h.sandbox.counters().throttled.second).toBeGreaterThan(0);
    expect(h.sandbox.files()).toHaveLength(6);
    expect(h.sandbox.counters().duplicates.byNameAndSize).toBe(0);
    expect(h.stats.ingestFailures + h.stats.pollFailures).toBe(0);
  });

  it('counts no attempt for an upload that found no rate-limit slot in time, so the next try posts without searching the library', async () => {
    // Prepare: 1 request per second and at most 0.5 s of waiting for a slot: the library-info request
    // takes the free slot, and the upload right after it finds the next one too far away. (Enrichment
    // off: with a wait shorter than a slot, its request right after the status check would never get one.)
    await h.reset({ config: { requestsPerSecond: 1, enrichActiveFiles: false }, runtime: { rateLimitMaxWaitMs: 500 } });
    const ref = await h.putObject('incoming/slot.png', pngBytes(20, 20));
    // Act 1: one ingest invocation
    const response = await ingestHandler(h.ingestEvent([ref]), lambdaContext('ingest'));
    const waiting = await h.record(ref);
    // Act 2: the re-sent copy finishes the work
    const [record] = await h.settle([ref], 30_000);
    // Assess
    expect(response.batchItemFailures).toEqual([]);
    expect(waiting?.status).toBe('Received');
    expect(waiting?.attempts).toBe(0);
    expect(record?.status).toBe('Active');
    expect(record?.attempts).toBe(1);
    expect(requestsOf(h.sandbox, 'listFiles')).toBe(0);
    expect(h.sandbox.files()).toHaveLength(1);
  });
});

describe('credentials', () => {
  it('leaves the work queued while the token is revoked, and finishes once the secret is fixed', async () => {
    // Prepare: the sandbox stops accepting the stored pair.
    const fixed = { apiKey: 'rotated-api-key', accessToken: 'rotated-access-token' };
    h.sandbox.setCredentials([fixed]);
    const ref = await h.putObject('incoming/auth/after-rotation.png', pngBytes());
    // Act
    await h.notify([ref]);
    await h.drive({ until: () => h.stats.ingestInvocations >= 3 });
    const waiting = await h.record(ref);
    h.setSecret(fixed);
    const [record] = await h.settle([ref]);
    // Assess
    expect(waiting?.status).toBe('Received');
    expect(h.sandbox.counters().requests.getLibraryInfo?.['401']).toBeGreaterThanOrEqual(2);
    expect(h.stats.ingestFailures).toBe(0);
    expect(record?.status).toBe('Active');
    expect(h.sandbox.files()).toHaveLength(1);
  });
});

describe('faults', () => {
  it('gets every file through a flaky API (5xx) with one copy each', async () => {
    // Prepare
    h.sandbox.setFaults({ serverErrorRate: 0.3, seed: 42 });
    const refs = await putMany('flaky', 6);
    // Act
    await h.notify(refs);
    const records = await h.settle(refs, 60_000);
    // Assess
    expect(records.map((r) => r.status)).toEqual(Array(6).fill('Active'));
    expect(h.sandbox.counters().faults.serverError).toBeGreaterThan(0);
    expect(h.sandbox.files()).toHaveLength(6);
    expect(h.sandbox.counters().duplicates.byNameAndSize).toBe(0);
  });

  it('fails the message after repeated transient failures, so SQS redelivery and the DLQ take over', async () => {
    // Prepare
    await h.reset({
      runtime: { retryPolicy: { baseSeconds: 1, maxSeconds: 1, maxRetries: 0, unauthorizedDelaySeconds: 1 } },
    });
    h.sandbox.setFaults({ serverErrorRate: 1, endpoints: ['getLibraryInfo'] });
    const ref = await h.putObject('incoming/broken/x.png', pngBytes());
    // Act
    const response = await ingestHandler(h.ingestEvent([ref]), lambdaContext('ingest'));
    // Assess
    expect(response.batchItemFailures).toHaveLength(1);
    expect((await h.record(ref))?.status).toBe('Received');
  });
});

describe('daily quota', () => {
  // Last in the file: it spends the day's budget of this API key in the limits table.
  it('keeps the work queued (delayed re-send, no failure) when the day quota is spent', async () => {
    // Prepare
    await h.reset({ config: { requestsPerDay: 1 } });
    const ref = await h.putObject('incoming/quota/x.png', pngBytes());
    // Act
    const response = await ingestHandler(h.ingestEvent([ref]), lambdaContext('ingest'));
    const attributes = await h.env.clients.sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: h.ingestQueueUrl,
        AttributeNames: ['ApproximateNumberOfMessagesDelayed', 'ApproximateNumberOfMessages'],
      }),
    );
    // Assess
    expect(response.batchItemFailures).toEqual([]);
    const record = await h.record(ref);
    expect(record?.status).toBe('Received');
    // The upload never left (no quota): not counted, so the next try posts without searching first.
    expect(record?.attempts).toBe(0);
    expect(
      Number(attributes.Attributes?.ApproximateNumberOfMessagesDelayed ?? 0) +
        Number(attributes.Attributes?.ApproximateNumberOfMessages ?? 0),
    ).toBe(1);
  });
});
