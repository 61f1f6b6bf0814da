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
import { ENDPOINT_ENV_VARS, localAwsEnvironment, type LocalAwsEndpoints } from '../emulators/aws-endpoints.ts';

/** How `--fast` shortens the status checks (dev: first check after 10 s, growing to 300 s). */
export const FAST_POLL = { firstDelaySeconds: 1, maxDelaySeconds: 2 } as const;

export interface FunctionEnvironmentInput {
  stage: StageConfig;
  resources: RuntimeResources;
  endpoints: LocalAwsEndpoints;
  /** Shorter poll delays (same code path, other numbers). */
  fast?: boolean;
}

export function localRuntimeConfig(
  input: Pick<FunctionEnvironmentInput, 'stage' | 'resources' | 'fast'>,
): RuntimeConfig {
  const config = toRuntimeConfig(input.stage, input.resources);
  if (!input.fast) return config;
  return { ...config, poll: { ...config.poll, ...FAST_POLL } };
}

export function functionEnvironment(input: FunctionEnvironmentInput): Record<string, string> {
  return {
    ...toEnvironment(localRuntimeConfig(input)),
    ...toPowertoolsEnvironment(input.stage),
    // No X-Ray daemon here (the tracer also disables itself outside Lambda).
    POWERTOOLS_TRACE_ENABLED: 'false',
    ...localAwsEnvironment(input.endpoints),
  };
}

/** Variables that would send the SDK to a real account or profile: removed while local mode runs. */
const REMOVED = [
  'AWS_PROFILE',
  'AWS_SESSION_TOKEN',
  'AWS_ENDPOINT_URL',
  'AWS_IGNORE_CONFIGURED_ENDPOINT_URLS',
  'AWS_CONTAINER_CREDENTIALS_FULL_URI',
  'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
  'AWS_WEB_IDENTITY_TOKEN_FILE',
  ...Object.values(ENDPOINT_ENV_VARS),
];

/** Applies `variables` to `process.env`; the returned function restores what was there before. */
export function applyEnvironment(variables: Record<string, string>): () => void {
  const previous = new Map<string, string | undefined>();
  for (const name of [...REMOVED, ...Object.keys(variables)]) {
    if (!previous.has(name)) previous.set(name, process.env[name]);
  }
  for (const name of REMOVED) delete process.env[name];
  Object.assign(process.env, variables);
  return () => {
    for (const [name, value] of previous) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
}
