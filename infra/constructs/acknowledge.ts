/**
 * cdk-nag v3 findings are acknowledged through CDK's own `Validations.of(scope).acknowledge()`. This
 * wrapper insists on a reason that says something, so "n/a" cannot slip through review.
 */
import { Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/** The shortest reason an acknowledgement may give. */
export const MIN_REASON_LENGTH = 40;

/** CloudFormation Guard findings are acknowledged as `cdk-validator-cfnguard::<rule name>`. */
export const guardRule = (rule: string): string => `cdk-validator-cfnguard::${rule}`;

/** Acknowledges the finding `id` on `scope` (and below), with a reason that must say something. */
export function acknowledge(scope: IConstruct, id: string, reason: string): void {
  if (reason.trim().length < MIN_REASON_LENGTH) {
    throw new Error(`Acknowledgement of ${id} on ${scope.node.path} needs a real reason (got "${reason}")`);
  }
  Validations.of(scope).acknowledge({ id, reason });
}
