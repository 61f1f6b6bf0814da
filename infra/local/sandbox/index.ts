/**
 * The library sandbox: a faithful fake of the Constant Contact v2 MyLibrary API over real HTTP on
 * 127.0.0.1, for local mode (`npm start`), the contract and integration tests, and the benchmarks.
 *
 *   const sandbox = await startSandbox({ limits: { perSecond: 4 } });
 *   // configure the client with sandbox.baseUrl and sandbox.credentials
 *   await sandbox.close();
 *
 * See README.md beside this file for the behaviour and the choices made where the vendor is silent.
 */
import { SandboxControl, type SandboxCounters } from './control.ts';
import type {
  FaultOptions,
  LimitOptions,
  ProcessingOptions,
  QuirkOptions,
  SandboxCredentialPair,
  SandboxOptions,
} from './options.ts';
import { listen } from './server.ts';
import { createState } from './state.ts';
import type { SandboxFileView } from './store.ts';

export type { SandboxCounters } from './control.ts';
export type { SandboxFileView } from './store.ts';
export type {
  DurationSpec,
  FaultOptions,
  InitialFile,
  InitialFolder,
  LimitOptions,
  ProcessingOptions,
  ProcessingSubject,
  QuirkOptions,
  SandboxCredentialPair,
  SandboxEndpoint,
  SandboxOptions,
} from './options.ts';
export {
  SANDBOX_ENDPOINTS,
  DEFAULT_CREDENTIALS,
  DEFAULT_FAULTS,
  DEFAULT_FOLDERS,
  DEFAULT_LIMITS,
  DEFAULT_PROCESSING,
  DEFAULT_QUIRKS,
} from './options.ts';
export { ERROR_KEYS, type ApiErrorBody } from './error-bodies.ts';
export { EICAR } from './content-inspection.ts';
export { mulberry32 } from './random.ts';
export { uniformDuration } from './processing.ts';

/** A running sandbox in this process, with its programmatic control. */
export interface Sandbox {
  /** e.g. `http://127.0.0.1:PORT/v2`: what the client is configured with. */
  baseUrl: string;
  /** `http://127.0.0.1:PORT` (admin API under `/__sandbox/`). */
  origin: string;
  port: number;
  /** The first accepted pair at start (the default one unless `credentials` was given). */
  credentials: SandboxCredentialPair;
  /** Same data as GET /__sandbox/counters. */
  counters(): SandboxCounters;
  /** Every stored file (deleted and failed ones included) with its sha256 and current status. */
  files(): SandboxFileView[];
  /** The bytes of a file, when `keepBytes` (the default). */
  fileBytes(id: string): Buffer | undefined;
  setFaults(faults: Partial<FaultOptions>): void;
  setLimits(limits: Partial<LimitOptions>): void;
  /** Replaces every accepted pair, e.g. to revoke a token mid-run. */
  setCredentials(pairs: SandboxCredentialPair[]): void;
  /** Applies to files uploaded from now on. */
  setProcessing(processing: Partial<ProcessingOptions>): void;
  setQuirks(quirks: Partial<QuirkOptions>): void;
  /** Moves the sandbox clock forward (processing stages, rate windows, daily quota); returns the new time. */
  advanceClock(ms: number): number;
  /** The sandbox clock's current time (ms since the epoch). */
  now(): number;
  /** Forgets files, counters and rate windows; restores initial folders and files; restarts the fault sequence. */
  reset(): void;
  /** Closes the server, every open socket (hung requests included) and pending delays. */
  close(): Promise<void>;
}

/** Starts the sandbox on 127.0.0.1 (a free port unless one is given). */
export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const state = createState(options);
  const control = new SandboxControl(state);
  const running = await listen(state, control, options.port ?? 0);
  state.origin = `http://127.0.0.1:${running.port}`;
  control.reset();
  const first = state.settings.credentials[0];
  return {
    baseUrl: `${state.origin}/v2`,
    origin: state.origin,
    port: running.port,
    credentials: first === undefined ? { apiKey: '', accessToken: '' } : { ...first },
    counters: () => control.counters(),
    files: () => control.files(),
    fileBytes: (id) => control.fileBytes(id),
    setFaults: (faults) => control.setFaults(faults),
    setLimits: (limits) => control.setLimits(limits),
    setCredentials: (pairs) => control.setCredentials(pairs),
    setProcessing: (processing) => control.setProcessing(processing),
    setQuirks: (quirks) => control.setQuirks(quirks),
    advanceClock: (ms) => control.advanceClock(ms),
    now: () => state.clock.now(),
    reset: () => control.reset(),
    close: () => running.close(),
  };
}
