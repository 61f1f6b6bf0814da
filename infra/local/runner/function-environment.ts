/**
 * The environment the three handlers run with in local mode, built exactly as the stack builds it:
 * `toEnvironment(toRuntimeConfig(stage, resources))` plus the Powertools variables of the stage, then
 * the local AWS endpoint variables (`localAwsEnvironment`) so the SDK clients the handlers create at
 * module load (or first use) reach the emulators. Set in `process.env` before the handler modules are
 * imported; `restore()` puts the previous values back.
 */
import { toEnvironment, type RuntimeConfig } from '../../../shared/config/runtime-config.ts';
import {
  toPowertoolsEnvironment,
  toRuntimeConfig,
  type RuntimeResources,
  type StageConfig,
} from '../../config/index.ts';
import { NON_LOCAL_AWS_VARIABLES, localAwsEnvironment, type LocalAwsEndpoints } from '../emulators/aws-endpoints.ts';

/** How `--fast` shortens the status checks (dev: first check after 10 s, growing to 300 s). */
export const FAST_POLL = { firstDelaySeconds: 1, maxDelaySeconds: 2 } as const;

/** What the environment is built from. */
export interface FunctionEnvironmentInput {
  stage: StageConfig;
  resources: RuntimeResources;
  endpoints: LocalAwsEndpoints;
  /** Shorter poll delays (same code path, other numbers). */
  fast?: boolean;
}

/** The runtime config the stack would give the functions, with `FAST_POLL` applied when asked. */
export function localRuntimeConfig(
  input: Pick<FunctionEnvironmentInput, 'stage' | 'resources' | 'fast'>,
): RuntimeConfig {
  const config = toRuntimeConfig(input.stage, input.resources);
  if (!input.fast) return config;
  return { ...config, poll: { ...config.poll, ...FAST_POLL } };
}

/** Every variable a handler reads, as the stack sets them, plus the endpoints of the emulators. */
export function functionEnvironment(input: FunctionEnvironmentInput): Record<string, string> {
  return {
    ...toEnvironment(localRuntimeConfig(input)),
    ...toPowertoolsEnvironment(input.stage),
    // No X-Ray daemon here (the tracer also disables itself outside Lambda).
    POWERTOOLS_TRACE_ENABLED: 'false',
    ...localAwsEnvironment(input.endpoints),
  };
}

/** Applies `variables` to `process.env` (after removing `NON_LOCAL_AWS_VARIABLES`); the returned function restores what was there before. */
export function applyEnvironment(variables: Record<string, string>): () => void {
  const previous = new Map<string, string | undefined>();
  for (const name of [...NON_LOCAL_AWS_VARIABLES, ...Object.keys(variables)]) {
    if (!previous.has(name)) previous.set(name, process.env[name]);
  }
  for (const name of NON_LOCAL_AWS_VARIABLES) delete process.env[name];
  Object.assign(process.env, variables);
  return () => {
    for (const [name, value] of previous) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
}
