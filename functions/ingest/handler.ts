/**
 * Ingest function: S3 notifications (via the ingest queue) → library uploads. Wiring only: the work is
 * in shared/ingest/, its dependencies come from shared/runtime/ (built once per cold start).
 */
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { processIngestBatch } from '../../shared/ingest/ingest-batch.ts';
import { instrumentHandler } from '../../shared/observability/index.ts';
import { ingestDependencies } from '../../shared/runtime/ingest-dependencies.ts';
import { pipelineRuntime } from '../../shared/runtime/pipeline-runtime.ts';

/** The ingest Lambda handler (SQS, partial batch responses). */
export const handler = instrumentHandler(async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> =>
  processIngestBatch(event, ingestDependencies(pipelineRuntime()), context),
);
