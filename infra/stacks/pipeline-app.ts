/**
 * Builds the CDK app for one stage: the pipeline stack plus the policy checks (cdk-nag's AwsSolutions
 * pack, CloudFormation Guard's Control Tower controls), which run on every synthesis (a finding that is
 * neither fixed nor acknowledged with a reason fails the synth). infra/app.ts and the tests build the
 * app the same way.
 */
import { fileURLToPath } from 'node:url';
import { App, type AppProps } from 'aws-cdk-lib';
import {
  deploymentProblems,
  getStageConfig,
  resolveSettings,
  StageConfigError,
  type StageConfig,
} from '../config/index.ts';
import { resourceNames } from '../config/names.ts';
import { addPolicyChecks } from './policy-checks.ts';
import { UploadPipelineStack } from './upload-pipeline-stack.ts';

/** The repository root, two levels above this file. */
export const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** An app holding one stage. */
export interface PipelineApp {
  readonly app: App;
  readonly stack: UploadPipelineStack;
}

/** Options of `addPipeline`. */
export interface AddPipelineOptions {
  readonly projectRoot?: string;
  /** Run CloudFormation Guard too (default): about 2 s per synthesis, so most tests leave it to one. */
  readonly guard?: boolean;
}

/** Adds the stage's stack and the policy checks to `app`. */
export function addPipeline(app: App, config: StageConfig, options: AddPipelineOptions = {}): UploadPipelineStack {
  const projectRoot = options.projectRoot ?? PROJECT_ROOT;
  addPolicyChecks(app, { guard: options.guard });
  const names = resourceNames(config);
  return new UploadPipelineStack(app, names.stackName, {
    stackName: names.stackName,
    description: `Library upload pipeline (${config.stage}): S3 to Constant Contact MyLibrary, outcomes on EventBridge`,
    env: { account: config.env.account, region: config.env.region },
    terminationProtection: config.retention.data === 'retain',
    config,
    projectRoot,
  });
}

/** A new app holding one stage: for tests and scripts that synthesize in-process. */
export function createPipelineApp(config: StageConfig, props: AppProps = {}): PipelineApp {
  const app = new App(props);
  return { app, stack: addPipeline(app, config) };
}

/**
 * The stage named by the `stage` context value, with the adopter's settings applied (settings file,
 * then `-c <setting>=<value>`), ready to deploy. Throws `StageConfigError` or `StageSettingsError`
 * with sentences an operator can act on.
 */
export function stageFromContext(get: (key: string) => unknown, projectRoot: string = PROJECT_ROOT): StageConfig {
  const { stage } = getStageConfig(get('stage'));
  const config = getStageConfig(stage, resolveSettings(stage, get, projectRoot));
  const problems = deploymentProblems(config);
  if (problems.length > 0) {
    throw new StageConfigError(`Stage "${stage}" cannot be synthesized yet:\n  - ${problems.join('\n  - ')}`);
  }
  return config;
}
