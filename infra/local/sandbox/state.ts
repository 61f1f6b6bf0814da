/**
 * Everything a running sandbox holds, passed to every route handler. One object, so the programmatic
 * API (index.ts), the admin endpoints (admin.ts) and the API routes all act on the same state.
 */
import { SandboxClock } from './clock.ts';
import { CounterSet } from './counters.ts';
import { FaultInjector } from './faults.ts';
import { resolveSettings, type SandboxOptions, type SandboxSettings } from './options.ts';
import { RateLimiter } from './rate-limits.ts';
import { LibraryStore } from './store.ts';

/** Everything a request may read or change. */
export interface SandboxState {
  settings: SandboxSettings;
  clock: SandboxClock;
  store: LibraryStore;
  limiter: RateLimiter;
  faults: FaultInjector;
  counters: CounterSet;
  /** `http://127.0.0.1:PORT`, known once the server listens. */
  origin: string;
}

/** A fresh state from the options. */
export function createState(options: SandboxOptions): SandboxState {
  const settings = resolveSettings(options);
  return {
    settings,
    clock: new SandboxClock(options.now),
    store: new LibraryStore(),
    limiter: new RateLimiter(),
    faults: new FaultInjector(settings.faults.seed),
    counters: new CounterSet(),
    origin: '',
  };
}
