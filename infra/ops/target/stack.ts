/**
 * `--stage <name>`: a deployed stage, found through its CloudFormation stack's outputs (the stack named
 * by `resourceNames(stage).stackName`, the keys of `STACK_OUTPUTS`), never through a hand-copied name.
 * Credentials and region come from the SDK's default chain (environment, profile, SSO, instance role);
 * without a configured region the stage's own region is used.
 */
import { CloudFormationClient, DescribeStacksCommand, type Output } from '@aws-sdk/client-cloudformation';
import { getStageConfig, resourceNames, StageConfigError, type StageConfig } from '../../config/index.ts';
import { STACK_OUTPUTS, type StackOutputKey } from '../../config/stack-outputs.ts';
import { OpsError, UsageError } from '../errors.ts';
import { buildClients } from './clients.ts';
import type { OpsResources, OpsTarget } from './types.ts';

/** The stage's config; `UsageError` (exit 2) for an unknown stage. */
export function stageConfigOf(name: string): StageConfig {
  try {
    return getStageConfig(name);
  } catch (error) {
    if (error instanceof StageConfigError) throw new UsageError(error.message);
    throw error;
  }
}

/** The stack's outputs by key; clear errors for missing credentials and a stack that does not exist. */
export async function describeStackOutputs(
  cloudFormation: Pick<CloudFormationClient, 'send'>,
  stackName: string,
): Promise<Map<string, string>> {
  let outputs: Output[];
  try {
    const result = await cloudFormation.send(new DescribeStacksCommand({ StackName: stackName }));
    outputs = result.Stacks?.[0]?.Outputs ?? [];
  } catch (error) {
    throw stackError(error, stackName);
  }
  return new Map(outputs.flatMap((o) => (o.OutputKey && o.OutputValue ? [[o.OutputKey, o.OutputValue]] : [])));
}

function stackError(error: unknown, stackName: string): OpsError {
  const name = (error as { name?: string }).name ?? '';
  const message = (error as Error).message ?? String(error);
  if (
    name === 'CredentialsProviderError' ||
    (/credential/i.test(message) && /could not|missing|not load/i.test(message))
  ) {
    return new OpsError(
      'No AWS credentials: the tool uses the default chain (AWS_PROFILE, environment variables, SSO, an instance role). ' +
        'Log in (e.g. `aws sso login`) or export AWS_PROFILE, then run it again',
    );
  }
  if (name === 'ValidationError' && /does not exist/i.test(message)) {
    return new OpsError(
      `Stack ${stackName} does not exist in this account and region: deploy the stage first, or check AWS_REGION`,
    );
  }
  return new OpsError(`DescribeStacks ${stackName} failed: ${name ? `${name}: ` : ''}${message}`);
}

/** The resources a stage's outputs name; `OpsError` listing any output the stack lacks. */
export function resourcesFromOutputs(outputs: Map<string, string>, stackName: string): OpsResources {
  const missing: StackOutputKey[] = [];
  const get = (key: StackOutputKey): string => {
    const value = outputs.get(key);
    if (value === undefined) missing.push(key);
    return value ?? '';
  };
  const optional = (key: StackOutputKey): string | undefined => outputs.get(key);
  const O = STACK_OUTPUTS;
  const resources: OpsResources = {
    bucket: get(O.bucketName),
    uploadPrefix: get(O.uploadPrefix),
    uploadsTable: get(O.uploadsTableName),
    limitsTable: get(O.limitsTableName),
    eventBusName: get(O.eventBusName),
    eventBusArn: get(O.eventBusArn),
    ...(optional(O.eventArchiveArn) === undefined ? {} : { eventArchiveArn: optional(O.eventArchiveArn) }),
    queues: {
      ingest: { url: get(O.ingestQueueUrl), arn: get(O.ingestQueueArn) },
      ingestDeadLetter: { url: get(O.ingestDeadLetterQueueUrl), arn: get(O.ingestDeadLetterQueueArn) },
      status: { url: get(O.statusQueueUrl), arn: get(O.statusQueueArn) },
      statusDeadLetter: { url: get(O.statusDeadLetterQueueUrl), arn: get(O.statusDeadLetterQueueArn) },
      publishFailures: { url: get(O.publishFailureQueueUrl) },
    },
    eventSourceMappings: {
      ingest: get(O.ingestEventSourceMappingId),
      status: get(O.statusEventSourceMappingId),
    },
  };
  if (missing.length > 0) {
    throw new OpsError(
      `Stack ${stackName} has no output ${missing.join(', ')}: deploy the current version of the stack`,
    );
  }
  return resources;
}

/** Resolves a deployed stage. `cloudFormation` is injectable so tests can answer DescribeStacks. */
export async function stackTarget(
  stageName: string,
  options: { cloudFormation?: Pick<CloudFormationClient, 'send'>; region?: string } = {},
): Promise<OpsTarget> {
  const stage = stageConfigOf(stageName);
  const region = options.region ?? process.env['AWS_REGION'] ?? process.env['AWS_DEFAULT_REGION'] ?? stage.env.region;
  const stackName = resourceNames(stage).stackName;
  const cloudFormation = options.cloudFormation ?? new CloudFormationClient({ region });
  try {
    const resources = resourcesFromOutputs(await describeStackOutputs(cloudFormation, stackName), stackName);
    const { clients, close } = buildClients({ region });
    return { kind: 'aws', stage, resources, clients, close };
  } finally {
    if (options.cloudFormation === undefined) (cloudFormation as CloudFormationClient).destroy();
  }
}
