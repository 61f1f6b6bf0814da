/**
 * Checks that follow references through a synthesized template, shared by the stage tests and the
 * embedding test: each returns the problems it found (empty = fine), so a test can also prove that a
 * check bites.
 */
import { refTarget, resourcesOfType, type CfnTemplate } from './support.ts';

interface PolicyStatement {
  Sid?: string;
  Effect: string;
  Principal?: unknown;
  Action: string | string[];
  Condition?: Record<string, Record<string, unknown>>;
}

const asArray = <T>(value: T | T[] | undefined): T[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

/** A `{ "Fn::Join": ["", [...]] }` (or a string) as text, references shown as `${id}`. */
function joined(value: unknown): string {
  if (typeof value === 'string') return value;
  const join = (value as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
  if (join)
    return join[1].map((part) => (typeof part === 'string' ? part : `\${${refTarget(part) ?? '?'}}`)).join(join[0]);
  return `\${${refTarget(value) ?? '?'}}`;
}

/** An ARN pattern with `*` wildcards as a regular expression; references match any segment text. */
function arnPattern(pattern: string): RegExp {
  const escaped = pattern
    .split(/(\$\{[^}]*\}|\*)/)
    .map((part) => (part === '*' ? '.*' : part.startsWith('${') ? '[^:]*' : part.replace(/[.+?^$()|[\]\\{}]/g, '\\$&')))
    .join('');
  return new RegExp(`^${escaped}$`);
}

const isCloudWatch = (principal: unknown): boolean =>
  asArray((principal as { Service?: string | string[] } | undefined)?.Service).includes('cloudwatch.amazonaws.com');

/**
 * Every alarm action must reach someone: alarm → action (an SNS topic of this template) → the topic's
 * policy (an Allow for cloudwatch.amazonaws.com to sns:Publish, scoped to this account and an alarm ARN
 * pattern the alarm's name fits, and no Deny other than the TLS-only one) → the topic's KMS key, if
 * any (its policy must let CloudWatch use it).
 */
export function alarmDeliveryProblems(json: CfnTemplate): string[] {
  const problems: string[] = [];
  for (const [alarmId, alarm] of resourcesOfType(json, 'AWS::CloudWatch::Alarm')) {
    const p = alarm.Properties ?? {};
    const actions = [...asArray(p.AlarmActions), ...asArray(p.OKActions), ...asArray(p.InsufficientDataActions)];
    if (actions.length === 0) problems.push(`${alarmId}: no action`);
    for (const action of actions) {
      const topicId = refTarget(action);
      const topic = topicId === undefined ? undefined : json.Resources[topicId];
      if (topic?.Type !== 'AWS::SNS::Topic') {
        problems.push(`${alarmId}: action ${JSON.stringify(action)} is not a topic of this template`);
        continue;
      }
      const alarmArn = `arn:aws:cloudwatch:region:account:alarm:${String(p.AlarmName)}`;
      problems.push(...topicProblems(json, topicId as string, alarmArn).map((problem) => `${alarmId}: ${problem}`));
    }
  }
  return problems;
}

function topicProblems(json: CfnTemplate, topicId: string, alarmArn: string): string[] {
  const statements = resourcesOfType(json, 'AWS::SNS::TopicPolicy')
    .filter(([, policy]) => asArray(policy.Properties?.Topics as unknown[]).some((t) => refTarget(t) === topicId))
    .flatMap(([, policy]) => (policy.Properties?.PolicyDocument as { Statement: PolicyStatement[] }).Statement);
  const problems: string[] = [];
  const allow = statements.find(
    (s) => s.Effect === 'Allow' && isCloudWatch(s.Principal) && asArray(s.Action).includes('sns:Publish'),
  );
  if (!allow) return [`topic ${topicId}: no policy statement allows cloudwatch.amazonaws.com to sns:Publish`];
  if (JSON.stringify(allow.Condition?.StringEquals?.['aws:SourceAccount']) !== '{"Ref":"AWS::AccountId"}') {
    problems.push(`topic ${topicId}: the CloudWatch grant is not limited to this account (aws:SourceAccount)`);
  }
  const sourceArn = allow.Condition?.ArnLike?.['aws:SourceArn'];
  if (sourceArn === undefined || !arnPattern(joined(sourceArn)).test(alarmArn)) {
    problems.push(`topic ${topicId}: aws:SourceArn ${joined(sourceArn)} does not cover ${alarmArn}`);
  }
  for (const deny of statements.filter((s) => s.Effect === 'Deny')) {
    if (JSON.stringify(deny.Condition) !== '{"Bool":{"aws:SecureTransport":"false"}}') {
      problems.push(`topic ${topicId}: Deny ${deny.Sid ?? ''} may block CloudWatch`);
    }
  }
  if (!statements.some((s) => s.Effect === 'Deny' && s.Condition?.Bool?.['aws:SecureTransport'] === 'false')) {
    problems.push(`topic ${topicId}: lost its TLS-only Deny`);
  }
  return [...problems, ...keyProblems(json, topicId)];
}

function keyProblems(json: CfnTemplate, topicId: string): string[] {
  const key = json.Resources[topicId]?.Properties?.KmsMasterKeyId;
  if (key === undefined) return [];
  const keyId = refTarget(key);
  const resource = keyId === undefined ? undefined : json.Resources[keyId];
  if (resource?.Type !== 'AWS::KMS::Key')
    return [`topic ${topicId}: key ${JSON.stringify(key)} is not a key of this template`];
  const statements = (resource.Properties?.KeyPolicy as { Statement: PolicyStatement[] }).Statement;
  const grant = statements.find((s) => s.Effect === 'Allow' && isCloudWatch(s.Principal));
  const actions = asArray(grant?.Action);
  return actions.includes('kms:Decrypt') && actions.some((a) => a.startsWith('kms:GenerateDataKey'))
    ? []
    : [`topic ${topicId}: key ${keyId} does not let CloudWatch encrypt (kms:Decrypt, kms:GenerateDataKey*)`];
}

/** Properties that fix a resource's physical name. */
const NAME_PROPERTIES = ['BucketName', 'TableName', 'Name', 'LogGroupName', 'QueueName', 'TopicName', 'FunctionName'];

/** Retained resources with a fixed name: after a stack deletion, the next deployment fails on them. */
export function retainedNameProblems(json: CfnTemplate): string[] {
  return Object.entries(json.Resources)
    .filter(([, r]) => r.DeletionPolicy === 'Retain' || r.UpdateReplacePolicy === 'Retain')
    .flatMap(([id, r]) =>
      NAME_PROPERTIES.filter((key) => r.Properties?.[key] !== undefined).map((key) => `${id}.${key}`),
    );
}

/** Lambda functions whose logs would never expire: no log group, or one without a retention. */
export function logRetentionProblems(json: CfnTemplate, days: number): string[] {
  return resourcesOfType(json, 'AWS::Lambda::Function').flatMap(([id, fn]) => {
    const groupId = refTarget((fn.Properties?.LoggingConfig as { LogGroup?: unknown } | undefined)?.LogGroup);
    const group = groupId === undefined ? undefined : json.Resources[groupId];
    if (group?.Type !== 'AWS::Logs::LogGroup') return [`${id}: no log group of this template`];
    return group.Properties?.RetentionInDays === days
      ? []
      : [`${id}: ${groupId} keeps logs ${String(group.Properties?.RetentionInDays)} days`];
  });
}

/** Physical names given twice in one template. */
export function duplicateNames(json: CfnTemplate): string[] {
  const seen = new Map<string, string>();
  const duplicates: string[] = [];
  for (const [id, r] of Object.entries(json.Resources)) {
    for (const key of [...NAME_PROPERTIES, 'AlarmName', 'DashboardName', 'ArchiveName']) {
      const value = r.Properties?.[key];
      if (typeof value !== 'string') continue;
      const name = `${r.Type} ${value}`;
      if (seen.has(name)) duplicates.push(`${name}: ${seen.get(name) ?? ''} and ${id}`);
      seen.set(name, id);
    }
  }
  return duplicates;
}
