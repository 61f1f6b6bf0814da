export { buildPipelineRuntime, pipelineRuntime, setPipelineRuntime } from './pipeline-runtime.ts';
export type { PipelineRuntime, PipelineRuntimeOptions } from './pipeline-runtime.ts';
export { QueueUrlResolver, sendDelayed } from './queue-sender.ts';
