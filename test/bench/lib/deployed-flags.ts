/** The ingest function's Node.js flags, as the stack sets them in NODE_OPTIONS: benchmarks run "as deployed". */
import { BASE_NODE_OPTIONS } from '../../../infra/constructs/pipeline-function.ts';
import { FUNCTION_NODE_OPTIONS } from '../../../infra/constructs/pipeline-functions.ts';

export const INGEST_DEPLOYED_FLAGS: readonly string[] = [...BASE_NODE_OPTIONS, ...(FUNCTION_NODE_OPTIONS.ingest ?? [])];
