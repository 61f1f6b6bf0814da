/**
 * CDK entry point: `npx cdk deploy -c stage=dev|staging|prod`. The stage name selects one typed record
 * from infra/config/stages.ts; an unknown or missing stage fails here with the list of known stages.
 */
import { App } from 'aws-cdk-lib';
import { getStageConfig } from './config/index.ts';
import { addPipeline } from './stacks/pipeline-app.ts';

const app = new App();
addPipeline(app, getStageConfig(app.node.tryGetContext('stage')));
app.synth();
