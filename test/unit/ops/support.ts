/**
 * Shared parts of the operator tool's unit tests: a deployed stage's stack outputs (every key the
 * stack writes, with plausible values) and a target resolved from them through a mocked
 * CloudFormation DescribeStacks, so the AWS-only commands run against mocked SDK clients.
 */
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { STACK_OUTPUTS } from '../../../infra/config/stack-outputs.ts';
import { stackTarget } from '../../../infra/ops/target/stack.ts';
import type { OpsTarget } from '../../../infra/ops/target/types.ts';

export const REGION = 'eu-west-1';
const ACCOUNT = '123456789012';
const queueUrl = (name: string) => `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/library-upload-prod-${name}`;
const queueArn = (name: string) => `arn:aws:sqs:${REGION}:${ACCOUNT}:library-upload-prod-${name}`;

/** Every output of a deployed prod stack, by output key. */
export const PROD_OUTPUTS: Record<string, string> = {
  [STACK_OUTPUTS.bucketName]: 'libraryupload-prod-uploadbucket-1a2b3c',
  [STACK_OUTPUTS.uploadPrefix]: 'uploads/',
  [STACK_OUTPUTS.eventBusName]: 'library-upload-prod',
  [STACK_OUTPUTS.eventBusArn]: `arn:aws:events:${REGION}:${ACCOUNT}:event-bus/library-upload-prod`,
  [STACK_OUTPUTS.eventArchiveName]: 'library-upload-prod-events',
  [STACK_OUTPUTS.eventArchiveArn]: `arn:aws:events:${REGION}:${ACCOUNT}:archive/library-upload-prod-events`,
  [STACK_OUTPUTS.uploadsTableName]: 'library-upload-prod-uploads',
  [STACK_OUTPUTS.limitsTableName]: 'library-upload-prod-limits',
  [STACK_OUTPUTS.librarySecretArn]: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:library-upload/prod/library-credentials-AbCdEf`,
  [STACK_OUTPUTS.librarySecretName]: 'library-upload/prod/library-credentials',
  [STACK_OUTPUTS.ingestQueueUrl]: queueUrl('ingest'),
  [STACK_OUTPUTS.ingestQueueArn]: queueArn('ingest'),
  [STACK_OUTPUTS.ingestDeadLetterQueueUrl]: queueUrl('ingest-dlq'),
  [STACK_OUTPUTS.ingestDeadLetterQueueArn]: queueArn('ingest-dlq'),
  [STACK_OUTPUTS.statusQueueUrl]: queueUrl('status'),
  [STACK_OUTPUTS.statusQueueArn]: queueArn('status'),
  [STACK_OUTPUTS.statusDeadLetterQueueUrl]: queueUrl('status-dlq'),
  [STACK_OUTPUTS.statusDeadLetterQueueArn]: queueArn('status-dlq'),
  [STACK_OUTPUTS.publishFailureQueueUrl]: queueUrl('publish-failures'),
  [STACK_OUTPUTS.ingestEventSourceMappingId]: '11111111-2222-3333-4444-555555555555',
  [STACK_OUTPUTS.statusEventSourceMappingId]: '66666666-7777-8888-9999-000000000000',
  [STACK_OUTPUTS.alarmTopicArn]: `arn:aws:sns:${REGION}:${ACCOUNT}:library-upload-prod-alarms`,
  [STACK_OUTPUTS.dashboardName]: 'library-upload-prod',
  [STACK_OUTPUTS.dashboardUrl]: `https://console.aws.amazon.com/cloudwatch/home?region=${REGION}#dashboards:name=library-upload-prod`,
};

/** A CloudFormation client whose DescribeStacks answers `outputs` for the stack. */
export function cloudFormationWith(outputs: Record<string, string>) {
  const cfn = mockClient(CloudFormationClient);
  cfn.on(DescribeStacksCommand).resolves({
    Stacks: [
      {
        StackName: 'LibraryUpload-prod',
        StackStatus: 'UPDATE_COMPLETE',
        CreationTime: new Date('2026-01-01T00:00:00Z'),
        Outputs: Object.entries(outputs).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue })),
      },
    ],
  });
  return cfn;
}

/** The prod stage resolved from its (mocked) stack outputs. */
export async function prodTarget(): Promise<OpsTarget> {
  const cfn = cloudFormationWith(PROD_OUTPUTS);
  try {
    return await stackTarget('prod', { cloudFormation: new CloudFormationClient({ region: REGION }), region: REGION });
  } finally {
    cfn.restore();
  }
}
