/**
 * The limiter's DynamoDB item: its attribute names and the conditional UpdateItem that reserves a slot.
 * The item's design: docs/library-api.md, "The shared rate limiter".
 */
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';

/** Attribute names on the limiter's item. */
export const ATTR = {
  pk: 'pk',
  nextSlotAt: 'nextSlotAt',
  holdUntil: 'holdUntil',
  dayBlockedUntil: 'dayBlockedUntil',
  expiresAt: 'expiresAt',
  usedPrefix: 'used#',
} as const;

/** The item as read back. */
export interface LimiterItem {
  nextSlotAt?: number;
  holdUntil?: number;
  dayBlockedUntil?: number;
  [used: `used#${string}`]: number | undefined;
}

/** The item is kept for two days after its last write (DynamoDB TTL); an idle key's budget vanishes. */
const ITEM_TTL_SECONDS = 2 * 86_400;

/** The TTL attribute's value for a write at `t` (epoch ms). */
export function expiresAtFor(t: number): number {
  return Math.floor(t / 1000) + ITEM_TTL_SECONDS;
}

/** The day counter's attribute name for a window label. */
export function usedAttr(dayLabel: string): `used#${string}` {
  return `${ATTR.usedPrefix}${dayLabel}`;
}

/** `now` takes a free slot at `t`; `queue` reserves the slot at `nextSlotAt`, still in the future. */
export type Branch = 'now' | 'queue';

/** What one reservation writes, and the day it counts in when `countDay`. */
export interface ReservationRequest {
  branch: Branch;
  t: number;
  deadline: number;
  intervalMs: number;
  /** Day counter to add one to and the previous day's counter to remove; absent: not counted. */
  count?: { day: string; previousDay: string; perDay: number };
}

/** The expressions of a reservation's conditional UpdateItem. */
export interface UpdateExpressions {
  UpdateExpression: string;
  ConditionExpression: string;
  ExpressionAttributeNames: Record<string, string>;
  ExpressionAttributeValues: Record<string, unknown>;
}

/** One conditional UpdateItem that takes or reserves a slot (and counts the day) or changes nothing. */
export function reservationExpressions(request: ReservationRequest): UpdateExpressions {
  const { branch, t, count } = request;
  const names: Record<string, string> = {
    '#next': ATTR.nextSlotAt,
    '#exp': ATTR.expiresAt,
    '#blocked': ATTR.dayBlockedUntil,
  };
  const values: Record<string, unknown> = { ':now': t, ':exp': expiresAtFor(t) };
  const conditions = ['(attribute_not_exists(#blocked) OR #blocked <= :now)'];
  let update: string;
  if (branch === 'now') {
    conditions.unshift('(attribute_not_exists(#next) OR #next <= :now)');
    values[':nextSlot'] = t + request.intervalMs;
    update = 'SET #next = :nextSlot, #exp = :exp';
  } else {
    conditions.unshift('#next > :now', '#next <= :deadline');
    values[':deadline'] = request.deadline;
    values[':interval'] = request.intervalMs;
    update = 'SET #next = #next + :interval, #exp = :exp';
  }
  if (count) {
    names['#day'] = usedAttr(count.day);
    names['#prev'] = usedAttr(count.previousDay);
    values[':one'] = 1;
    values[':limit'] = count.perDay;
    conditions.push('(attribute_not_exists(#day) OR #day < :limit)');
    update += ' ADD #day :one REMOVE #prev';
  }
  return {
    UpdateExpression: update,
    ConditionExpression: conditions.join(' AND '),
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
}

/** A failed condition, carrying the item that refused the write. */
export type ConditionFailure = Error & { Item?: Record<string, unknown> };

/** True for DynamoDB's ConditionalCheckFailedException. */
export function isConditionalCheckFailed(error: unknown): error is ConditionFailure {
  return error instanceof Error && error.name === 'ConditionalCheckFailedException';
}

/** The item returned with a failed condition; the document client leaves it in wire format. */
export function itemOf(error: ConditionFailure): LimiterItem {
  const raw = error.Item;
  if (!raw) return {};
  const looksMarshalled = Object.values(raw).every(
    (value) => value !== null && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length === 1,
  );
  return (looksMarshalled ? unmarshall(raw as Record<string, AttributeValue>) : raw) as LimiterItem;
}
