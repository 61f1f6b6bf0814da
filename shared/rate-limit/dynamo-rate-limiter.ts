/**
 * One request budget for the whole pipeline: every function, every concurrent invocation, per API key.
 *
 * The library API allows 4 requests per second and 10,000 per day per API key and answers 403 when
 * either is exceeded (API-NOTES.md). Lambda scales out, so no in-process limiter can keep a fleet under
 * that: the budget lives in one DynamoDB item of the limits table (`pk` string, TTL `expiresAt`).
 *
 * ## Per second: spaced slots, reserved with one conditional write
 *
 * The API's window semantics are unknown (fixed one-second windows or a sliding window). Grants spaced
 * at least `1000 / perSecond` ms apart satisfy both: no window of one second, aligned or not, can hold
 * more than `perSecond` of them. A safety margin (default 10 %: 275 ms at 4/s, i.e. 3.6 req/s) absorbs
 * clock skew between Lambda hosts and jitter in the time requests take to reach the API.
 *
 * The item holds `nextSlotAt`: the earliest time the next request may start. `acquire` either
 * - takes the slot now when `nextSlotAt <= now` (SET nextSlotAt = now + interval), or
 * - reserves the slot at `nextSlotAt` when it is in the future (SET nextSlotAt = nextSlotAt + interval,
 *   returning the old value), then sleeps until it.
 * Both are single conditional UpdateItems, serialised by DynamoDB, so every caller gets a distinct slot
 * and slots are `interval` apart whatever the concurrency: a virtual-scheduling (GCRA) queue with no
 * thundering herd and no polling. A reservation further away than `maxWaitMs` is refused by the
 * condition itself, and the caller gets `RateLimitWaitTimeoutError` at once instead of waiting.
 *
 * ## Per day: a counter in the same item
 *
 * The same UpdateItem adds one to `used#<YYYY-MM-DD>` (the UTC day window, see day-window.ts) with the
 * condition `used < perDay`, and removes yesterday's counter. When the day is spent the condition fails
 * and `acquire` throws `DailyQuotaExhaustedError` with `resetsAt`; the process remembers it until then,
 * so an exhausted day costs no further writes here. A request is counted in the window current when it
 * reserves its slot: one reserved just before midnight and made just after counts for the old day (at
 * most `maxWaitMs x perSecond` requests, ~36 with the defaults). If the whole quota is in use every
 * day, set `perDay` (REQUESTS_PER_DAY) that much below the API's limit.
 *
 * ## When the API says otherwise
 *
 * - `reportThrottle('second')` sets `holdUntil = now + 1 s` and moves `nextSlotAt` to at least that:
 *   no new slot starts before it. Callers that had already reserved an earlier slot check `holdUntil`
 *   after their sleep (one read) and reserve again after the hold.
 * - `reportThrottle('day')` sets `dayBlockedUntil` to the next window start plus `dayResumeMarginMs`,
 *   but at most `dayThrottleRecheckMs` ahead: the API's reset time is undocumented, so the pipeline
 *   tries again periodically rather than trusting our guess for a whole day.
 *
 * ## DynamoDB cost per request (item < 1 KB)
 *
 * - free slot: 1 UpdateItem (1 WCU);
 * - queued (a backlog): 1 UpdateItem + 1 strongly consistent GetItem after the wait (1 WCU + 1 RCU);
 * - plus 1 WCU for a failed conditional write when this process's view of the queue was stale, or when
 *   another caller won a race (rare, bounded).
 * At 10,000 requests a day that is at most ~30,000 WCU + 10,000 RCU a day: cents per month on demand.
 * One item takes at most 4 writes a second, far below DynamoDB's per-item limit of 1,000.
 */
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { LibraryOperation } from '../library/types.ts';
import { dayWindowAt, previousDayLabel } from './day-window.ts';
import { DailyQuotaExhaustedError, RateLimitWaitTimeoutError } from './errors.ts';

export interface ApiRateLimiter {
  /**
   * Waits for a per-second slot and counts one request against the day. Usable as the library client's
   * `beforeRequest` hook (it needs no `this`). Throws `DailyQuotaExhaustedError` or
   * `RateLimitWaitTimeoutError` instead of letting a request through.
   */
  acquire(operation: LibraryOperation): Promise<void>;
  /** After a 403 from the API: `second` holds every caller back at least 1 s; `day` marks the quota spent. */
  reportThrottle(scope: 'second' | 'day'): Promise<void>;
  /** The day window's count as the table holds it (a strongly consistent read). */
  dailyState(): Promise<{ used: number; limit: number; resetsAt: Date }>;
}

