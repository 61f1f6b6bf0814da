/**
 * What every benchmark figure returns, so the runner can print it and write docs/benchmarks.md.
 * Nothing here is pass/fail: `met` only says whether the figure reached the target.
 */

export const FIGURE_IDS = [
  'requests-per-file',
  'backlog',
  'backlog-real-link',
  'streaming-memory',
  'copy-speed',
  'cold-start',
  'time-to-event',
  'event-lag',
  'cost',
  'backfill',
] as const;
export type FigureId = (typeof FIGURE_IDS)[number];

export interface FigureResult {
  id: FigureId;
  title: string;
  /** `not-measured` carries the reason in `notes`; never a made-up number. */
  status: 'measured' | 'not-measured';
  /** The target, in words (e.g. `≤ 1.10 requests per file`). */
  target: string;
  /** The figure in one line: measured value, baseline, ratio. */
  headline: string;
  /** The measured value, the baseline and their ratio (for the summary table). */
  measured: string;
  baseline: string;
  ratio: string;
  /** Whether the target was reached; undefined when not measured. */
  met: boolean | undefined;
  /** How the figure was produced: N, repetitions, scale factors, flags. */
  settings: string[];
  /** Markdown tables and paragraphs with the detail. */
  details: string[];
  /** Findings: why a target is missed and what would close it, what a number means. */
  notes: string[];
  /** `quick` when measured with --quick (smaller N). */
  mode: 'full' | 'quick';
  /** ISO time the figure was measured. */
  measuredAt: string;
  /** Wall time the figure took to measure. */
  durationMs: number;
  /** Raw figures for anyone re-reading the data block. */
  data?: unknown;
}

export interface BenchContext {
  quick: boolean;
  /** Progress output (stderr). */
  log: (line: string) => void;
}

export interface Figure {
  id: FigureId;
  title: string;
  /** Whether the figure needs the local pipeline (startLocalPipeline). */
  needsPipeline: boolean;
  run(context: BenchContext): Promise<Omit<FigureResult, 'id' | 'title' | 'mode' | 'measuredAt' | 'durationMs'>>;
}

export function notMeasured(
  target: string,
  reason: string,
): Omit<FigureResult, 'id' | 'title' | 'mode' | 'measuredAt' | 'durationMs'> {
  return {
    status: 'not-measured',
    target,
    headline: `not measured: ${reason}`,
    measured: 'not measured',
    baseline: '—',
    ratio: '—',
    met: undefined,
    settings: [],
    details: [],
    notes: [reason],
  };
}
