/** What the poll function adds to the shared runtime: its settings. It builds nothing of the upload path. */
import {
  DEFAULT_LIST_ACTIVE_FILES_FROM,
  DEFAULT_MAX_MISSING_CHECKS,
  type PollDependencies,
} from '../poll/poll-batch.ts';
import { S3ObjectReader } from '../s3/object-reader.ts';
import { RecentFiles } from '../poll/recent-files.ts';
import { LIBRARY_LIMITS } from '../library/types.ts';
import { perRuntime } from './per-runtime.ts';
import type { PipelineRuntime } from './pipeline-runtime.ts';

/** The poll batch's dependencies on `runtime`, built on first use. */
export const pollDependencies: (runtime: PipelineRuntime) => PollDependencies = perRuntime((runtime) => {
  const { config, options } = runtime;
  return {
    store: runtime.store,
    library: runtime.library,
    sendStatusCheck: runtime.sendStatusCheck,
    reportThrottle: runtime.reportThrottle,
    reportUnauthorized: runtime.reportUnauthorized,
    // Held for the runtime's life: one list serves the batches after it (shared/poll/recent-files.ts).
    recentFiles: new RecentFiles(
      async () =>
        (await runtime.library.listFiles({ sortBy: 'CREATED_DATE_DESC', limit: LIBRARY_LIMITS.listLimitMax })).results,
    ),
    tagging: runtime.tagging,
    settings: {
      schedule: config.poll,
      enrichActiveFiles: config.enrichActiveFiles,
      maxMissingChecks: options.maxMissingChecks ?? DEFAULT_MAX_MISSING_CHECKS,
      listActiveFilesFrom: options.listActiveFilesFrom ?? DEFAULT_LIST_ACTIVE_FILES_FROM,
    },
    retryPolicy: runtime.retryPolicy,
    ...(runtime.spareBudget ? { spareBudget: runtime.spareBudget } : {}),
    sync: { policy: config.sync, library: runtime.library, objects: new S3ObjectReader(runtime.s3) },
    logger: runtime.logger,
    now: runtime.now,
    ...(options.random ? { random: options.random } : {}),
  };
});
