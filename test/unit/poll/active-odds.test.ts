import { describe, expect, it } from 'vitest';
import { ActiveOdds } from '../../../shared/poll/active-odds.ts';

describe('ActiveOdds', () => {
  it('trusts a check count only after enough answers, and only while nearly all were final', () => {
    // Prepare
    const odds = new ActiveOdds(0.9);
    // Act
    for (let i = 0; i < 5; i++) odds.observe(1, true);
    const early = odds.likelyFinal(1);
    for (let i = 0; i < 15; i++) odds.observe(1, true);
    const trusted = odds.likelyFinal(1);
    for (let i = 0; i < 5; i++) odds.observe(1, false);
    // Assess
    expect(early).toBe(false);
    expect(trusted).toBe(true);
    expect(odds.likelyFinal(1)).toBe(false);
    expect(odds.likelyFinal(0)).toBe(false);
  });

  it('pools check counts above six', () => {
    const odds = new ActiveOdds();
    for (let i = 0; i < 20; i++) odds.observe(9, true);
    expect(odds.likelyFinal(7)).toBe(true);
  });
});
