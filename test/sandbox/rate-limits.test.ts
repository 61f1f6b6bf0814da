import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../infra/local/sandbox/index.ts';
import { call, pngBytes, startTestSandbox, upload, uploadParts } from './helpers.ts';

describe('per-key limits (frozen clock)', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startTestSandbox({
      credentials: [
        { apiKey: 'key-a', accessToken: 'token-a' },
        { apiKey: 'key-b', accessToken: 'token-b' },
      ],
    });
  });
  beforeEach(() => {
    sandbox.reset();
    sandbox.setLimits({ perSecond: 4, perDay: 10_000 });
  });
  afterAll(async () => sandbox.close());

  it('answers the 5th request within one second 403 mashery.not.authorized.over.qps', async () => {
    // Act: five requests at the same instant
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await call(sandbox, '/library/info')).status);
    const fifth = await call(sandbox, '/library/info');

    // Assess
    expect(statuses).toEqual([200, 200, 200, 200]);
    expect(fifth.status).toBe(403);
    expect(fifth.json).toEqual([{ error_key: 'mashery.not.authorized.over.qps', error_message: expect.any(String) }]);
    expect(sandbox.counters().throttled).toEqual({ second: 1, day: 0 });
    expect(sandbox.counters().requests.getLibraryInfo).toEqual({ '200': 4, '403': 1 });
  });

  it('uses a sliding window: room frees up exactly one second after each accepted request', async () => {
    // Prepare: two requests at t, two at t+500
    await call(sandbox, '/library/info');
    await call(sandbox, '/library/info');
    sandbox.advanceClock(500);
    await call(sandbox, '/library/info');
    await call(sandbox, '/library/info');

    // Act + Assess
    sandbox.advanceClock(499); // t+999: all four still in the window
    expect((await call(sandbox, '/library/info')).status).toBe(403);
    sandbox.advanceClock(1); // t+1000: the first two left the window
    expect((await call(sandbox, '/library/info')).status).toBe(200);
    expect((await call(sandbox, '/library/info')).status).toBe(200);
    expect((await call(sandbox, '/library/info')).status).toBe(403);
  });

  it('counts uploads and status reads against the same limit', async () => {
    await upload(sandbox, uploadParts(pngBytes()));
    await upload(sandbox, uploadParts(pngBytes()));
    await call(sandbox, '/library/files/uploadstatus/1');
    await call(sandbox, '/library/files/uploadstatus/1');

    const throttledUpload = await upload(sandbox, uploadParts(pngBytes()));

    expect(throttledUpload.status).toBe(403);
    expect(sandbox.files()).toHaveLength(2);
  });

  it('does not charge throttled requests: a client hammering during a full second is not pushed further out', async () => {
    for (let i = 0; i < 4; i++) await call(sandbox, '/library/info');
    for (let i = 0; i < 10; i++) await call(sandbox, '/library/info');

    sandbox.advanceClock(1000);

    expect((await call(sandbox, '/library/info')).status).toBe(200);
    expect(sandbox.counters().throttled.second).toBe(10);
  });

  it('keeps separate windows per api_key', async () => {
    for (let i = 0; i < 4; i++) await call(sandbox, '/library/info', { apiKey: 'key-a', token: 'token-a' });

    const otherKey = await call(sandbox, '/library/info', { apiKey: 'key-b', token: 'token-b' });
    const sameKey = await call(sandbox, '/library/info', { apiKey: 'key-a', token: 'token-a' });

    expect(otherKey.status).toBe(200);
    expect(sameKey.status).toBe(403);
  });

  it('answers 403 mashery.not.authorized.over.ratelimit past the daily quota, until the next UTC day', async () => {
    // Prepare
    sandbox.setLimits({ perDay: 3 });
    for (let i = 0; i < 3; i++) {
      expect((await call(sandbox, '/library/info')).status).toBe(200);
      sandbox.advanceClock(2000);
    }

    // Act
    const overQuota = await call(sandbox, '/library/info');
    const msToMidnight = 86_400_000 - (sandbox.now() % 86_400_000);
    sandbox.advanceClock(msToMidnight - 1);
    const lastMillisecond = await call(sandbox, '/library/info');
    sandbox.advanceClock(1);
    const nextDay = await call(sandbox, '/library/info');

    // Assess
    expect(overQuota.status).toBe(403);
    expect(overQuota.json).toEqual([
      { error_key: 'mashery.not.authorized.over.ratelimit', error_message: expect.any(String) },
    ]);
    expect(lastMillisecond.status).toBe(403);
    expect(nextDay.status).toBe(200);
    expect(sandbox.counters().throttled).toEqual({ second: 0, day: 2 });
  });

  it('charges a request with a wrong token to its key, but not one with an unknown key', async () => {
    for (let i = 0; i < 4; i++) await call(sandbox, '/library/info', { apiKey: 'nobody' });
    for (let i = 0; i < 4; i++) await call(sandbox, '/library/info', { apiKey: 'key-a', token: 'wrong' });

    const next = await call(sandbox, '/library/info', { apiKey: 'key-a', token: 'token-a' });

    expect(next.status).toBe(403);
    expect(sandbox.counters().rateLimits).toEqual({ 'key-a': { today: 4, lastSecond: 4 } });
  });
});
