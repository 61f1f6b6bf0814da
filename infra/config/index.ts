/**
 * The typed per-stage configuration: pick a stage by name, check it, derive names and environments.
 * Importing this module has no side effects and does not load aws-cdk-lib (the local runner uses it).
 */
import { STAGE_NAMES, STAGES } from './stages.ts';
import { applySettings, type StageSettings } from './settings.ts';
import type { StageConfig, StageName } from './types.ts';
import { validateStageConfig } from './validate.ts';

export type * from './types.ts';
export { ACCEPTED_SUFFIXES, STAGES, STAGE_NAMES, dev, prod, staging } from './stages.ts';
export { defaultNamePrefix, librarySecretName, resourceNames, type ResourceNames } from './names.ts';
export {
  applySettings,
  DEFAULT_SETTINGS_FILE,
  parseSettingsFile,
  resolveSettings,
  settingsFileSchema,
  settingsFromContext,
  STAGE_SETTING_KEYS,
  StageSettingsError,
  stageSettingsSchema,
  type StageSettings,
} from './settings.ts';
export { STACK_OUTPUTS, type StackOutputKey } from './stack-outputs.ts';
export { toPowertoolsEnvironment, toRuntimeConfig, type RuntimeResources } from './runtime.ts';
export {
  API_KEY_LIMITS,
  deploymentProblems,
  LOG_RETENTION_DAYS,
  MAX_SQS_RETENTION_DAYS,
  validateStageConfig,
  visibilityTimeoutSeconds,
} from './validate.ts';

/** Whether `name` is one of the known stages. */
export function isStageName(name: string): name is StageName {
  return (STAGE_NAMES as readonly string[]).includes(name);
}

/** Thrown for a stage name no record exists for, or a record that fails validation. */
export class StageConfigError extends Error {
  override readonly name = 'StageConfigError';
}

/**
 * The checked configuration of a stage, with the adopter's settings (if any) applied over its record.
 * `name` usually comes from `cdk ... -c stage=<name>`; an unknown or missing name is an error that lists
 * the known stages.
 */
export function getStageConfig(name: unknown, settings: StageSettings = {}): StageConfig {
  const known = STAGE_NAMES.join(', ');
  if (name === undefined || name === null || name === '') {
    throw new StageConfigError(`No stage given. Pass one with -c stage=<name>; known stages: ${known}.`);
  }
  if (typeof name !== 'string' || !isStageName(name)) {
    throw new StageConfigError(`Unknown stage "${String(name)}". Known stages: ${known}.`);
  }
  const config = applySettings(STAGES[name], settings);
  const problems = validateStageConfig(config);
  if (problems.length > 0) {
    throw new StageConfigError(`Stage "${name}" is misconfigured:\n  - ${problems.join('\n  - ')}`);
  }
  return config;
}
