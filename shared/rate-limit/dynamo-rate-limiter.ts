/**
 * The API key's budget (4 requests a second, 10,000 a day) for the whole fleet, in one DynamoDB item:
 * per-second slots spaced `intervalMs` apart, each reserved by one conditional UpdateItem that also
 * counts the day. The design, its guarantees and its cost: docs/library-api.md, "The shared rate limiter".
 */
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { LibraryOperation } from '../library/types.ts';
import { AdaptiveMargin } from './adaptive-margin.ts';
import { dayWindowAt, previousDayLabel } from './day-window.ts';
import { DailyQuotaExhaustedError, RateLimitWaitTimeoutError } from './errors.ts';
import {
  ATTR,
  expiresAtFor,
  isConditionalCheckFailed,
  itemOf,
  reservationExpressions,
  usedAttr,
} from './limiter-item.ts';
import type { Branch, LimiterItem, UpdateExpressions } from './limiter-item.ts';
import { resolveLimiterSettings } from './limiter-types.ts';
import type { ApiRateLimiter, DynamoRateLimiterOptions, LimiterSettings } from './limiter-types.ts';

/** Races lost in a row before `acquire` gives up (each lost race means someone else got a slot). */
const MAX_CONTENDED_WRITES = 8;
/** Re-reservations after `reportThrottle('second')` holds before `acquire` gives up. */
const MAX_HOLD_ROUNDS = 5;
/** How long before its slot a waiting caller reads the item for holds (about one DynamoDB read). */
const HOLD_CHECK_LEAD_MS = 25;

/** The day is known to be spent until `until`: no need to ask DynamoDB again. */
interface KnownBlock {
  until: number;
  used: number;
  reportedByApi: boolean;
}

/**
 * The DynamoDB-backed limiter. Its methods are bound, so `limiter.acquire` can be handed over as the
 * library client's `beforeRequest` hook.
 */
export class DynamoRateLimiter implements ApiRateLimiter {
  readonly #settings: LimiterSettings;
  readonly #key: Record<string, string>;
  /** This process's last view of `nextSlotAt`: picks the branch likely to succeed first. */
  #knownNextSlotAt = 0;
  #knownBlock: KnownBlock | undefined;
  /** Widened by per-second throttles, narrowed by grants; `undefined` for a fixed spacing. */
  readonly #margin: AdaptiveMargin | undefined;
  /** The end of the last hold this process placed, to tell another process's hold from its own. */
  #ownHoldUntil = 0;

  constructor(options: DynamoRateLimiterOptions) {
    this.#settings = resolveLimiterSettings(options);
    this.#margin = this.#settings.margin && new AdaptiveMargin(this.#settings.margin);
    this.#key = { [ATTR.pk]: `api-rate#${this.#settings.keyId}` };
    this.acquire = this.acquire.bind(this);
    this.reportThrottle = this.reportThrottle.bind(this);
    this.dailyState = this.dailyState.bind(this);
  }

  /** {@inheritDoc ApiRateLimiter.acquire} */
  async acquire(operation: LibraryOperation): Promise<void> {
    const start = this.#settings.now();
    this.#throwIfKnownBlocked(start);
    const deadline = start + this.#settings.maxWaitMs;
    for (let round = 0; round < MAX_HOLD_ROUNDS; round++) {
      const slotAt = await this.#reserve(deadline, round === 0);
      if (await this.#heldAfterWaiting(slotAt)) continue;
      this.#margin?.granted();
      this.#settings.onGrant?.({
        operation,
        slotAt,
        waitedMs: Math.max(0, this.#settings.now() - start),
        day: dayWindowAt(slotAt, this.#settings.offsetMinutes).label,
      });
      return;
    }
    throw this.#waitTimeout('the API kept throttling while this caller waited');
  }

  /** {@inheritDoc ApiRateLimiter.reportThrottle} */
  async reportThrottle(scope: 'second' | 'day'): Promise<void> {
    const t = this.#settings.now();
    if (scope === 'second') {
      this.#margin?.widen();
      await this.#holdEveryone(t);
    } else await this.#blockDay(t);
  }

  /** The spacing between grants now (ms): the base spacing plus the current margin. */
  #intervalMs(): number {
    const { baseIntervalMs, intervalMs } = this.#settings;
    return this.#margin ? Math.ceil(baseIntervalMs * (1 + this.#margin.current)) : intervalMs;
  }

