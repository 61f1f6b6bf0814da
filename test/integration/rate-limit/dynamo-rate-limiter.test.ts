/**
 * The shared rate limiter against DynamoDB Local: real conditional writes, real concurrency.
 *
 * Each limiter instance stands for one Lambda environment (its own in-process state); they share only
 * the table. Assertions are on what the table holds (day counters, the grant slots it handed out), never
 * on how long something took.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateTableCommand, DynamoDBClient, UpdateTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient as DocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { localClientConfig, startTestEnvironment } from '../../support/index.ts';
import type { TestEnvironment } from '../../support/index.ts';
import {
  DailyQuotaExhaustedError,
  RateLimitWaitTimeoutError,
  createDynamoRateLimiter,
} from '../../../shared/rate-limit/index.ts';
import type { DynamoRateLimiterOptions, RateLimitGrant } from '../../../shared/rate-limit/index.ts';

const TABLE = 'limits';

let env: TestEnvironment;
let documentClient: DynamoDBDocumentClient;

beforeAll(async () => {
  env = await startTestEnvironment({ dynamodb: true });
  documentClient = env.clients.documentClient;
  await env.clients.dynamodb.send(
    new CreateTableCommand({
      TableName: TABLE,
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  await env.clients.dynamodb.send(
    new UpdateTimeToLiveCommand({
      TableName: TABLE,
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
    }),
  );
});

afterAll(() => env?.stop());

/** A clock the test moves: `sleep` advances it instead of waiting. */
function virtualClock(startIso: string) {
  const clock = {
    t: Date.parse(startIso),
    sleeps: [] as number[],
    now: () => clock.t,
    sleep: async (ms: number) => {
      clock.sleeps.push(ms);
      clock.t += ms;
    },
  };
  return clock;
}

/** A document client of its own that counts the commands sent through it. */
function countingClient(): { client: DynamoDBDocumentClient; counts: Map<string, number> } {
  const counts = new Map<string, number>();
  const base = new DynamoDBClient(localClientConfig(env.endpoints.dynamodb ?? '', env.endpoints.region));
  base.middlewareStack.add(
    (next, context) => async (args) => {
      counts.set(context.commandName ?? '?', (counts.get(context.commandName ?? '?') ?? 0) + 1);
      return next(args);
    },
    { step: 'initialize', name: 'countCommands' },
  );
  return { client: DocumentClient.from(base), counts };
}

function limiterFor(keyId: string, overrides: Partial<DynamoRateLimiterOptions> = {}, grants?: RateLimitGrant[]) {
  return createDynamoRateLimiter({
    tableName: TABLE,
    client: documentClient,
    perSecond: 4,
    perDay: 10_000,
    keyId,
    onGrant: (grant) => grants?.push(grant),
    ...overrides,
  });
}

async function limiterItem(keyId: string): Promise<Record<string, unknown>> {
  const result = await documentClient.send(
    new GetCommand({ TableName: TABLE, Key: { pk: `api-rate#${keyId}` }, ConsistentRead: true }),
  );
  return result.Item ?? {};
}

/** The largest number of slots in any window [s, s + 1000) starting at a slot: the sliding-window view. */
function maxInSlidingSecond(slots: number[]): number {
  const sorted = [...slots].sort((a, b) => a - b);
  let max = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while ((sorted[j] ?? Infinity) < (sorted[i] ?? 0) + 1000) j++;
    max = Math.max(max, j - i);
  }
  return max;
}

/** The largest number of slots in one aligned second: the fixed-window view. */
function maxInFixedSecond(slots: number[]): number {
  const counts = new Map<number, number>();
  for (const slot of slots) counts.set(Math.floor(slot / 1000), (counts.get(Math.floor(slot / 1000)) ?? 0) + 1);
  return Math.max(0, ...counts.values());
}

