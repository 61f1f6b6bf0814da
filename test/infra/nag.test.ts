/**
 * cdk-nag's AwsSolutions pack runs on every synthesis (registered in infra/stacks/pipeline-app.ts).
 * Every stage, and every configuration variant, must come out with zero unacknowledged findings, and
 * every acknowledgement must carry a reason.
 */
import { Validations, type Stack } from 'aws-cdk-lib';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { STAGES, STAGE_NAMES, dev, type StageConfig } from '../../infra/config/index.ts';
import { MIN_REASON_LENGTH } from '../../infra/constructs/acknowledge.ts';
import { DEPLOYABLE, synthesize, synthesized } from './support.ts';

/** Every acknowledgement in the tree as `path: rule id` → reason. */
function acknowledgements(root: IConstruct): Map<string, string> {
  const found = new Map<string, string>();
  const visit = (node: IConstruct): void => {
    for (const entry of node.node.metadata) {
      if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
      for (const [id, reason] of Object.entries(entry.data as Record<string, string>)) {
        found.set(`${node.node.path}: ${id.replace(/^annotation::/i, '')}`, reason);
      }
    }
    node.node.children.forEach(visit);
  };
  visit(root);
  return found;
}

describe.each(STAGE_NAMES)('stage %s', (stageName) => {
  const { app } = synthesized(DEPLOYABLE[stageName]);

  it('has no AwsSolutions finding left: no error, no warning', () => {
    // Act
    const report = new AwsSolutionsChecks().validateScope(app);

    // Assess
    const findings = report.violations.map(
      (v) => `${v.severity} ${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`,
    );
    expect(findings).toEqual([]);
    expect(report.success).toBe(true);
  });

  it('acknowledges findings only with a reason, and only these (review any change)', () => {
    const acks = acknowledgements(app);
    for (const [where, reason] of acks) expect(reason.trim().length, where).toBeGreaterThanOrEqual(MIN_REASON_LENGTH);
    expect([...acks.keys()].sort()).toMatchSnapshot();
  });
});

describe('configuration variants', () => {
  const variants: [string, StageConfig][] = [
    ['suffix filters', { ...dev, uploads: { ...dev.uploads, notificationFilter: 'prefix-and-suffixes' } }],
    [
      'an imported secret',
      { ...dev, library: { ...dev.library, secret: { kind: 'import', secretName: 'cc/library' } } },
    ],
    ['tagging off', { ...dev, features: { ...dev.features, tagObjects: false } }],
    ['access logs in dev', { ...dev, retention: { ...dev.retention, accessLogDays: 30 } }],
    [
      'reserved concurrency',
      { ...dev, functions: { ...dev.functions, ingest: { ...dev.functions.ingest, reservedConcurrency: 2 } } },
    ],
  ];

  it.each(variants)('stays clean with %s', (_, config) => {
    const { app } = synthesized(config);
    expect(new AwsSolutionsChecks().validateScope(app).violations).toEqual([]);
  });
});

describe('enforcement', () => {
  it('fails synthesis on an unacknowledged finding', () => {
    // Prepare: the pipeline plus a queue that breaks AwsSolutions-SQS2/3/4.
    const addUnencryptedQueue = (stack: Stack): void => {
      new Queue(stack, 'UnencryptedQueue', { encryption: QueueEncryption.UNENCRYPTED });
    };

    // Act
    let failure: unknown;
    try {
      synthesize(STAGES.dev, { extend: addUnencryptedQueue });
    } catch (error) {
      failure = error;
    }

    // Assess
    expect(failure).toBeInstanceOf(Error);
    expect((failure as Error).message).toMatch(/AwsSolutions-SQS2[\s\S]*UnencryptedQueue/);
  });
});
