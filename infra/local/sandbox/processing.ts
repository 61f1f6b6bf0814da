/**
 * The asynchronous life of an upload after its 202: Processing → Uploaded → Active, or Processing →
 * VirusFound / Failed.
 *
 * Status is computed lazily from the upload time and the durations fixed at upload, never by timers:
 * nothing to clean up on close(), and a test that advances the sandbox clock sees the file move at once.
 * The verdict (virus, wrong format) is decided from the bytes at upload time but only revealed when
 * the Processing stage ends, as the real scanner would.
 */
import type { UploadStatus } from './vendor-facts.ts';
import type { DurationSpec, ProcessingSubject } from './options.ts';
import { mulberry32 } from './random.ts';

/** What the bytes said, decided once at upload. */
export type ProcessingVerdict = 'clean' | 'virus' | 'type-mismatch';

/** When an upload moves from Processing to Uploaded to its final status. */
export interface ProcessingSchedule {
  /** Sandbox-clock time of the 202. */
  acceptedAt: number;
  processingMs: number;
  uploadedMs: number;
  verdict: ProcessingVerdict;
  /** Set when the file was moved to Trash (status Deleted from then on). */
  deletedAt?: number | undefined;
}

/** The status the library reports at `now`. */
export function statusAt(schedule: ProcessingSchedule, now: number): UploadStatus {
  if (schedule.deletedAt !== undefined && now >= schedule.deletedAt) return 'Deleted';
  const elapsed = now - schedule.acceptedAt;
  if (elapsed < schedule.processingMs) return 'Processing';
  if (schedule.verdict === 'virus') return 'VirusFound';
  if (schedule.verdict === 'type-mismatch') return 'Failed';
  if (elapsed < schedule.processingMs + schedule.uploadedMs) return 'Uploaded';
  return 'Active';
}

/** When the status last changed (for modified_date): the stage boundary already passed. */
export function lastTransitionAt(schedule: ProcessingSchedule, now: number): number {
  if (schedule.deletedAt !== undefined && now >= schedule.deletedAt) return schedule.deletedAt;
  const processedAt = schedule.acceptedAt + schedule.processingMs;
  if (now < processedAt) return schedule.acceptedAt;
  if (schedule.verdict !== 'clean') return processedAt;
  const activeAt = processedAt + schedule.uploadedMs;
  return now < activeAt ? processedAt : activeAt;
}

/** Resolves a fixed or per-file duration; negative or non-finite results count as 0. */
export function resolveDuration(spec: DurationSpec, subject: ProcessingSubject): number {
  const value = typeof spec === 'function' ? spec(subject) : spec;
  return Number.isFinite(value) && value > 0 ? value : 0;
}

/**
 * A per-file duration drawn uniformly from [minMs, maxMs], reproducible: the draw depends only on the
 * seed and the file's upload sequence, so a benchmark that spreads processing over 2-60 s sees the same
 * spread on every run. Example: `processing: { processingMs: uniformDuration(2000, 60000, 7) }`.
 */
export function uniformDuration(minMs: number, maxMs: number, seed = 1): (file: ProcessingSubject) => number {
  return (file) => {
    const draw = mulberry32((seed ^ Math.imul(file.sequence + 1, 0x9e3779b1)) >>> 0)();
    return Math.round(minMs + draw * (maxMs - minMs));
  };
}
