/**
 * `LibraryUploadPipeline` is a construct any CDK app can embed. A second app puts two copies in one
 * stack (one account): two buckets, two name prefixes, two upload prefixes. Nothing may collide, and
 * the result must be as cdk-nag clean as our own stack.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { afterAll, describe, expect, it } from 'vitest';
import { applySettings, staging } from '../../infra/config/index.ts';
import { LibraryUploadPipeline } from '../../infra/constructs/library-upload-pipeline.ts';
import { PROJECT_ROOT } from '../../infra/stacks/pipeline-app.ts';
import { cdkJsonContext, deployable, resourcesOfType, type CfnTemplate } from './support.ts';
import { alarmDeliveryProblems, duplicateNames, logRetentionProblems, retainedNameProblems } from './template-walks.ts';

const outdir = mkdtempSync(join(tmpdir(), 'library-upload-embed-'));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

/** Another team's app: its own stack, two pipelines, nag checks as we run them. */
function embeddingApp(): { app: App; stack: Stack; json: CfnTemplate } {
  const app = new App({ context: { ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [] }, outdir });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  const stack = new Stack(app, 'MarketingAssets', { env: { region: 'eu-west-1' } });
  const base = deployable(staging);
  new LibraryUploadPipeline(stack, 'Brand', {
    config: applySettings(base, { uploadPrefix: 'brand/', defaultFolderId: '12' }),
    projectRoot: PROJECT_ROOT,
    namePrefix: 'marketing-brand',
  });
  new LibraryUploadPipeline(stack, 'Campaigns', {
    config: applySettings(base, { uploadPrefix: 'campaigns/' }),
    projectRoot: PROJECT_ROOT,
    namePrefix: 'marketing-campaigns',
  });
  app.synth();
  return { app, stack, json: Template.fromStack(stack).toJSON() as CfnTemplate };
}

describe('a second app embedding the pipeline twice', () => {
  const { app, json } = embeddingApp();

  it('synthesizes two pipelines with no physical name given twice', () => {
    expect(resourcesOfType(json, 'AWS::Lambda::EventSourceMapping')).toHaveLength(6);
    expect(resourcesOfType(json, 'AWS::S3::Bucket')).toHaveLength(2);
    expect(duplicateNames(json)).toEqual([]);
  });

  it('is cdk-nag clean', () => {
    expect(new AwsSolutionsChecks().validateScope(app).violations).toEqual([]);
  });

  it('keeps the guarantees of our own stack: alarms delivered, logs expire, retained resources unnamed', () => {
    expect(alarmDeliveryProblems(json)).toEqual([]);
    expect(logRetentionProblems(json, staging.retention.logDays)).toEqual([]);
    expect(retainedNameProblems(json)).toEqual([]);
  });

  it('refuses a second pipeline with the same name prefix in one stack', () => {
    const stack = new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'Twice');
    const config = deployable(staging);
    new LibraryUploadPipeline(stack, 'First', { config, projectRoot: PROJECT_ROOT });
    expect(() => new LibraryUploadPipeline(stack, 'Second', { config, projectRoot: PROJECT_ROOT })).toThrow(
      /Twice\/Second uses the name prefix "library-upload-staging" of Twice\/First: give each pipeline/,
    );
  });

  it('refuses a stage whose alarm recipients are not given, naming the setting', () => {
    const stack = new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'Missing');
    expect(() => new LibraryUploadPipeline(stack, 'P', { config: staging, projectRoot: PROJECT_ROOT })).toThrow(
      /observability\.alarmRecipients is required for stage "staging"/,
    );
  });
});
