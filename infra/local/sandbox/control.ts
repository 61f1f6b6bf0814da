/**
 * The sandbox's control surface, shared by the programmatic API (index.ts) and the admin endpoints
 * (admin.ts), so both always offer the same operations with the same semantics.
 */
import type { RequestCounters } from './counters.ts';
import { describeBytes, intakeFile } from './intake.ts';
import {
  definedOnly,
  type FaultOptions,
  type LimitOptions,
  type ProcessingOptions,
  type QuirkOptions,
  type SandboxCredentialPair,
} from './options.ts';
import type { SandboxState } from './state.ts';
import type { SandboxFileView } from './store.ts';

/** Everything GET /__sandbox/counters returns. */
export interface SandboxCounters extends RequestCounters {
  duplicates: {
    /** Uploads whose name and size matched a file already stored (blind retries, mostly). */
    byNameAndSize: number;
    groups: { name: string; size: number; ids: string[] }[];
  };
  /** Files by their current status (Processing, Uploaded, Active, VirusFound, Failed, Deleted). */
  filesByStatus: Record<string, number>;
  /** Requests charged per api_key: today, and in the last second. */
  rateLimits: Record<string, { today: number; lastSecond: number }>;
  settings: {
    limits: LimitOptions;
    faults: FaultOptions;
    /** Durations in ms, or "per-file function". */
    processing: { processingMs: number | string; uploadedMs: number | string };
    quirks: QuirkOptions;
    keepBytes: boolean;
    credentialPairs: number;
  };
  clock: { now: string; nowMs: number; offsetMs: number };
}

/** The sandbox's settings that can change while it runs, with the programmatic API over them. */
export class SandboxControl {
  constructor(private readonly state: SandboxState) {}

  counters(): SandboxCounters {
    const { state } = this;
    const now = state.clock.now();
    const { settings } = state;
    const describe = (spec: ProcessingOptions['processingMs']): number | string =>
      typeof spec === 'function' ? 'per-file function' : spec;
    return {
      ...state.counters.snapshot(),
      duplicates: { byNameAndSize: state.store.duplicateCount, groups: state.store.duplicateGroups() },
      filesByStatus: state.store.countByStatus(now),
      rateLimits: state.limiter.snapshot(now),
      settings: {
        limits: { ...settings.limits },
        faults: { ...settings.faults },
        processing: {
          processingMs: describe(settings.processing.processingMs),
          uploadedMs: describe(settings.processing.uploadedMs),
        },
        quirks: { ...settings.quirks },
        keepBytes: settings.keepBytes,
        credentialPairs: settings.credentials.length,
      },
      clock: { now: new Date(now).toISOString(), nowMs: now, offsetMs: this.state.clock.offset },
    };
  }

  files(): SandboxFileView[] {
    const now = this.state.clock.now();
    return this.state.store.all().map((file) => this.state.store.view(file, now));
  }

  fileBytes(id: string): Buffer | undefined {
    return this.state.store.get(id)?.bytes;
  }

  /**
   * Changes fault settings; a `seed` in the update restarts the fault sequence. `endpoints: undefined`
   * (or null from JSON) given explicitly lifts the restriction to some operations.
   */
  setFaults(update: Omit<Partial<FaultOptions>, 'endpoints'> & { endpoints?: FaultOptions['endpoints'] | null }): void {
    const next = { ...this.state.settings.faults, ...(definedOnly(update) as Partial<FaultOptions>) };
    if ('endpoints' in update) next.endpoints = update.endpoints ?? undefined;
    this.state.settings.faults = next;
    if (update.seed !== undefined) this.state.faults.reseed(update.seed);
  }

  setLimits(update: Partial<LimitOptions>): void {
    this.state.settings.limits = { ...this.state.settings.limits, ...definedOnly(update) };
  }

  /** Applies to files uploaded from now on (a file's schedule is fixed when it is accepted). */
  setProcessing(update: Partial<ProcessingOptions>): void {
    this.state.settings.processing = { ...this.state.settings.processing, ...definedOnly(update) };
  }

  setQuirks(update: Partial<QuirkOptions>): void {
    this.state.settings.quirks = { ...this.state.settings.quirks, ...definedOnly(update) };
  }

  /** Replaces every accepted pair: requests with any other pair get 401 from now on. */
  setCredentials(pairs: readonly SandboxCredentialPair[]): void {
    this.state.settings.credentials = pairs.map((pair) => ({ ...pair }));
  }

  advanceClock(ms: number): number {
    return this.state.clock.advance(ms);
  }

  /**
   * Forgets files and counters, restores the initial folders and files, clears the rate-limit windows
   * and restarts the fault sequence from the current seed. Settings (limits, faults, credentials,
   * processing, quirks) and the clock stay as they are.
   */
  reset(): void {
    const { state } = this;
    const now = state.clock.now();
    state.store.reset(state.settings.folders, now);
    state.counters.reset();
    state.limiter.reset();
    state.faults.reseed(state.settings.faults.seed);
    for (const file of state.settings.files) {
      intakeFile(
        state.store,
        {
          name: file.name,
          folderId: file.folderId === undefined || file.folderId === '0' ? undefined : file.folderId,
          description: file.description ?? '',
          source: file.source ?? 'MyComputer',
          fileType: file.fileType,
          contentType: 'application/octet-stream',
          bytes: state.settings.keepBytes ? file.data : undefined,
          ...describeBytes(file.data),
        },
        { processingMs: 0, uploadedMs: 0 },
        now,
      );
    }
  }
}
