/**
 * The limiter's decisions with a scripted table (what DynamoDB would answer), to pin down the commands
 * it sends. The behaviour under real concurrency is proven against DynamoDB Local in
 * test/integration/rate-limit/.
 */
import { describe, expect, it } from 'vitest';
import type { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { DailyQuotaExhaustedError, createDynamoRateLimiter } from '../../../shared/rate-limit/index.ts';

type Command = UpdateCommand | GetCommand;

/** A client that records each command and answers from a script. */
function scriptedClient(answers: Array<(command: Command) => unknown>) {
  const sent: Command[] = [];
  const client = {
    send: async (command: Command) => {
      sent.push(command);
      const answer = answers.shift();
      if (!answer) return {};
      const result = answer(command);
      if (result instanceof Error) throw result;
      return result;
    },
  } as unknown as DynamoDBDocumentClient;
  return { client, sent };
}

function conditionFailed(item: Record<string, unknown>): Error {
  return Object.assign(new Error('The conditional request failed'), {
    name: 'ConditionalCheckFailedException',
    Item: item,
  });
}

const T = Date.parse('2026-03-02T10:00:00.000Z');

describe('createDynamoRateLimiter', () => {
  it('takes a free slot with a single conditional UpdateItem and no wait', async () => {
    // Prepare
    const { client, sent } = scriptedClient([() => ({})]);
    const sleeps: number[] = [];
    const limiter = createDynamoRateLimiter({
      tableName: 'limits',
      client,
      perSecond: 4,
      perDay: 10_000,
      keyId: 'k',
      now: () => T,
      sleep: async (ms) => void sleeps.push(ms),
    });

    // Act
    await limiter.acquire('uploadFile');

    // Assess
    expect(sent).toHaveLength(1);
    expect(sent[0]?.input).toMatchObject({
      TableName: 'limits',
      Key: { pk: 'api-rate#k' },
      ExpressionAttributeNames: { '#day': 'used#2026-03-02', '#prev': 'used#2026-03-01' },
      ExpressionAttributeValues: { ':now': T, ':nextSlot': T + 275, ':limit': 10_000 },
    });
    expect(sleeps).toEqual([]);
  });

  it('reserves the queued slot the table names and sleeps until it, the hold check overlapping the end', async () => {
    // Prepare: the slot is taken until T + 500; the reservation answers with the old nextSlotAt.
    const { client, sent } = scriptedClient([
      () => conditionFailed({ nextSlotAt: { N: String(T + 500) } }),
      () => ({ Attributes: { nextSlotAt: T + 500 } }),
      () => ({ Item: {} }),
    ]);
    const sleeps: number[] = [];
    const limiter = createDynamoRateLimiter({
      tableName: 'limits',
      client,
      perSecond: 4,
      perDay: 10_000,
      now: () => T,
      sleep: async (ms) => void sleeps.push(ms),
    });

    // Act
    await limiter.acquire('getUploadStatus');

    // Assess
    // 475 ms, then the last 25 ms alongside the read for holds: the request leaves at its slot.
    expect(sleeps).toEqual([475, 25]);
    expect(sent.map((c) => c.constructor.name)).toEqual(['UpdateCommand', 'UpdateCommand', 'GetCommand']);
    expect(sent[1]?.input).toMatchObject({ UpdateExpression: expect.stringContaining('#next = #next + :interval') });
  });

  it('remembers a spent day and refuses further requests without asking DynamoDB', async () => {
    // Prepare
    const { client, sent } = scriptedClient([
      () => conditionFailed({ 'used#2026-03-02': { N: '10' }, nextSlotAt: { N: String(T - 1) } }),
    ]);
    const limiter = createDynamoRateLimiter({ tableName: 'limits', client, perSecond: 4, perDay: 10, now: () => T });

    // Act
    const first = await limiter.acquire('uploadFile').catch((e: unknown) => e);
    const second = await limiter.acquire('uploadFile').catch((e: unknown) => e);

    // Assess
    expect(first).toBeInstanceOf(DailyQuotaExhaustedError);
    expect(second).toBeInstanceOf(DailyQuotaExhaustedError);
    expect((second as DailyQuotaExhaustedError).resetsAt).toEqual(new Date('2026-03-03T00:00:00.000Z'));
    expect(sent).toHaveLength(1);
  });

  it('works as a detached function (the client calls the hook without `this`)', async () => {
    // Prepare
    const { client } = scriptedClient([() => ({})]);
    const { acquire } = createDynamoRateLimiter({
      tableName: 'limits',
      client,
      perSecond: 4,
      perDay: 10,
      now: () => T,
    });

    // Act / Assess
    await expect(acquire('listFolders')).resolves.toBeUndefined();
  });

  it("spaces slots further apart after reportThrottle('second') when the margin may adapt", async () => {
    // Prepare: every reservation takes a free slot ('now' branch); the hold's writes succeed.
    const { client, sent } = scriptedClient([]);
    const limiter = createDynamoRateLimiter({
      tableName: 'limits',
      client,
      perSecond: 4,
      perDay: 10_000,
      keyId: 'k',
      safetyMargin: 0.05,
      maxSafetyMargin: 0.2,
      now: () => T,
      sleep: async () => undefined,
    });
    const nextSlot = () =>
      (sent.at(-1)?.input as { ExpressionAttributeValues?: Record<string, number> }).ExpressionAttributeValues?.[
        ':nextSlot'
      ];
    // Act
    await limiter.acquire('uploadFile');
    const before = nextSlot();
    await limiter.reportThrottle('second');
    const limiterAfter = createDynamoRateLimiter({
      tableName: 'limits',
      client,
      perSecond: 4,
      perDay: 10_000,
      keyId: 'k',
      safetyMargin: 0.05,
      now: () => T + 5000,
      sleep: async () => undefined,
    });
    await limiterAfter.acquire('uploadFile');
    const fixedMargin = nextSlot();
    await limiter.acquire('getUploadStatus');
    // Assess: 250 ms × 1.05, then × 1.10 after one throttle; a fixed-margin limiter keeps 1.05.
    expect(before).toBe(T + 263);
    expect(fixedMargin).toBe(T + 5000 + 263);
    const reservations = sent.filter((c) => (c.input as { UpdateExpression?: string }).UpdateExpression !== undefined);
    expect(reservations.at(-1)?.input).toMatchObject({ ExpressionAttributeValues: { ':interval': 275 } });
  });
});