/** What the limiter decided for one `acquire`, for metrics, logs and tests. */
export interface RateLimitGrant {
  operation: LibraryOperation;
  /** The slot's start (epoch ms): the limiter let the caller go at or after this time. */
  slotAt: number;
  /** How long the caller was held back (ms). */
  waitedMs: number;
  /** The day window the request was counted in. */
  day: string;
}

export interface DynamoRateLimiterOptions {
  /** The limits table (partition key `pk`, string; TTL attribute `expiresAt`). */
  tableName: string;
  client: DynamoDBDocumentClient;
  /** Requests per second the API allows (4). */
  perSecond: number;
  /** Requests per day the API allows (10,000). */
  perDay: number;
  /** Clock in epoch ms (default `Date.now`). */
  now?: () => number;
  /** How to wait (default `setTimeout`). */
  sleep?: (ms: number) => Promise<void>;
  /** Longest an `acquire` may wait for a slot (default 10,000 ms). Keep it well below the Lambda timeout. */
  maxWaitMs?: number;
  /**
   * Which API key this budget belongs to (not the key itself: see `rateLimitKeyId`). Default `default`.
   * All functions using the same key must use the same id.
   */
  keyId?: string;
  /** Extra spacing between grants, as a fraction of `1000 / perSecond` (default 0.1). */
  safetyMargin?: number;
  /** Overrides the computed spacing between grants (ms). */
  minIntervalMs?: number;
  /** Shift of the day window from UTC midnight, in minutes (default 0). */
  dayResetOffsetMinutes?: number;
  /** After the API reports the day spent, wait this long past the next window start (default 5 min). */
  dayResumeMarginMs?: number;
  /** After the API reports the day spent, try again at the latest after this long (default 30 min). */
  dayThrottleRecheckMs?: number;
  /** How long `reportThrottle('second')` holds every caller back (default 1000 ms). */
  secondThrottleHoldMs?: number;
  /** Told of every grant (e.g. to record the wait as a metric). */
  onGrant?: (grant: RateLimitGrant) => void;
}

/** Attribute names on the limiter's item. */
const ATTR = {
  pk: 'pk',
  nextSlotAt: 'nextSlotAt',
  holdUntil: 'holdUntil',
  dayBlockedUntil: 'dayBlockedUntil',
  expiresAt: 'expiresAt',
  usedPrefix: 'used#',
} as const;

/** The item is kept for two days after its last write (DynamoDB TTL); an idle key's budget vanishes. */
const ITEM_TTL_SECONDS = 2 * 86_400;
/** Races lost in a row before `acquire` gives up (each lost race means someone else got a slot). */
const MAX_CONTENDED_WRITES = 8;
/** Re-reservations after `reportThrottle('second')` holds before `acquire` gives up. */
const MAX_HOLD_ROUNDS = 5;

interface LimiterItem {
  nextSlotAt?: number;
  holdUntil?: number;
  dayBlockedUntil?: number;
  [used: `used#${string}`]: number | undefined;
}

type Branch = 'now' | 'queue';

