/**
 * Poll function: status checks (via the status queue) → final states in the uploads table.
 * Thin by design: the work is in shared/poll/poll-batch.ts; this wires the Lambda event to it with the
 * process's dependencies (built once per cold start) and observability.
 */
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { processPollBatch } from '../../shared/poll/poll-batch.ts';
import { instrumentHandler } from '../../shared/observability/index.ts';
import { pipelineRuntime } from '../../shared/runtime/index.ts';

export const handler = instrumentHandler(async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> =>
  processPollBatch(event, pipelineRuntime().poll, context),
);
