import { describe, expect, it } from 'vitest';
import { AdaptiveMargin } from '../../../shared/rate-limit/adaptive-margin.ts';

describe('AdaptiveMargin', () => {
  it('starts at the least margin, widens a third of the range per throttle and stops at the most', () => {
    // Prepare
    const margin = new AdaptiveMargin({ min: 0.05, max: 0.2 });
    const seen = [margin.current];
    // Act
    for (let i = 0; i < 4; i++) {
      margin.widen();
      seen.push(margin.current);
    }
    // Assess
    expect(seen.map((m) => Number(m.toFixed(3)))).toEqual([0.05, 0.1, 0.15, 0.2, 0.2]);
  });

  it('narrows one step per run of grants without a throttle, never below the least, and a throttle restarts the run', () => {
    // Prepare
    const margin = new AdaptiveMargin({ min: 0.05, max: 0.2, widenBy: 0.1, narrowBy: 0.04, narrowAfterGrants: 10 });
    margin.widen();
    // Act
    for (let i = 0; i < 9; i++) margin.granted();
    const afterNine = margin.current;
    margin.widen();
    for (let i = 0; i < 10; i++) margin.granted();
    const afterRestart = margin.current;
    for (let i = 0; i < 100; i++) margin.granted();
    // Assess
    expect(afterNine).toBeCloseTo(0.15);
    expect(afterRestart).toBeCloseTo(0.16);
    expect(margin.current).toBeCloseTo(0.05);
  });

  it('stays fixed when the most is not above the least', () => {
    const margin = new AdaptiveMargin({ min: 0.1, max: 0.1 });
    margin.widen();
    expect(margin.current).toBe(0.1);
  });
});