describe('DynamoDB rate limiter: per-second slots', () => {
  it('never grants more than perSecond in any one-second window when ten callers acquire concurrently', async () => {
    // Prepare: ten independent limiters (ten Lambda environments) on one key, real clock and sleeps.
    const keyId = `concurrent-${randomUUID()}`;
    const grants: RateLimitGrant[] = [];
    const { client, counts } = countingClient();
    const callers = Array.from({ length: 10 }, () => limiterFor(keyId, { maxWaitMs: 60_000, client }, grants));

    // Act: every caller acquires twice, all at once.
    await Promise.all(
      callers.map(async (limiter) => {
        await limiter.acquire('getUploadStatus');
        await limiter.acquire('uploadFile');
      }),
    );

    // Assess: the slots the table handed out, and the day counter it holds.
    const slots = grants.map((g) => g.slotAt);
    expect(slots).toHaveLength(20);
    expect(new Set(slots).size).toBe(20);
    expect(maxInSlidingSecond(slots)).toBeLessThanOrEqual(4);
    expect(maxInFixedSecond(slots)).toBeLessThanOrEqual(4);
    const sorted = [...slots].sort((a, b) => a - b);
    const gaps = sorted.slice(1).map((slot, i) => slot - (sorted[i] ?? 0));
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(275);
    const item = await limiterItem(keyId);
    const dayLabel = grants[0]?.day ?? '';
    expect(item[`used#${dayLabel}`]).toBe(20);
    // The cost: one write per grant, plus a lost race per cold caller at most; one read per queued grant.
    expect(counts.get('UpdateItemCommand') ?? 0).toBeLessThanOrEqual(20 + 10);
    expect(counts.get('GetItemCommand') ?? 0).toBeLessThanOrEqual(20);
  });

  it('refuses at once with RateLimitWaitTimeoutError when the next free slot is beyond maxWaitMs', async () => {
    // Prepare: a frozen clock (sleeps are recorded, time does not move) and one request a second.
    const clock = virtualClock('2026-03-02T10:00:00.000Z');
    const frozenSleep = async (ms: number) => void clock.sleeps.push(ms);
    const keyId = `timeout-${randomUUID()}`;
    const limiter = limiterFor(keyId, { perSecond: 1, maxWaitMs: 2000, now: clock.now, sleep: frozenSleep });

    // Act
    await limiter.acquire('uploadFile'); // slot now
    await limiter.acquire('uploadFile'); // slot +1100 ms: within the 2000 ms budget
    const third = await limiter.acquire('uploadFile').catch((error: unknown) => error);

    // Assess: the third would start 2200 ms from now; it was refused without sleeping.
    expect(third).toBeInstanceOf(RateLimitWaitTimeoutError);
    expect((third as RateLimitWaitTimeoutError).retryAfterMs).toBe(2200);
    // (The second slept until its slot, the last 25 ms alongside its read for holds.)
    expect(clock.sleeps).toEqual([1075, 25]);
    const item = await limiterItem(keyId);
    expect(item['used#2026-03-02']).toBe(2);
  });

  it("holds every caller back at least one second after reportThrottle('second')", async () => {
    // Prepare
    const clock = virtualClock('2026-03-02T11:00:00.000Z');
    const keyId = `hold-${randomUUID()}`;
    const grants: RateLimitGrant[] = [];
    const first = limiterFor(keyId, { now: clock.now, sleep: clock.sleep }, grants);
    const other = limiterFor(keyId, { now: clock.now, sleep: clock.sleep }, grants);
    await first.acquire('uploadFile');
    const throttledAt = clock.t;

    // Act: the API answered 403 over.qps; another environment asks for a slot shortly after.
    await first.reportThrottle('second');
    clock.t += 10;
    await other.acquire('getUploadStatus');

    // Assess
    expect(grants.map((g) => g.slotAt)).toEqual([throttledAt, throttledAt + 1000]);
    const item = await limiterItem(keyId);
    expect(item['holdUntil']).toBe(throttledAt + 1000);
  });

  it('makes a caller that reserved a slot before a throttle report wait for the hold, counting it once', async () => {
    // Prepare: A takes the free slot, B queues behind it; while B sleeps, C reports a 403 over.qps.
    const clock = virtualClock('2026-03-02T12:00:00.000Z');
    const keyId = `hold-queued-${randomUUID()}`;
    const grants: RateLimitGrant[] = [];
    const reporter = limiterFor(keyId, { now: clock.now, sleep: clock.sleep });
    let interrupted = false;
    const sleepThatSeesAThrottle = async (ms: number) => {
      if (!interrupted) {
        interrupted = true;
        clock.t += 100;
        await reporter.reportThrottle('second');
        clock.t += ms - 100;
        return;
      }
      clock.t += ms;
    };
    const a = limiterFor(keyId, { now: clock.now, sleep: clock.sleep }, grants);
    const b = limiterFor(keyId, { now: clock.now, sleep: sleepThatSeesAThrottle }, grants);
    const start = clock.t;

    // Act
    await a.acquire('uploadFile');
    await b.acquire('uploadFile');

    // Assess: B did not go at its reserved slot (start + 275) but after the hold (start + 100 + 1000).
    expect(grants.map((g) => g.slotAt)).toEqual([start, start + 1100]);
    const item = await limiterItem(keyId);
    expect(item['used#2026-03-02']).toBe(2);
  });
});

