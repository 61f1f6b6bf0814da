/**
 * CDK's own helper Lambdas (the bucket-notifications handler, the auto-delete-objects provider, any a
 * later construct adds) get no log group: Lambda creates one on first invocation that never expires.
 * This aspect gives every Lambda function in a stack that names no log group one with the stage's
 * retention, and points the function at it. The helpers' roles carry AWSLambdaBasicExecutionRole, which
 * may write to any log group, and the function's reference makes CloudFormation create the group first.
 */
import { Aspects, AspectPriority, CfnResource, RemovalPolicy, type IAspect, type Stack } from 'aws-cdk-lib';
import { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IConstruct } from 'constructs';

const covered = new WeakSet<Stack>();

/** Adds the aspect to `stack` once, however many pipelines it holds. */
export function retainHelperLogs(stack: Stack, retention: RetentionDays): void {
  if (covered.has(stack)) return;
  covered.add(stack);
  Aspects.of(stack).add(new HelperLogRetention(retention), { priority: AspectPriority.MUTATING });
}

/** Gives each Lambda function without a log group one with a retention. */
export class HelperLogRetention implements IAspect {
  constructor(private readonly retention: RetentionDays) {}

  visit(node: IConstruct): void {
    if (!(node instanceof CfnResource) || node.cfnResourceType !== 'AWS::Lambda::Function') return;
    if (node instanceof CfnFunction && node.loggingConfig !== undefined) return;
    const parent = node.node.scope;
    if (parent === undefined) return;
    // Helper logs only tell how a deployment went: they go with the stack.
    const logs = new LogGroup(parent, `${node.node.id}Logs`, {
      retention: this.retention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    node.addPropertyOverride('LoggingConfig.LogGroup', logs.logGroupName);
  }
}
