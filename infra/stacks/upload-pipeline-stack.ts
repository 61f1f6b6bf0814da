/**
 * The stack `cdk deploy -c stage=<name>` deploys: one `LibraryUploadPipeline`, the stage's tags, and
 * every key of STACK_OUTPUTS as an output (the operator tool, the docs and the credentials step find
 * resources by these keys, never by a physical name).
 */
import { CfnOutput, Stack, Tags, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { StageConfig } from '../config/types.ts';
import { LibraryUploadPipeline } from '../constructs/library-upload-pipeline.ts';

// The local runner and the benchmarks read these definitions from here: same names, one source.
export { SECRET_PLACEHOLDER } from '../constructs/library-credentials.ts';
export { FUNCTION_ENTRIES, finalStatusFilter } from '../constructs/pipeline-functions.ts';
export { notificationFilters } from '../constructs/upload-bucket.ts';

/** The stack's settings: the stage record and where the code is. */
export interface UploadPipelineStackProps extends StackProps {
  readonly config: StageConfig;
  /** The repository root (package-lock.json, tsconfig.json, functions/). */
  readonly projectRoot: string;
}

/** One stage of the pipeline. */
export class UploadPipelineStack extends Stack {
  readonly config: StageConfig;
  readonly pipeline: LibraryUploadPipeline;

  constructor(scope: Construct, id: string, props: UploadPipelineStackProps) {
    super(scope, id, props);
    this.config = props.config;
    Tags.of(this).add('project', 'library-upload');
    Tags.of(this).add('stage', props.config.stage);
    for (const [key, value] of Object.entries(props.config.tags)) Tags.of(this).add(key, value);

    this.pipeline = new LibraryUploadPipeline(this, 'Pipeline', {
      config: props.config,
      projectRoot: props.projectRoot,
    });
    for (const [key, { value, description }] of Object.entries(this.pipeline.outputs)) {
      new CfnOutput(this, key, { value, description });
    }
  }
}
