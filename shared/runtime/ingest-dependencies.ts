/** What the ingest function adds to the shared runtime: the S3 reader, the library caches, re-queueing. */
import type { SQSRecord } from 'aws-lambda';
import type { IngestBatchDependencies } from '../ingest/ingest-batch.ts';
import { FolderResolver } from '../ingest/folder-resolver.ts';
import { LibraryInfoCache } from '../ingest/library-info-cache.ts';
import { S3ObjectReader } from '../s3/object-reader.ts';
import { perRuntime } from './per-runtime.ts';
import type { PipelineRuntime } from './pipeline-runtime.ts';
import { QueueUrlResolver, sendDelayed } from './queue-sender.ts';

/** The ingest batch's dependencies on `runtime`, built on first use. */
export const ingestDependencies: (runtime: PipelineRuntime) => IngestBatchDependencies = perRuntime((runtime) => {
  const { config, library, sqs } = runtime;
  const queueUrls = new QueueUrlResolver(sqs);
  return {
    store: runtime.store,
    library,
    objects: new S3ObjectReader(runtime.s3),
    folders: new FolderResolver(library),
    libraryInfo: new LibraryInfoCache(library),
    sendStatusCheck: runtime.sendStatusCheck,
    tagging: runtime.tagging,
    settings: {
      uploadPrefix: config.uploadPrefix,
      defaultFolderId: config.defaultFolderId,
      mirrorFolders: config.mirrorFolders,
      pollFirstDelaySeconds: config.poll.firstDelaySeconds,
    },
    now: runtime.now,
    logger: runtime.logger,
    retryPolicy: runtime.retryPolicy,
    // Back to the queue the message came from: no queue URL in the function's configuration.
    requeue: async (record: SQSRecord, body: unknown, delaySeconds: number) =>
      sendDelayed(sqs, await queueUrls.resolve(record.eventSourceARN), body, delaySeconds),
    reportThrottle: runtime.reportThrottle,
    reportUnauthorized: runtime.reportUnauthorized,
    syncPolicy: config.sync,
    removeRecheckSeconds: Math.max(config.poll.firstDelaySeconds, 1),
    ...(runtime.spareBudget ? { spareBudget: runtime.spareBudget } : {}),
    ...(runtime.options.random ? { random: runtime.options.random } : {}),
  };
});
