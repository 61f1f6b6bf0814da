/** Figures 1, 2, 6 and 7 need the local pipeline; placeholder until it is wired. */
import { notMeasured, type Figure } from '../lib/types.ts';

const reason = 'the local pipeline (infra/local/runner/local-pipeline.ts, startLocalPipeline) has not landed yet';

export const pipelineFigures: Figure[] = [
  { id: 'requests-per-file', title: 'Requests per final file', needsPipeline: true, run: async () => notMeasured('≤ 1.10 requests per file', reason) },
  { id: 'backlog', title: 'Backlog throughput', needsPipeline: true, run: async () => notMeasured('≥ 0.9 of the limit, 0 throttled', reason) },
  { id: 'time-to-event', title: 'Time to event', needsPipeline: true, run: async () => notMeasured('near the poll schedule\'s floor', reason) },
  { id: 'cost', title: 'Cost per 1,000 files', needsPipeline: true, run: async () => notMeasured('reported (no target)', reason) },
];
