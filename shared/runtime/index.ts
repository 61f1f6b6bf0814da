export { buildPipelineRuntime, pipelineRuntime, setPipelineRuntime } from './pipeline-runtime.ts';
export type { PipelineRuntime, PipelineRuntimeOptions } from './pipeline-runtime.ts';
export { ingestDependencies } from './ingest-dependencies.ts';
export { pollDependencies } from './poll-dependencies.ts';
export { buildStreamPublisher, type StreamPublisher } from './publish-dependencies.ts';
export { QueueUrlResolver, sendDelayed } from './queue-sender.ts';
export { CredentialsOnHoldError, UnauthorizedHold, DEFAULT_UNAUTHORIZED_HOLD_MS } from './unauthorized-hold.ts';
