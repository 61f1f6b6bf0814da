/**
 * Seeded fault injection: the network and server failures a client must survive.
 *
 * Each API request draws exactly two numbers from the PRNG, whatever the rates, so the decision for
 * the n-th request depends only on the seed and n: the same seed and the same request sequence give the
 * same faults (and changing one rate does not shift the decisions of the others). The first number
 * picks the fault from consecutive bands (hang, reset before body, server error, reset after body);
 * the second picks 500 or 503.
 */
import { mulberry32, type RandomSource } from './random.ts';
import type { FaultOptions, SandboxEndpoint } from './options.ts';

/** What an injected fault does to one request: nothing, hang, cut the connection, or answer 500/503. */
export type FaultDecision =
  | { kind: 'none' }
  | { kind: 'hang' }
  | { kind: 'reset-before-body' }
  | { kind: 'server-error'; status: 500 | 503 }
  | { kind: 'reset-after-body' };

/** Draws the configured faults for each request from a seeded random source, so a run can be repeated. */
export class FaultInjector {
  private random: RandomSource;

  constructor(seed: number) {
    this.random = mulberry32(seed);
  }

  /** Restarts the sequence (setting a seed, even the same one, replays it from the start). */
  reseed(seed: number): void {
    this.random = mulberry32(seed);
  }

  decide(endpoint: SandboxEndpoint, faults: FaultOptions): FaultDecision {
    const pick = this.random();
    const flavour = this.random();
    if (faults.endpoints !== undefined && !faults.endpoints.includes(endpoint)) return { kind: 'none' };
    let band = clampRate(faults.hangRate);
    if (pick < band) return { kind: 'hang' };
    band += clampRate(faults.resetBeforeBodyRate);
    if (pick < band) return { kind: 'reset-before-body' };
    band += clampRate(faults.serverErrorRate);
    if (pick < band) return { kind: 'server-error', status: flavour < 0.5 ? 500 : 503 };
    band += clampRate(faults.resetAfterBodyRate);
    if (pick < band) return { kind: 'reset-after-body' };
    return { kind: 'none' };
  }
}

function clampRate(rate: number): number {
  return Number.isFinite(rate) ? Math.min(1, Math.max(0, rate)) : 0;
}
