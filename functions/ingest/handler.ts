/**
 * Ingest function: S3 notifications (via the ingest queue) → library uploads.
 * Thin by design: the work is in shared/ingest/ (see ingest-batch.ts and ingest-object.ts); this wires
 * the Lambda event to it with the process's dependencies (built once per cold start) and observability.
 */
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { processIngestBatch } from '../../shared/ingest/ingest-batch.ts';
import { instrumentHandler } from '../../shared/observability/index.ts';
import { pipelineRuntime } from '../../shared/runtime/index.ts';

export const handler = instrumentHandler(async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> =>
  processIngestBatch(event, pipelineRuntime().ingest, context),
);