export function createDynamoRateLimiter(options: DynamoRateLimiterOptions): ApiRateLimiter {
  if (!(options.perSecond > 0) || !(options.perDay > 0)) {
    throw new RangeError('perSecond and perDay must be positive');
  }
  const { tableName, client, perDay } = options;
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? defaultSleep;
  const maxWaitMs = options.maxWaitMs ?? 10_000;
  const keyId = options.keyId ?? 'default';
  const intervalMs =
    options.minIntervalMs ?? Math.ceil((1000 / options.perSecond) * (1 + (options.safetyMargin ?? 0.1)));
  const offsetMinutes = options.dayResetOffsetMinutes ?? 0;
  const resumeMarginMs = options.dayResumeMarginMs ?? 5 * 60_000;
  const recheckMs = options.dayThrottleRecheckMs ?? 30 * 60_000;
  const holdMs = options.secondThrottleHoldMs ?? 1000;
  const key = { [ATTR.pk]: `api-rate#${keyId}` };

  /** This process's last view of `nextSlotAt`: picks the branch likely to succeed first. */
  let knownNextSlotAt = 0;
  /** The day is known to be spent until then (no need to ask DynamoDB again). */
  let knownBlocked: { until: number; used: number; reportedByApi: boolean } | undefined;

  const expiresAt = (t: number) => Math.floor(t / 1000) + ITEM_TTL_SECONDS;

  const dayExhausted = (until: number, used: number, reportedByApi: boolean): DailyQuotaExhaustedError => {
    knownBlocked = { until, used, reportedByApi };
    return new DailyQuotaExhaustedError({ resetsAt: new Date(until), used, limit: perDay, reportedByApi });
  };

  /** One conditional UpdateItem for a branch; resolves to the slot, or to the item that refused it. */
  const tryReserve = async (
    branch: Branch,
    t: number,
    deadline: number,
    countDay: boolean,
  ): Promise<{ slotAt: number } | { refusedBy: LimiterItem }> => {
    const day = dayWindowAt(t, offsetMinutes);
    const names: Record<string, string> = {
      '#next': ATTR.nextSlotAt,
      '#exp': ATTR.expiresAt,
      '#blocked': ATTR.dayBlockedUntil,
    };
    const values: Record<string, unknown> = { ':now': t, ':exp': expiresAt(t) };
    const conditions: string[] = ['(attribute_not_exists(#blocked) OR #blocked <= :now)'];
    let update: string;
    if (branch === 'now') {
      conditions.unshift('(attribute_not_exists(#next) OR #next <= :now)');
      values[':nextSlot'] = t + intervalMs;
      update = 'SET #next = :nextSlot, #exp = :exp';
    } else {
      conditions.unshift('#next > :now', '#next <= :deadline');
      values[':deadline'] = deadline;
      values[':interval'] = intervalMs;
      update = 'SET #next = #next + :interval, #exp = :exp';
    }
    if (countDay) {
      names['#day'] = `${ATTR.usedPrefix}${day.label}`;
      names['#prev'] = `${ATTR.usedPrefix}${previousDayLabel(t, offsetMinutes)}`;
      values[':one'] = 1;
      values[':limit'] = perDay;
      conditions.push('(attribute_not_exists(#day) OR #day < :limit)');
      update += ' ADD #day :one REMOVE #prev';
    }
    try {
      const result = await client.send(
        new UpdateCommand({
          TableName: tableName,
          Key: key,
          UpdateExpression: update,
          ConditionExpression: conditions.join(' AND '),
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnValues: 'UPDATED_OLD',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      if (branch === 'now') {
        knownNextSlotAt = t + intervalMs;
        return { slotAt: t };
      }
      const slotAt = Number((result.Attributes as LimiterItem | undefined)?.nextSlotAt);
      knownNextSlotAt = slotAt + intervalMs;
      return { slotAt };
    } catch (error) {
      if (isConditionalCheckFailed(error)) return { refusedBy: itemOf(error) };
      throw error;
    }
  };

  /** Reserves a slot no later than `deadline`; throws when the day is spent or the queue is too long. */
  const reserve = async (deadline: number, countDay: boolean): Promise<number> => {
    let branch: Branch = knownNextSlotAt > now() ? 'queue' : 'now';
    for (let attempt = 0; attempt < MAX_CONTENDED_WRITES; attempt++) {
      const t = now();
      const outcome = await tryReserve(branch, t, deadline, countDay);
      if ('slotAt' in outcome) return outcome.slotAt;
      const item = outcome.refusedBy;
      const day = dayWindowAt(t, offsetMinutes);
      const used = Number(item[`${ATTR.usedPrefix}${day.label}`] ?? 0);
      if (item.dayBlockedUntil !== undefined && item.dayBlockedUntil > t) {
        throw dayExhausted(item.dayBlockedUntil, Math.max(used, perDay), true);
      }
      if (countDay && used >= perDay) throw dayExhausted(day.resetsAt, used, false);
      const next = item.nextSlotAt ?? 0;
      knownNextSlotAt = next;
      if (next > deadline) {
        throw new RateLimitWaitTimeoutError({ maxWaitMs, retryAfterMs: Math.max(0, next - t) });
      }
      branch = next > t ? 'queue' : 'now';
    }
    throw new RateLimitWaitTimeoutError({
      maxWaitMs,
      retryAfterMs: Math.max(0, knownNextSlotAt - now()),
      reason: `lost ${MAX_CONTENDED_WRITES} races for a slot in a row`,
    });
  };

  const readItem = async (projection: string[]): Promise<LimiterItem | undefined> => {
    const result = await client.send(
      new GetCommand({
        TableName: tableName,
        Key: key,
        ConsistentRead: true,
        ProjectionExpression: projection.map((_, i) => `#p${i}`).join(', '),
        ExpressionAttributeNames: Object.fromEntries(projection.map((name, i) => [`#p${i}`, name])),
      }),
    );
    return result.Item as LimiterItem | undefined;
  };

  const acquire = async (operation: LibraryOperation): Promise<void> => {
    const start = now();
    if (knownBlocked && knownBlocked.until > start) {
      throw new DailyQuotaExhaustedError({
        resetsAt: new Date(knownBlocked.until),
        used: knownBlocked.used,
        limit: perDay,
        reportedByApi: knownBlocked.reportedByApi,
      });
    }
    const deadline = start + maxWaitMs;
    let countDay = true;
    for (let round = 0; round < MAX_HOLD_ROUNDS; round++) {
      const slotAt = await reserve(deadline, countDay);
      countDay = false;
      const before = now();
      if (slotAt > before) {
        await sleep(slotAt - before);
        // A hold placed after this slot was reserved must still be honoured: look once.
        const check = await readItem([ATTR.holdUntil, ATTR.dayBlockedUntil]);
        const t = now();
        if (check?.dayBlockedUntil !== undefined && check.dayBlockedUntil > t) {
          throw dayExhausted(check.dayBlockedUntil, perDay, true);
        }
        if (check?.holdUntil !== undefined && check.holdUntil > slotAt) {
          knownNextSlotAt = Math.max(knownNextSlotAt, check.holdUntil);
          continue;
        }
      }
      options.onGrant?.({
        operation,
        slotAt,
        waitedMs: Math.max(0, now() - start),
        day: dayWindowAt(slotAt, offsetMinutes).label,
      });
      return;
    }
    throw new RateLimitWaitTimeoutError({
      maxWaitMs,
      retryAfterMs: Math.max(0, knownNextSlotAt - now()),
      reason: 'the API kept throttling while this caller waited',
    });
  };

  const conditionalUpdate = async (input: {
    update: string;
    condition: string;
    names: Record<string, string>;
    values: Record<string, unknown>;
  }): Promise<boolean> => {
    try {
      await client.send(
        new UpdateCommand({
          TableName: tableName,
          Key: key,
          UpdateExpression: input.update,
          ConditionExpression: input.condition,
          ExpressionAttributeNames: input.names,
          ExpressionAttributeValues: input.values,
        }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
  };

  const reportThrottle = async (scope: 'second' | 'day'): Promise<void> => {
    const t = now();
    if (scope === 'second') {
      const until = t + holdMs;
      knownNextSlotAt = Math.max(knownNextSlotAt, until);
      const names = { '#hold': ATTR.holdUntil, '#next': ATTR.nextSlotAt, '#exp': ATTR.expiresAt };
      const values = { ':until': until, ':exp': expiresAt(t) };
      // Push the next slot to the end of the hold, unless it is already later (reservations queued).
      const moved = await conditionalUpdate({
        update: 'SET #hold = :until, #next = :until, #exp = :exp',
        condition: 'attribute_not_exists(#next) OR #next < :until',
        names,
        values,
      });
      if (!moved) {
        await conditionalUpdate({
          update: 'SET #hold = :until, #exp = :exp',
          condition: 'attribute_not_exists(#hold) OR #hold < :until',
          names: { '#hold': ATTR.holdUntil, '#exp': ATTR.expiresAt },
          values,
        });
      }
      return;
    }
    const until = Math.min(dayWindowAt(t, offsetMinutes).resetsAt + resumeMarginMs, t + recheckMs);
    knownBlocked = { until, used: perDay, reportedByApi: true };
    await conditionalUpdate({
      update: 'SET #blocked = :until, #exp = :exp',
      condition: 'attribute_not_exists(#blocked) OR #blocked < :until',
      names: { '#blocked': ATTR.dayBlockedUntil, '#exp': ATTR.expiresAt },
      values: { ':until': until, ':exp': expiresAt(t) },
    });
  };

  const dailyState = async (): Promise<{ used: number; limit: number; resetsAt: Date }> => {
    const t = now();
    const day = dayWindowAt(t, offsetMinutes);
    const dayAttr = `${ATTR.usedPrefix}${day.label}`;
    const item = await readItem([dayAttr, ATTR.dayBlockedUntil]);
    const used = Number(item?.[dayAttr as `used#${string}`] ?? 0);
    if (item?.dayBlockedUntil !== undefined && item.dayBlockedUntil > t) {
      return { used: Math.max(used, perDay), limit: perDay, resetsAt: new Date(item.dayBlockedUntil) };
    }
    return { used, limit: perDay, resetsAt: new Date(day.resetsAt) };
  };

  return { acquire, reportThrottle, dailyState };
}

function defaultSleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function isConditionalCheckFailed(error: unknown): error is Error & { Item?: Record<string, unknown> } {
  return error instanceof Error && error.name === 'ConditionalCheckFailedException';
}

/** The item returned with a failed condition; the document client leaves it in wire format. */
function itemOf(error: Error & { Item?: Record<string, unknown> }): LimiterItem {
  const raw = error.Item;
  if (!raw) return {};
  const looksMarshalled = Object.values(raw).every(
    (value) => value !== null && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length === 1,
  );
  return (looksMarshalled ? unmarshall(raw as Record<string, AttributeValue>) : raw) as LimiterItem;
}
