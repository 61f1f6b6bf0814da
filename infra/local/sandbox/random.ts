/**
 * A tiny seeded PRNG (mulberry32) for fault injection and anything else that must be reproducible.
 *
 * Why not Math.random: a chaos run or a failing test must be replayable. With the same seed and the
 * same sequence of requests the sandbox makes the same decisions, so a flaky-looking failure can be
 * reproduced by re-running with the seed printed in the report.
 */

/** A source of uniform numbers in [0, 1). */
export type RandomSource = () => number;

/** mulberry32: 32-bit state, good enough statistical quality for test fault injection, and fast. */
export function mulberry32(seed: number): RandomSource {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
