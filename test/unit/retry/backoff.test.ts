import { describe, expect, it } from 'vitest';
import {
  delayUntilSeconds,
  nextPollDelaySeconds,
  retryDelaySeconds,
  throttleDelaySeconds,
} from '../../../shared/retry/backoff.ts';

const schedule = { firstDelaySeconds: 10, maxDelaySeconds: 300, maxWaitSeconds: 3600 };

describe('nextPollDelaySeconds', () => {
  it('starts at the first delay and doubles up to the maximum', () => {
    // Act
    const delays = [0, 1, 2, 3, 4, 5, 6, 7].map((checks) => nextPollDelaySeconds(schedule, checks, 0));
    // Assess
    expect(delays).toEqual([10, 20, 40, 80, 160, 300, 300, 300]);
  });

  it('never schedules past the deadline, and gives up after it', () => {
    expect(nextPollDelaySeconds(schedule, 6, 3590)).toBe(10);
    expect(nextPollDelaySeconds(schedule, 6, 3600)).toBeUndefined();
    expect(nextPollDelaySeconds(schedule, 6, 4000)).toBeUndefined();
  });

  it('waits at least one second even with a first delay of 0', () => {
    expect(nextPollDelaySeconds({ firstDelaySeconds: 0, maxDelaySeconds: 5, maxWaitSeconds: 60 }, 0, 0)).toBe(1);
  });

  it('stays within what SQS accepts', () => {
    expect(nextPollDelaySeconds({ firstDelaySeconds: 900, maxDelaySeconds: 900, maxWaitSeconds: 86_400 }, 5, 0)).toBe(
      900,
    );
  });
});

describe('retryDelaySeconds', () => {
  it('grows exponentially with full jitter, capped', () => {
    // Prepare
    const retry = { baseSeconds: 5, maxSeconds: 120 };
    // Act
    const ceilings = [0, 1, 2, 3, 4, 5].map((n) => retryDelaySeconds(retry, n, () => 1));
    const floors = [0, 3].map((n) => retryDelaySeconds(retry, n, () => 0));
    // Assess
    expect(ceilings).toEqual([5, 10, 20, 40, 80, 120]);
    expect(floors).toEqual([1, 1]);
  });
});

describe('throttle and quota delays', () => {
  it('waits 1-5 s after a per-second throttle', () => {
    expect(throttleDelaySeconds(() => 0)).toBe(1);
    expect(throttleDelaySeconds(() => 0.999)).toBe(5);
  });

  it('waits until the daily reset, at most 900 s at a time', () => {
    expect(delayUntilSeconds(10_000, 0)).toBe(10);
    expect(delayUntilSeconds(10_000_000, 0)).toBe(900);
    expect(delayUntilSeconds(0, 5_000)).toBe(1);
  });
});
