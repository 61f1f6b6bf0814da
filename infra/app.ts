/**
 * CDK entry point: `npx cdk deploy -c stage=dev|staging|prod`. The stage name selects one typed record
 * from infra/config/stages.ts; an unknown or missing stage fails here with the list of known stages.
 */
import { App } from 'aws-cdk-lib';
import { StageConfigError, getStageConfig, type StageConfig } from './config/index.ts';
import { addPipeline } from './stacks/pipeline-app.ts';

const app = new App();

let config: StageConfig;
try {
  config = getStageConfig(app.node.tryGetContext('stage'));
} catch (error) {
  if (!(error instanceof StageConfigError)) throw error;
  // A sentence, not a stack trace: this is a usage error.
  console.error(error.message);
  process.exit(1);
}

addPipeline(app, config);
app.synth();