  /** {@inheritDoc ApiRateLimiter.dailyState} */
  async dailyState(): Promise<{ used: number; limit: number; resetsAt: Date }> {
    const { now, offsetMinutes, perDay } = this.#settings;
    const t = now();
    const day = dayWindowAt(t, offsetMinutes);
    const dayAttr = usedAttr(day.label);
    const item = await this.#readItem([dayAttr, ATTR.dayBlockedUntil]);
    const used = Number(item?.[dayAttr] ?? 0);
    if (item?.dayBlockedUntil !== undefined && item.dayBlockedUntil > t) {
      return { used: Math.max(used, perDay), limit: perDay, resetsAt: new Date(item.dayBlockedUntil) };
    }
    return { used, limit: perDay, resetsAt: new Date(day.resetsAt) };
  }

  #throwIfKnownBlocked(t: number): void {
    const block = this.#knownBlock;
    if (!block || block.until <= t) return;
    throw new DailyQuotaExhaustedError({
      resetsAt: new Date(block.until),
      used: block.used,
      limit: this.#settings.perDay,
      reportedByApi: block.reportedByApi,
    });
  }

  /**
   * Sleeps until a future slot, then looks once for a hold or a day block placed after the slot was
   * reserved. True when a hold moved past the slot (the caller reserves again).
   */
  async #heldAfterWaiting(slotAt: number): Promise<boolean> {
    const { now, sleep } = this.#settings;
    const before = now();
    if (slotAt <= before) return false;
    // The check's read overlaps the wait's last moments, so the request leaves at its slot and not one
    // read's latency after it: that latency varies, and the variation is what the margin must absorb.
    const lead = Math.min(slotAt - before, HOLD_CHECK_LEAD_MS);
    if (slotAt - before > lead) await sleep(slotAt - before - lead);
    const [check] = await Promise.all([this.#readItem([ATTR.holdUntil, ATTR.dayBlockedUntil]), sleep(lead)]);
    const t = now();
    if (check?.dayBlockedUntil !== undefined && check.dayBlockedUntil > t) {
      throw this.#dayExhausted(check.dayBlockedUntil, this.#settings.perDay, true);
    }
    if (check?.holdUntil === undefined || check.holdUntil <= slotAt) return false;
    // Another process was throttled: the margin was too small for it, so it is for this one too.
    if (check.holdUntil !== this.#ownHoldUntil) this.#margin?.widen();
    this.#knownNextSlotAt = Math.max(this.#knownNextSlotAt, check.holdUntil);
    return true;
  }

  /** Reserves a slot no later than `deadline`; throws when the day is spent or the queue is too long. */
  async #reserve(deadline: number, countDay: boolean): Promise<number> {
    const { now } = this.#settings;
    let branch: Branch = this.#knownNextSlotAt > now() ? 'queue' : 'now';
    for (let attempt = 0; attempt < MAX_CONTENDED_WRITES; attempt++) {
      const t = now();
      const outcome = await this.#tryReserve(branch, t, deadline, countDay);
      if ('slotAt' in outcome) return outcome.slotAt;
      branch = this.#branchAfterRefusal(outcome.refusedBy, t, deadline, countDay);
    }
    throw this.#waitTimeout(`lost ${MAX_CONTENDED_WRITES} races for a slot in a row`);
  }

  /** One conditional UpdateItem; resolves to the slot, or to the item that refused it. */
  async #tryReserve(
    branch: Branch,
    t: number,
    deadline: number,
    countDay: boolean,
  ): Promise<{ slotAt: number } | { refusedBy: LimiterItem }> {
    const { offsetMinutes, perDay } = this.#settings;
    const intervalMs = this.#intervalMs();
    const count = countDay
      ? { day: dayWindowAt(t, offsetMinutes).label, previousDay: previousDayLabel(t, offsetMinutes), perDay }
      : undefined;
    const expressions = reservationExpressions({ branch, t, deadline, intervalMs, ...(count ? { count } : {}) });
    try {
      const result = await this.#update(expressions, true);
      const slotAt = branch === 'now' ? t : Number((result.Attributes as LimiterItem | undefined)?.nextSlotAt);
      this.#knownNextSlotAt = slotAt + intervalMs;
      return { slotAt };
    } catch (error) {
      if (isConditionalCheckFailed(error)) return { refusedBy: itemOf(error) };
      throw error;
    }
  }

  /** Why a reservation was refused: a spent day or a too long queue throw; a lost race picks a branch. */
  #branchAfterRefusal(item: LimiterItem, t: number, deadline: number, countDay: boolean): Branch {
    const { offsetMinutes, perDay, maxWaitMs } = this.#settings;
    const day = dayWindowAt(t, offsetMinutes);
    const used = Number(item[usedAttr(day.label)] ?? 0);
    if (item.dayBlockedUntil !== undefined && item.dayBlockedUntil > t) {
      throw this.#dayExhausted(item.dayBlockedUntil, Math.max(used, perDay), true);
    }
    if (countDay && used >= perDay) throw this.#dayExhausted(day.resetsAt, used, false);
    const next = item.nextSlotAt ?? 0;
    this.#knownNextSlotAt = next;
    if (next > deadline) throw new RateLimitWaitTimeoutError({ maxWaitMs, retryAfterMs: Math.max(0, next - t) });
    return next > t ? 'queue' : 'now';
  }

  /** `reportThrottle('second')`: no slot starts before the hold ends, queued reservations included. */
  async #holdEveryone(t: number): Promise<void> {
    const until = t + this.#settings.holdMs;
    this.#ownHoldUntil = until;
    this.#knownNextSlotAt = Math.max(this.#knownNextSlotAt, until);
    const values = { ':until': until, ':exp': expiresAtFor(t) };
    // Push the next slot to the end of the hold, unless it is already later (reservations queued).
    const moved = await this.#conditionalUpdate({
      UpdateExpression: 'SET #hold = :until, #next = :until, #exp = :exp',
      ConditionExpression: 'attribute_not_exists(#next) OR #next < :until',
      ExpressionAttributeNames: { '#hold': ATTR.holdUntil, '#next': ATTR.nextSlotAt, '#exp': ATTR.expiresAt },
      ExpressionAttributeValues: values,
    });
    if (moved) return;
    await this.#conditionalUpdate({
      UpdateExpression: 'SET #hold = :until, #exp = :exp',
      ConditionExpression: 'attribute_not_exists(#hold) OR #hold < :until',
      ExpressionAttributeNames: { '#hold': ATTR.holdUntil, '#exp': ATTR.expiresAt },
      ExpressionAttributeValues: values,
    });
  }

  /** `reportThrottle('day')`: blocked until the next window plus a margin, re-checked periodically. */
  async #blockDay(t: number): Promise<void> {
    const { offsetMinutes, resumeMarginMs, recheckMs, perDay } = this.#settings;
    const until = Math.min(dayWindowAt(t, offsetMinutes).resetsAt + resumeMarginMs, t + recheckMs);
    this.#knownBlock = { until, used: perDay, reportedByApi: true };
    await this.#conditionalUpdate({
      UpdateExpression: 'SET #blocked = :until, #exp = :exp',
      ConditionExpression: 'attribute_not_exists(#blocked) OR #blocked < :until',
      ExpressionAttributeNames: { '#blocked': ATTR.dayBlockedUntil, '#exp': ATTR.expiresAt },
      ExpressionAttributeValues: { ':until': until, ':exp': expiresAtFor(t) },
    });
  }

  #dayExhausted(until: number, used: number, reportedByApi: boolean): DailyQuotaExhaustedError {
    this.#knownBlock = { until, used, reportedByApi };
    return new DailyQuotaExhaustedError({
      resetsAt: new Date(until),
      used,
      limit: this.#settings.perDay,
      reportedByApi,
    });
  }

  #waitTimeout(reason: string): RateLimitWaitTimeoutError {
    const retryAfterMs = Math.max(0, this.#knownNextSlotAt - this.#settings.now());
    return new RateLimitWaitTimeoutError({ maxWaitMs: this.#settings.maxWaitMs, retryAfterMs, reason });
  }

  async #readItem(projection: string[]): Promise<LimiterItem | undefined> {
    const result = await this.#settings.client.send(
      new GetCommand({
        TableName: this.#settings.tableName,
        Key: this.#key,
        ConsistentRead: true,
        ProjectionExpression: projection.map((_, i) => `#p${i}`).join(', '),
        ExpressionAttributeNames: Object.fromEntries(projection.map((name, i) => [`#p${i}`, name])),
      }),
    );
    return result.Item as LimiterItem | undefined;
  }

  /** Sends one UpdateItem; `returnOld` also returns the old values (and the item refusing the condition). */
  #update(expressions: UpdateExpressions, returnOld = false) {
    const returns = returnOld
      ? ({ ReturnValues: 'UPDATED_OLD', ReturnValuesOnConditionCheckFailure: 'ALL_OLD' } as const)
      : {};
    return this.#settings.client.send(
      new UpdateCommand({ TableName: this.#settings.tableName, Key: this.#key, ...expressions, ...returns }),
    );
  }

  /** An UpdateItem whose failed condition is an answer (false), not an error. */
  async #conditionalUpdate(expressions: UpdateExpressions): Promise<boolean> {
    try {
      await this.#update(expressions);
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
  }
}

/** Creates the shared limiter (see DynamoRateLimiterOptions for the defaults). */
export function createDynamoRateLimiter(options: DynamoRateLimiterOptions): ApiRateLimiter {
  return new DynamoRateLimiter(options);
}
