/**
 * `--stage`: resources found through DescribeStacks on the stage's stack and the STACK_OUTPUTS keys,
 * with clear errors for a missing stack, missing credentials and an out-of-date stack.
 */
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { STACK_OUTPUTS } from '../../../infra/config/stack-outputs.ts';
import { EXIT, OpsError } from '../../../infra/ops/errors.ts';
import { stackTarget } from '../../../infra/ops/target/stack.ts';
import { cloudFormationWith, PROD_OUTPUTS, REGION } from './support.ts';

const cfnMock = mockClient(CloudFormationClient);
afterEach(() => cfnMock.reset());
const client = () => new CloudFormationClient({ region: REGION });

describe('stack target', () => {
  it("reads the stage's stack, named by resourceNames, and maps every output the tool needs", async () => {
    // Arrange
    const cfn = cloudFormationWith(PROD_OUTPUTS);
    // Act
    const target = await stackTarget('prod', { cloudFormation: client(), region: REGION });
    // Assess
    expect(cfn.commandCalls(DescribeStacksCommand)[0]?.args[0].input).toEqual({ StackName: 'LibraryUpload-prod' });
    expect(target.kind).toBe('aws');
    expect(target.stage.stage).toBe('prod');
    expect(target.resources).toMatchObject({
      bucket: PROD_OUTPUTS[STACK_OUTPUTS.bucketName],
      uploadsTable: 'library-upload-prod-uploads',
      eventArchiveArn: PROD_OUTPUTS[STACK_OUTPUTS.eventArchiveArn],
      queues: {
        ingestDeadLetter: {
          url: PROD_OUTPUTS[STACK_OUTPUTS.ingestDeadLetterQueueUrl],
          arn: PROD_OUTPUTS[STACK_OUTPUTS.ingestDeadLetterQueueArn],
        },
        publishFailures: { url: PROD_OUTPUTS[STACK_OUTPUTS.publishFailureQueueUrl] },
      },
      eventSourceMappings: {
        ingest: PROD_OUTPUTS[STACK_OUTPUTS.ingestEventSourceMappingId],
        status: PROD_OUTPUTS[STACK_OUTPUTS.statusEventSourceMappingId],
      },
    });
    target.close();
    cfn.restore();
  });

  it('says the stack does not exist (exit 1)', async () => {
    cfnMock
      .on(DescribeStacksCommand)
      .rejects(
        Object.assign(new Error('Stack with id LibraryUpload-staging does not exist'), { name: 'ValidationError' }),
      );
    const error = await stackTarget('staging', { cloudFormation: client() }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpsError);
    expect((error as OpsError).exitCode).toBe(EXIT.failed);
    expect((error as Error).message).toMatch(/Stack LibraryUpload-staging does not exist/);
  });

  it('says there are no credentials, naming the default chain', async () => {
    cfnMock
      .on(DescribeStacksCommand)
      .rejects(
        Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }),
      );
    const error = await stackTarget('dev', { cloudFormation: client() }).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/^No AWS credentials: .*default chain/);
  });

  it('names every output an out-of-date stack lacks', async () => {
    const outputs = { ...PROD_OUTPUTS };
    delete outputs[STACK_OUTPUTS.ingestEventSourceMappingId];
    delete outputs[STACK_OUTPUTS.statusDeadLetterQueueArn];
    const cfn = cloudFormationWith(outputs);
    const error = await stackTarget('prod', { cloudFormation: client() }).catch((e: unknown) => e);
    expect((error as Error).message).toContain('StatusDeadLetterQueueArn, IngestEventSourceMappingId');
    cfn.restore();
  });

  it('refuses an unknown stage as a usage error (exit 2)', async () => {
    const error = await stackTarget('qa', { cloudFormation: client() }).catch((e: unknown) => e);
    expect((error as OpsError).exitCode).toBe(EXIT.usage);
    expect(cfnMock.commandCalls(DescribeStacksCommand)).toHaveLength(0);
  });
});
