import { describe, expect, it } from 'vitest';
import { projectedShare, SpareBudget, inTrickle } from '../../../shared/poll/spare-budget.ts';
import { plainDelayAfter } from '../../../shared/retry/backoff.ts';

const HOUR = 3_600_000;
/** A daily window that resets at midnight UTC of 2026-12-03. */
const RESETS_AT = new Date('2026-12-03T00:00:00Z');
const at = (hoursIntoDay: number) => new Date(RESETS_AT.getTime() - (24 - hoursIntoDay) * HOUR);

describe('projectedShare', () => {
  it('projects the day at its pace so far: 2,000 of 10,000 by noon ends the day at 40 %', () => {
    expect(projectedShare({ used: 2_000, limit: 10_000, resetsAt: RESETS_AT }, at(12).getTime())).toBeCloseTo(0.4);
  });

  it('judges the first minutes of a day over an hour, so a burst right after midnight is not read as idle', () => {
    const share = projectedShare({ used: 300, limit: 10_000, resetsAt: RESETS_AT }, at(0.1).getTime());
    // 300 per hour for the remaining 23.9 h, not 300 per 6 minutes.
    expect(share).toBeCloseTo((300 + 300 * 23.9) / 10_000, 3);
  });
});

describe('SpareBudget', () => {
  it('shortens a check to the fast delay while the projection leaves room, and never lengthens one', async () => {
    // Prepare
    const budget = new SpareBudget(
      async () => ({ used: 500, limit: 10_000, resetsAt: RESETS_AT }),
      () => at(12),
    );
    // Act / Assess
    expect(await budget.delaySeconds(70)).toBe(4);
    expect(await budget.delaySeconds(2)).toBe(2);
  });

  it('keeps the schedule once the projected use passes half the limit (a backlog turns it off)', async () => {
    const budget = new SpareBudget(
      async () => ({ used: 3_000, limit: 10_000, resetsAt: RESETS_AT }),
      () => at(12),
    );
    expect(await budget.delaySeconds(70)).toBe(70);
  });

  it('keeps the schedule when the budget cannot be read', async () => {
    const budget = new SpareBudget(
      async () => {
        throw new Error('DynamoDB unavailable');
      },
      () => at(12),
    );
    expect(await budget.delaySeconds(30)).toBe(30);
  });

  it('reads the daily state once per cache period, not once per check', async () => {
    // Prepare
    let reads = 0;
    let now = at(12);
    const budget = new SpareBudget(
      async () => {
        reads += 1;
        return { used: 0, limit: 10_000, resetsAt: RESETS_AT };
      },
      () => now,
      { cacheMs: 30_000 },
    );
    // Act
    for (let i = 0; i < 10; i++) await budget.delaySeconds(30);
    now = new Date(now.getTime() + 31_000);
    await budget.delaySeconds(30);
    // Assess
    expect(reads).toBe(2);
  });

  it('counts poll batches of up to five files as a trickle, fuller ones not', () => {
    expect([1, 5, 6, 50].map((size) => inTrickle(size))).toEqual([true, true, false, false]);
    expect(inTrickle(2, 1)).toBe(false);
  });
});

describe('plainDelayAfter', () => {
  const schedule = { firstDelaySeconds: 10, maxDelaySeconds: 300, maxWaitSeconds: 3_600 };

  it('resumes the plain schedule (10, 30, 70, 150 s…) from the clock after faster checks', () => {
    expect([0, 9, 12, 30, 31, 100, 149].map((elapsed) => plainDelayAfter(schedule, elapsed))).toEqual([
      10, 1, 18, 40, 39, 50, 1,
    ]);
  });

  it('never schedules past the deadline', () => {
    expect(plainDelayAfter(schedule, 3_590)).toBe(10);
  });
});
