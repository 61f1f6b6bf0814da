/**
 * Poll function: status checks (via the status queue) → final states in the uploads table. Wiring
 * only: the work is in shared/poll/, its dependencies come from shared/runtime/ (built once per cold
 * start, without the upload path).
 */
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { instrumentHandler } from '../../shared/observability/index.ts';
import { processPollBatch } from '../../shared/poll/poll-batch.ts';
import { pipelineRuntime } from '../../shared/runtime/pipeline-runtime.ts';
import { pollDependencies } from '../../shared/runtime/poll-dependencies.ts';

/** The poll Lambda handler (SQS, partial batch responses). */
export const handler = instrumentHandler(async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> =>
  processPollBatch(event, pollDependencies(pipelineRuntime()), context),
);
