/**
 * Shared factories for the infrastructure tests: synthesize a stage in-process the way `cdk synth`
 * does (same feature flags from cdk.json, same nag checks), but without bundling, which a single test
 * (bundling.test.ts) exercises for real, and without CloudFormation Guard unless asked (guard.test.ts).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack, type CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { afterAll } from 'vitest';
import { applySettings, STAGES, type StageConfig, type StageName } from '../../infra/config/index.ts';
import { addPipeline, PROJECT_ROOT } from '../../infra/stacks/pipeline-app.ts';
import type { UploadPipelineStack } from '../../infra/stacks/upload-pipeline-stack.ts';

/**
 * Alarm recipients for tests: staging and prod leave them to the adopter, so the tests give some, at the
 * domain RFC 2606 reserves for testing.
 */
export const TEST_ALARM_RECIPIENTS = ['library-upload-oncall@team.test'] as const;

/** A stage's record as an adopter would deploy it: the required settings given. */
export function deployable(config: StageConfig): StageConfig {
  return config.observability.alarmRecipients === undefined
    ? applySettings(config, { alarmRecipients: [...TEST_ALARM_RECIPIENTS] })
    : config;
}

/** Every stage, deployable (one object per stage, so `synthesized` caches each once). */
export const DEPLOYABLE: Readonly<Record<StageName, StageConfig>> = {
  dev: deployable(STAGES.dev),
  staging: deployable(STAGES.staging),
  prod: deployable(STAGES.prod),
};

/** The logical id of an L2 construct's CloudFormation resource. */
export function logicalId(construct: IConstruct): string {
  return Stack.of(construct).getLogicalId(construct.node.defaultChild as CfnElement);
}

/** The context `cdk` passes from cdk.json (feature flags). */
export function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(join(PROJECT_ROOT, 'cdk.json'), 'utf8')) as {
    context: Record<string, unknown>;
  };
  return cdkJson.context;
}

export interface Synthesized {
  app: App;
  stack: UploadPipelineStack;
  template: Template;
  json: CfnTemplate;
}

export interface SynthOptions {
  /** Bundle the functions with esbuild (slow-ish); by default bundling is skipped. */
  bundle?: boolean;
  outdir?: string;
  /** Run CloudFormation Guard as `cdk synth` does (about 2 s); off by default, guard.test.ts runs it. */
  guard?: boolean;
  /** Adds constructs to the stack before synthesis (to prove that checks bite). */
  extend?: (stack: UploadPipelineStack) => void;
}

/** Cloud assemblies written by a test file, removed after it (CDK would leave them in /tmp). */
const assemblies: string[] = [];
afterAll(() => {
  for (const dir of assemblies.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** Builds and synthesizes one stage's app; throws as `cdk synth` would (e.g. on nag findings). */
export function synthesize(config: StageConfig, options: SynthOptions = {}): Synthesized {
  const context: Record<string, unknown> = { ...cdkJsonContext(), stage: config.stage };
  // An empty list of stacks to bundle is how the CDK CLI's `--exclusively` skips bundling.
  if (!options.bundle) context['aws:cdk:bundling-stacks'] = [];
  let outdir = options.outdir;
  if (outdir === undefined) {
    outdir = mkdtempSync(join(tmpdir(), 'library-upload-infra-'));
    assemblies.push(outdir);
  }
  const app = new App({ context, outdir });
  const stack = addPipeline(app, config, { guard: options.guard ?? false });
  options.extend?.(stack);
  app.synth();
  const template = Template.fromStack(stack);
  return { app, stack, template, json: template.toJSON() as CfnTemplate };
}

const cache = new Map<StageConfig, Synthesized>();
/** `synthesize` once per config object per test file. */
export function synthesized(config: StageConfig): Synthesized {
  let result = cache.get(config);
  if (!result) {
    result = synthesize(config);
    cache.set(config, result);
  }
  return result;
}

export interface CfnResource {
  Type: string;
  Properties?: Record<string, unknown>;
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
  DependsOn?: string | string[];
}
export interface CfnTemplate {
  Resources: Record<string, CfnResource>;
  Outputs?: Record<string, { Value: unknown }>;
}

/** Resources of one type, by logical id. */
export function resourcesOfType(json: CfnTemplate, type: string): [string, CfnResource][] {
  return Object.entries(json.Resources).filter(([, r]) => r.Type === type);
}

/** The logical id a `{ Ref }` or `{ Fn::GetAtt }` points to. */
export function refTarget(value: unknown): string | undefined {
  if (value && typeof value === 'object') {
    const v = value as { Ref?: unknown; 'Fn::GetAtt'?: unknown };
    if (typeof v.Ref === 'string') return v.Ref;
    if (Array.isArray(v['Fn::GetAtt']) && typeof v['Fn::GetAtt'][0] === 'string') return v['Fn::GetAtt'][0];
  }
  return undefined;
}

/** Our three pipeline functions (not CDK's custom-resource handlers), by name suffix. */
export function pipelineFunctions(json: CfnTemplate): Record<'ingest' | 'poll' | 'publish', [string, CfnResource]> {
  const byName = (suffix: string): [string, CfnResource] => {
    const found = resourcesOfType(json, 'AWS::Lambda::Function').find(
      ([, r]) => typeof r.Properties?.FunctionName === 'string' && r.Properties.FunctionName.endsWith(`-${suffix}`),
    );
    if (!found) throw new Error(`no ${suffix} function in template`);
    return found;
  };
  return { ingest: byName('ingest'), poll: byName('poll'), publish: byName('publish') };
}

/**
 * The template with everything that changes without a change to this app replaced: asset hashes (they
 * follow the aws-cdk-lib version and the bundled code), CDK's inline handler code and the CDK metadata resource.
 */
export function normalisedTemplate(json: CfnTemplate): unknown {
  const copy = JSON.parse(JSON.stringify(json)) as CfnTemplate;
  for (const [id, resource] of Object.entries(copy.Resources)) {
    if (resource.Type === 'AWS::CDK::Metadata') delete copy.Resources[id];
  }
  const text = JSON.stringify(copy, (key, value: unknown) =>
    // CDK's inline custom-resource handlers (bucket notifications) change with every aws-cdk-lib release.
    key === 'ZipFile' ? '<inline handler code>' : value,
  );
  return JSON.parse(text.replace(/[0-9a-f]{64}/g, '<asset-hash>'));
}
