/**
 * cdk-nag v3 findings are acknowledged through CDK's own `Validations.of(scope).acknowledge()`. This
 * wrapper insists on a reason that says something, so "n/a" cannot slip through review.
 */
import { Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

export const MIN_REASON_LENGTH = 40;

export function acknowledge(scope: IConstruct, id: string, reason: string): void {
  if (reason.trim().length < MIN_REASON_LENGTH) {
    throw new Error(`Acknowledgement of ${id} on ${scope.node.path} needs a real reason (got "${reason}")`);
  }
  Validations.of(scope).acknowledge({ id, reason });
}