describe('DynamoDB rate limiter: the day quota', () => {
  it('throws DailyQuotaExhaustedError for every environment once the day is spent, until UTC midnight', async () => {
    // Prepare: three requests a day.
    const clock = virtualClock('2026-03-02T23:59:00.000Z');
    const keyId = `day-${randomUUID()}`;
    const options = { perSecond: 100, perDay: 3, now: clock.now, sleep: clock.sleep };
    const one = limiterFor(keyId, options);
    const another = limiterFor(keyId, options);
    await one.acquire('uploadFile');
    await one.acquire('uploadFile');
    await another.acquire('uploadFile');

    // Act
    const fromOne = await one.acquire('uploadFile').catch((error: unknown) => error);
    const fromAnother = await another.acquire('getUploadStatus').catch((error: unknown) => error);
    const state = await one.dailyState();

    // Assess
    for (const error of [fromOne, fromAnother]) {
      expect(error).toBeInstanceOf(DailyQuotaExhaustedError);
      expect((error as DailyQuotaExhaustedError).resetsAt.toISOString()).toBe('2026-03-03T00:00:00.000Z');
    }
    expect(state).toEqual({ used: 3, limit: 3, resetsAt: new Date('2026-03-03T00:00:00.000Z') });
    expect((await limiterItem(keyId))['used#2026-03-02']).toBe(3);
  });

  it('starts a fresh count at the reset and drops the previous day counter', async () => {
    // Prepare: the day spent just before midnight.
    const clock = virtualClock('2026-03-04T23:59:59.000Z');
    const keyId = `reset-${randomUUID()}`;
    const limiter = limiterFor(keyId, { perSecond: 100, perDay: 2, now: clock.now, sleep: clock.sleep });
    await limiter.acquire('uploadFile');
    await limiter.acquire('uploadFile');
    await expect(limiter.acquire('uploadFile')).rejects.toBeInstanceOf(DailyQuotaExhaustedError);

    // Act: the clock passes midnight.
    clock.t = Date.parse('2026-03-05T00:00:00.001Z');
    await limiter.acquire('uploadFile');

    // Assess
    const item = await limiterItem(keyId);
    expect(item['used#2026-03-05']).toBe(1);
    expect(item).not.toHaveProperty('used#2026-03-04');
    expect(await limiter.dailyState()).toEqual({ used: 1, limit: 2, resetsAt: new Date('2026-03-06T00:00:00.000Z') });
  });

  it("blocks every environment after reportThrottle('day') and tries again after the re-check interval", async () => {
    // Prepare: the API says the day is spent at 10:00 although our counter says 1.
    const clock = virtualClock('2026-03-06T10:00:00.000Z');
    const keyId = `api-day-${randomUUID()}`;
    const options = { now: clock.now, sleep: clock.sleep, dayThrottleRecheckMs: 30 * 60_000 };
    const reporter = limiterFor(keyId, options);
    const other = limiterFor(keyId, options);
    await reporter.acquire('uploadFile');

    // Act
    await reporter.reportThrottle('day');
    const blocked = await other.acquire('uploadFile').catch((error: unknown) => error);
    const stateWhileBlocked = await other.dailyState();
    clock.t = Date.parse('2026-03-06T10:30:00.001Z');
    await other.acquire('uploadFile');

    // Assess
    expect(blocked).toBeInstanceOf(DailyQuotaExhaustedError);
    expect((blocked as DailyQuotaExhaustedError).resetsAt.toISOString()).toBe('2026-03-06T10:30:00.000Z');
    expect(stateWhileBlocked).toEqual({ used: 10_000, limit: 10_000, resetsAt: new Date('2026-03-06T10:30:00.000Z') });
    expect((await limiterItem(keyId))['used#2026-03-06']).toBe(2);
  });

  it("ends a reportThrottle('day') block at the next reset plus the margin when that comes first", async () => {
    // Prepare
    const clock = virtualClock('2026-03-06T23:50:00.000Z');
    const keyId = `api-day-late-${randomUUID()}`;
    const limiter = limiterFor(keyId, { now: clock.now, sleep: clock.sleep, dayResumeMarginMs: 5 * 60_000 });

    // Act
    await limiter.reportThrottle('day');
    const blocked = await limiter.acquire('uploadFile').catch((error: unknown) => error);

    // Assess
    expect((blocked as DailyQuotaExhaustedError).resetsAt.toISOString()).toBe('2026-03-07T00:05:00.000Z');
  });
});
