import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../infra/local/sandbox/index.ts';
import { call, errorKeys, freshAgent, pngBytes, startTestSandbox, upload, uploadParts } from './helpers.ts';

/** The outcome of one request: its status, or "error" when the connection died without an answer. */
async function outcome(run: () => Promise<{ status: number }>): Promise<string> {
  try {
    return String((await run()).status);
  } catch {
    return 'error';
  }
}

describe('fault injection', () => {
  let sandbox: Sandbox;
  const agent = freshAgent();
  beforeAll(async () => {
    sandbox = await startTestSandbox();
  });
  afterEach(() => {
    sandbox.setFaults({
      seed: 1,
      serverErrorRate: 0,
      hangRate: 0,
      resetBeforeBodyRate: 0,
      resetAfterBodyRate: 0,
      latencyMs: 0,
      endpoints: undefined,
    });
    sandbox.reset();
  });
  afterAll(async () => {
    await sandbox.close();
    await agent.close();
  });

  const mixedFaults = { serverErrorRate: 0.3, resetBeforeBodyRate: 0.15, resetAfterBodyRate: 0.15 };
  const sequence = async (target: Sandbox, count: number): Promise<string[]> => {
    const outcomes: string[] = [];
    for (let i = 0; i < count; i++)
      outcomes.push(await outcome(() => call(target, '/library/info', { dispatcher: agent })));
    return outcomes;
  };

  it('makes the same decisions for the same seed and request sequence', async () => {
    // Prepare
    sandbox.setFaults({ seed: 42, ...mixedFaults });
    const twin = await startTestSandbox({ faults: { seed: 42, ...mixedFaults } });

    try {
      // Act
      const first = await sequence(sandbox, 40);
      sandbox.reset(); // restarts the sequence from the seed
      const replay = await sequence(sandbox, 40);
      const fromTwin = await sequence(twin, 40);

      // Assess
      expect(new Set(first).size).toBeGreaterThan(2); // the mix really happened: 200, 500/503, error
      expect(replay).toEqual(first);
      expect(fromTwin).toEqual(first);
    } finally {
      await twin.close();
    }
  });

  it('makes different decisions for a different seed', async () => {
    sandbox.setFaults({ seed: 42, ...mixedFaults });
    const withSeed42 = await sequence(sandbox, 40);

    sandbox.setFaults({ seed: 7 });
    const withSeed7 = await sequence(sandbox, 40);

    expect(withSeed7).not.toEqual(withSeed42);
  });

  it('answers injected server errors with 500 or 503 and an error body, without acting', async () => {
    sandbox.setFaults({ serverErrorRate: 1 });

    const results = [];
    for (let i = 0; i < 8; i++) results.push(await upload(sandbox, uploadParts(pngBytes()), { dispatcher: agent }));

    expect(new Set(results.map((result) => result.status))).toEqual(new Set([500, 503]));
    for (const result of results)
      expect(errorKeys(result)[0]).toMatch(/^http\.status\.(internal_server_error|service_unavailable)$/);
    expect(sandbox.files()).toHaveLength(0);
    expect(sandbox.counters().faults.serverError).toBe(8);
  });

  it('drops the connection after the body on reset-after-body: the file IS stored, and a blind retry duplicates it', async () => {
    // Prepare
    sandbox.setFaults({ resetAfterBodyRate: 1, endpoints: ['uploadFile'] });

    // Act
    const first = await outcome(() => upload(sandbox, uploadParts(pngBytes()), { dispatcher: agent }));
    const blindRetry = await outcome(() => upload(sandbox, uploadParts(pngBytes()), { dispatcher: agent }));
    const statusRead = await call(sandbox, '/library/files/uploadstatus/1', { dispatcher: agent });

    // Assess
    expect([first, blindRetry]).toEqual(['error', 'error']);
    expect(sandbox.files()).toHaveLength(2);
    const counters = sandbox.counters();
    expect(counters.uploads.accepted).toBe(2);
    expect(counters.duplicates.byNameAndSize).toBe(1);
    expect(counters.faults.resetAfterBody).toBe(2);
    expect(counters.requests.uploadFile).toEqual({ reset: 2 });
    expect(statusRead.status).toBe(200); // the filter spared other operations
  });

  it('drops the connection before reading the body on reset-before-body: nothing is stored', async () => {
    sandbox.setFaults({ resetBeforeBodyRate: 1 });

    const result = await outcome(() => upload(sandbox, uploadParts(pngBytes()), { dispatcher: agent }));

    expect(result).toBe('error');
    expect(sandbox.files()).toHaveLength(0);
    expect(sandbox.counters().faults.resetBeforeBody).toBe(1);
  });

  it('never answers a hung request, until the client gives up', async () => {
    sandbox.setFaults({ hangRate: 1 });

    const result = call(sandbox, '/library/info', { headersTimeout: 300, dispatcher: agent });

    await expect(result).rejects.toThrow();
    expect(sandbox.counters().faults.hang).toBe(1);
    expect(sandbox.counters().requests.getLibraryInfo).toEqual({ hang: 1 });
  });

  it('still answers correctly with latency injected', async () => {
    sandbox.setFaults({ latencyMs: 30 });

    const result = await call(sandbox, '/library/info', { dispatcher: agent });

    expect(result.status).toBe(200);
  });

  it('reads an upload body no faster than uploadBytesPerSecond, and still accepts it', async () => {
    // Prepare: a 300 KB PNG at 1 MB/s takes at least 0.3 s; at full speed it takes a few ms.
    const data = Buffer.concat([pngBytes(), Buffer.alloc(300_000, 1)]);
    sandbox.setFaults({ uploadBytesPerSecond: 1_000_000 });
    try {
      // Act
      const started = performance.now();
      const result = await upload(sandbox, uploadParts(data), { dispatcher: agent });
      const elapsedMs = performance.now() - started;
      // Assess
      expect(result.status).toBe(202);
      expect(elapsedMs).toBeGreaterThanOrEqual(280);
    } finally {
      sandbox.setFaults({ uploadBytesPerSecond: 0 });
    }
  });
});
