/**
 * One measured backfill, in a process of its own (started by figures/backfill-listing.ts): lists the
 * bucket and enqueues every object through `runBackfill`, exactly as `ops backfill` does, against the
 * emulators named in `BENCH_BACKFILL`, with a window so wide the pacing never waits (the tool's own
 * speed, not the pipeline's), then prints one JSON line with the elapsed time and this process's peak RSS.
 */
import { performance } from 'node:perf_hooks';
import { getStageConfig } from '../../infra/config/index.ts';
import { LOCAL_CREDENTIALS } from '../../infra/local/emulators/aws-endpoints.ts';
import type { BackfillCounts } from '../../infra/ops/backfill/checkpoint.ts';
import { runBackfill } from '../../infra/ops/backfill/run-backfill.ts';
import { buildClients } from '../../infra/ops/target/clients.ts';
import type { OpsTarget } from '../../infra/ops/target/types.ts';
import { peakRssBytes } from './lib/peak-rss.ts';

/** What the parent passes in `BENCH_BACKFILL`. */
export interface BackfillChildInput {
  endpoints: { s3: string; sqs: string; dynamodb: string; eventbridge: string; region: string };
  bucket: string;
  /** The listing and upload prefix of this run (one per size, in one bucket). */
  uploadPrefix: string;
  uploadsTable: string;
  limitsTable: string;
  ingestQueueUrl: string;
}

export interface BackfillChildResult {
  counts: BackfillCounts;
  /** From the first List call to the last message sent (both passes: count, then enqueue). */
  durationMs: number;
  peakRssBytes: number;
  rssBeforeBytes: number;
}

const input = JSON.parse(process.env['BENCH_BACKFILL'] ?? '{}') as BackfillChildInput;
const { clients, close } = buildClients({
  region: input.endpoints.region,
  credentials: LOCAL_CREDENTIALS,
  endpoints: input.endpoints,
});
const queue = { url: input.ingestQueueUrl };
const dev = getStageConfig('dev');
const target: OpsTarget = {
  kind: 'local',
  // An unlimited day: what is measured is the listing and enqueueing, not the daily allowance.
  stage: { ...dev, library: { ...dev.library, requestsPerDay: Number.MAX_SAFE_INTEGER } },
  resources: {
    bucket: input.bucket,
    uploadPrefix: input.uploadPrefix,
    uploadsTable: input.uploadsTable,
    limitsTable: input.limitsTable,
    eventBusName: 'unused',
    queues: { ingest: queue, ingestDeadLetter: queue, status: queue, statusDeadLetter: queue, publishFailures: queue },
  },
  clients,
  close,
};
const rssBeforeBytes = process.memoryUsage().rss;
const started = performance.now();
const result = await runBackfill(
  target,
  { pacing: { window: Number.MAX_SAFE_INTEGER, pollMs: 1000 }, reserveShare: 0 },
  {
    progress: { start: () => undefined, update: () => undefined, stop: () => undefined },
    say: () => undefined,
    // The quota is not what is measured: an unspent day, so the daily allowance never stops the run.
    quotaToday: () => Promise.resolve({ used: 0 }),
  },
);
const out: BackfillChildResult = {
  counts: result.counts,
  durationMs: performance.now() - started,
  peakRssBytes: peakRssBytes(),
  rssBeforeBytes,
};
close();
process.stdout.write(`${JSON.stringify(out)}\n`);
