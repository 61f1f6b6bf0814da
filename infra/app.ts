/**
 * CDK entry point: `npx cdk deploy -c stage=dev|staging|prod`. The stage name selects one typed record
 * from infra/config/stages.ts; the adopter's settings (a settings file, `-c <setting>=<value>`) go over
 * it. An unknown stage, an unknown setting or a missing required one fails here with a sentence.
 */
import { App } from 'aws-cdk-lib';
import { StageConfigError, StageSettingsError, type StageConfig } from './config/index.ts';
import { addPipeline, stageFromContext } from './stacks/pipeline-app.ts';

const app = new App();

let config: StageConfig;
try {
  config = stageFromContext((key) => app.node.tryGetContext(key));
} catch (error) {
  if (!(error instanceof StageConfigError || error instanceof StageSettingsError)) throw error;
  // A sentence, not a stack trace: this is a usage error.
  console.error(error.message);
  process.exit(1);
}

addPipeline(app, config);
app.synth();
