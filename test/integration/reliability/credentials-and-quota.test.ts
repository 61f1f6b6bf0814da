/**
 * Credentials revoked and the daily quota spent, in the middle of a run: nothing is lost, nothing goes
 * towards a dead-letter queue (no failed batch item), the work waits, and it resumes by itself once the
 * secret is fixed or the day has turned. Each file reaches the library once.
 *
 * Driven by the pipeline tests' harness (test/integration/pipeline/harness.ts: the ingest and poll
 * handlers against DynamoDB Local, fauxqs, the Secrets Manager stand-in and an in-process sandbox),
 * with its short waits after a 401 (1 s re-send, 1.5 s hold) instead of production's 300 s and 60 s.
 *
 * The clock: `buildPipelineRuntime({ now })` reaches the store, the retry decisions and the rate
 * limiter, and the sandbox has a clock of its own; but the day must turn at the same instant for all of
 * them and for the harness's own deadlines, so the seam used here is the process clock: `Date` alone is
 * faked (timers stay real, and the fake clock advances in real time), set to 30 s before midnight UTC.
 * The limiter, the store and the in-process sandbox all read it; fauxqs (another process) keeps real
 * time, which is right for the re-send delays it enforces. The limiter's own day budget is the one
 * spent here (set below the sandbox's, as documented).
 */
import '../pipeline/quiet-env.ts';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { pngBytes, startPipelineHarness, type PipelineHarness } from '../pipeline/harness.ts';
import type { ObjectRef } from '../../../shared/record/upload-record.ts';

let h: PipelineHarness;

beforeAll(async () => {
  h = await startPipelineHarness();
});
afterAll(() => h?.close());
afterEach(() => {
  vi.useRealTimers();
});

const putMany = async (prefix: string, count: number): Promise<ObjectRef[]> =>
  Promise.all(
    Array.from({ length: count }, (_, i) => h.putObject(`incoming/${prefix}/file-${i}.png`, pngBytes(20 + i, 20))),
  );

describe('credentials revoked mid-run', () => {
  it('holds the remaining files while the token is refused and finishes them, once each, after the secret is fixed', async () => {
    // Prepare
    await h.reset();
    const refs = await putMany('revoked', 10);
    await h.notify(refs);
    await h.drive({
      until: async () => (await h.records()).filter((r) => r.status === 'Active').length >= 2,
      timeoutMs: 60_000,
    });
    // Act 1: the token is revoked (the sandbox only accepts a new pair); the secret still holds the old one.
    const rotated = { apiKey: 'reliabilityRotatedKey42', accessToken: 'reliabilityRotatedToken42' };
    h.sandbox.setCredentials([rotated]);
    const unauthorizedBefore = h.sandbox.counters().requests;
    await h.drive({
      until: () =>
        Object.values(h.sandbox.counters().requests).reduce((n, byOutcome) => n + (byOutcome?.['401'] ?? 0), 0) >= 4,
      timeoutMs: 60_000,
    });
    const waiting = await h.records();
    // Act 2: the secret is fixed.
    h.setSecret(rotated);
    const records = await h.settle(refs, 90_000);
    // Assess
    expect(Object.values(unauthorizedBefore).every((byOutcome) => (byOutcome?.['401'] ?? 0) === 0)).toBe(true);
    expect(waiting.filter((r) => r.status !== 'Active').length).toBeGreaterThan(0);
    expect(records.map((r) => r.status)).toEqual(Array(10).fill('Active'));
    expect(h.stats.ingestFailures + h.stats.pollFailures).toBe(0);
    expect(h.sandbox.files()).toHaveLength(10);
    expect(h.sandbox.counters().duplicates.byNameAndSize).toBe(0);
  });
});

describe('daily quota spent', () => {
  it('keeps the work queued until the day turns, then finishes every file, with no request refused by the API', async () => {
    // Prepare: 30 s before midnight UTC (today); a day budget of 10 requests in the pipeline's limiter,
    // below the sandbox's 14 as the limiter's documentation asks (a request reserved just before midnight
    // may reach the API just after it). A key of its own, so the day's earlier requests do not count.
    const now = new Date();
    const beforeMidnight = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate(), 23, 59, 30);
    vi.useFakeTimers({ toFake: ['Date'], shouldAdvanceTime: true, now: beforeMidnight });
    await h.reset({ config: { requestsPerDay: 10 } });
    const quotaKey = { apiKey: 'reliabilityQuotaKey7', accessToken: 'reliabilityQuotaToken7' };
    h.sandbox.setCredentials([quotaKey]);
    h.setSecret(quotaKey);
    h.sandbox.setLimits({ perDay: 14 });
    const refs = await putMany('quota', 4);
    const midnight = beforeMidnight + 30_000;
    // Act 1: work until the budget is spent, still before midnight.
    await h.notify(refs);
    await h.drive({ until: async () => (await h.runtime.limiter.dailyState()).used >= 10, timeoutMs: 25_000 });
    const spentAt = Date.now();
    const waiting = await h.records();
    const failuresWhileWaiting = h.stats.ingestFailures + h.stats.pollFailures;
    // Act 2: carry on; the day turns at `midnight`.
    const records = await h.settle(refs, 120_000);
    // Assess
    expect(spentAt).toBeLessThan(midnight);
    expect(waiting.filter((r) => r.status !== 'Active').length).toBeGreaterThan(0);
    expect(failuresWhileWaiting).toBe(0);
    expect(records.map((r) => r.status)).toEqual(Array(4).fill('Active'));
    expect(records.some((r) => Date.parse(r.transitions.Active ?? '') >= midnight)).toBe(true);
    expect(h.stats.ingestFailures + h.stats.pollFailures).toBe(0);
    expect(h.sandbox.counters().throttled.day).toBe(0);
    expect(h.sandbox.files()).toHaveLength(4);
    expect(h.sandbox.counters().duplicates.byNameAndSize).toBe(0);
  }, 180_000);
});
