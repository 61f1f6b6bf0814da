/**
 * The quota arithmetic printed before a backfill starts: files × requests per file = requests, and
 * requests ÷ the key's daily limit = days. Requests per file is measured (today's requests ÷ today's
 * final files, as `ops quota` reports it) when the stage has worked today, else the figure the
 * benchmark measured for this pipeline (docs/benchmarks.md: 1.10 with enrichment).
 */

/** Requests per file when the stage has no measurement today (docs/benchmarks.md, figure 1). */
export const BENCHMARK_REQUESTS_PER_FILE = 1.1;

export interface QuotaEstimate {
  files: number;
  requestsPerFile: number;
  /** Where requestsPerFile comes from. */
  measured: 'today' | 'benchmark';
  requests: number;
  dailyLimit: number;
  /** requests ÷ the daily limit. */
  days: number;
  /** How many files this run may enqueue today, leaving live traffic its reserve. */
  allowanceToday: number;
  /** The share of the daily limit kept for live drops. */
  reserveShare: number;
}

export interface EstimateInputs {
  files: number;
  dailyLimit: number;
  usedToday: number;
  requestsPerFileToday?: number;
  reserveShare: number;
}

/** The arithmetic; pure. */
export function estimateQuota(inputs: EstimateInputs): QuotaEstimate {
  const requestsPerFile = inputs.requestsPerFileToday ?? BENCHMARK_REQUESTS_PER_FILE;
  const requests = Math.ceil(inputs.files * requestsPerFile);
  const reserve = inputs.reserveShare * inputs.dailyLimit;
  const spare = Math.max(0, inputs.dailyLimit - inputs.usedToday - reserve);
  return {
    files: inputs.files,
    requestsPerFile,
    measured: inputs.requestsPerFileToday === undefined ? 'benchmark' : 'today',
    requests,
    dailyLimit: inputs.dailyLimit,
    days: inputs.dailyLimit > 0 ? Math.round((requests / inputs.dailyLimit) * 100) / 100 : Infinity,
    allowanceToday: Math.floor(spare / requestsPerFile),
    reserveShare: inputs.reserveShare,
  };
}

/** The lines printed before the first message is sent. */
export function estimateText(e: QuotaEstimate): string {
  const source = e.measured === 'today' ? "measured on today's files" : 'benchmark figure, nothing measured today';
  return [
    `${e.files} files to backfill × ${e.requestsPerFile} requests per file (${source}) = ${e.requests} requests`,
    `= ${e.days === 0 && e.requests > 0 ? '< 0.01' : e.days} days of the key's daily limit (${e.dailyLimit} requests per day)`,
    `today: at most ${e.allowanceToday} files (keeping ${Math.round(e.reserveShare * 100)} % of the day for new drops)`,
  ].join('\n');
}
