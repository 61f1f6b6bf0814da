/**
 * CloudFormation Guard with the AWS Control Tower proactive controls runs on every `cdk synth`
 * (infra/stacks/policy-checks.ts). Every stage must pass it: a control is either met, switched off for
 * the whole app with its reason, or acknowledged next to the one resource it does not fit.
 */
import { Validations } from 'aws-cdk-lib';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { describe, expect, it } from 'vitest';
import { STAGE_NAMES, dev } from '../../infra/config/index.ts';
import { MIN_REASON_LENGTH } from '../../infra/constructs/acknowledge.ts';
import { GUARD_CONTROLS_NOT_APPLIED } from '../../infra/stacks/policy-checks.ts';
import { DEPLOYABLE, synthesize } from './support.ts';

describe.each(STAGE_NAMES)('stage %s', (stageName) => {
  it('passes the Control Tower controls', () => {
    expect(() => synthesize(DEPLOYABLE[stageName], { guard: true })).not.toThrow();
  });
});

describe('exceptions', () => {
  it('switch controls off only with a reason', () => {
    for (const [rule, reason] of Object.entries(GUARD_CONTROLS_NOT_APPLIED)) {
      expect(rule).toMatch(/^ct-[a-z0-9]+-pr-\d+$/);
      expect(reason.length, rule).toBeGreaterThanOrEqual(MIN_REASON_LENGTH);
    }
  });

  it('fail synthesis on a control no one acknowledged', () => {
    // Prepare: a queue cdk-nag lets through (its finding acknowledged) but without a dead-letter queue.
    const extend = (stack: Parameters<NonNullable<Parameters<typeof synthesize>[1]>['extend'] & object>[0]): void => {
      const queue = new Queue(stack, 'QueueWithoutDlq', { encryption: QueueEncryption.SQS_MANAGED, enforceSSL: true });
      Validations.of(queue).acknowledge({
        id: 'AwsSolutions-SQS3',
        reason: 'proves that Guard checks what nag was told to skip',
      });
    };

    // Act + Assess
    expect(() => synthesize(dev, { guard: true, extend })).toThrow(/CT\.SQS\.PR\.1[\s\S]*QueueWithoutDlq/);
  });
});
