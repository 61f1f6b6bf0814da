/**
 * Security assertions that test/infra/stack.test.ts and nag.test.ts do not already make.
 *
 * Already covered elsewhere (not repeated here):
 *  - cdk-nag (AwsSolutions) clean, every suppression with a reason: nag.test.ts;
 *  - every bucket's policy denies requests without TLS, every queue encrypted and TLS-only, the uploads
 *    table encrypted, "*" only on actions without resource-level permissions, no wildcard action, no
 *    managed policies, the S3/SQS/EventBridge statements of each function: stack.test.ts.
 *
 * Added here: every bucket and table (not only the upload bucket and the uploads table) encrypted; no
 * write action on a wildcard resource pattern beyond the upload prefix; each function's write actions
 * compared with the writes its code makes (KNOWN_UNUSED_WRITES: none); no
 * credential in any function's environment.
 */
import { describe, expect, it } from 'vitest';
import { STAGE_NAMES } from '../../infra/config/index.ts';
import { DEPLOYABLE, pipelineFunctions, refTarget, resourcesOfType, synthesized, type CfnTemplate } from './support.ts';

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
}
const asArray = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

function statementsOfRole(json: CfnTemplate, roleId: string): Statement[] {
  return resourcesOfType(json, 'AWS::IAM::Policy')
    .filter(([, p]) => asArray(p.Properties?.Roles as unknown[]).some((r) => refTarget(r) === roleId))
    .flatMap(([, p]) => (p.Properties?.PolicyDocument as { Statement: Statement[] }).Statement);
}

/** Actions that change something (the ones a wildcard must never reach). */
const isWrite = (action: string): boolean =>
  /^[a-z0-9-]+:(Put|Update|Delete|BatchWrite|Send|Create|Tag|Untag|Change|Purge|Remove|Write|Restore|Transact|Start|Stop|Invoke)/.test(
    action,
  );

/** Actions AWS offers no resource-level permission for: "*" is the only possible resource. */
const NO_RESOURCE_LEVEL = new Set(['xray:PutTraceSegments', 'xray:PutTelemetryRecords', 'dynamodb:ListStreams']);

/**
 * The writes each function's code makes (shared/ and functions/), plus those its event source mapping
 * makes on its behalf (SQS: DeleteMessage and ChangeMessageVisibility on its queue), CloudWatch Logs
 * and X-Ray. With tagging on, ingest tags the objects it rejects and poll tags the final ones
 * (PutObjectTagging, or PutObjectVersionTagging on a versioned bucket).
 */
const USED_WRITES: Record<'ingest' | 'poll' | 'publish', (tagging: boolean) => string[]> = {
  ingest: (tagging) => [
    'logs:CreateLogStream',
    'logs:PutLogEvents',
    'xray:PutTelemetryRecords',
    'xray:PutTraceSegments',
    'dynamodb:PutItem', // store.claim
    'dynamodb:UpdateItem', // lease, attempts, submitted, final; the rate limiter
    'sqs:SendMessage', // status checks; retry copies on its own queue
    'sqs:DeleteMessage',
    'sqs:ChangeMessageVisibility',
    ...(tagging ? ['s3:PutObjectTagging', 's3:PutObjectVersionTagging'] : []),
  ],
  poll: (tagging) => [
    'logs:CreateLogStream',
    'logs:PutLogEvents',
    'xray:PutTelemetryRecords',
    'xray:PutTraceSegments',
    'dynamodb:UpdateItem', // progress, checks, final; the rate limiter
    'sqs:SendMessage',
    'sqs:DeleteMessage',
    'sqs:ChangeMessageVisibility',
    ...(tagging ? ['s3:PutObjectTagging', 's3:PutObjectVersionTagging'] : []),
  ],
  publish: () => [
    'logs:CreateLogStream',
    'logs:PutLogEvents',
    'xray:PutTelemetryRecords',
    'xray:PutTraceSegments',
    'events:PutEvents',
    'sqs:SendMessage',
  ],
};

/**
 * Writes granted beyond what the code uses, per function: none. (Ingest and poll once had
 * `grantReadWriteData` on both tables, allowing DeleteItem and BatchWriteItem, and PutItem for poll,
 * that their code never uses; the stack now grants reads plus exactly the writes listed above.)
 * Any new unused write fails this test.
 */
const KNOWN_UNUSED_WRITES: Record<'ingest' | 'poll' | 'publish', string[]> = {
  ingest: [],
  poll: [],
  publish: [],
};

/** A resource written as a plain string (not a reference): where a wildcard pattern would show. */
function resourceStrings(resource: unknown): string[] {
  return JSON.stringify(resource)
    .split(/"/)
    .filter((part) => part.includes('*'));
}

describe.each(STAGE_NAMES)('stage %s', (stageName) => {
  const config = DEPLOYABLE[stageName];
  const { json } = synthesized(config);
  const fns = pipelineFunctions(json);

  it('encrypts every bucket, table and queue at rest', () => {
    const buckets = resourcesOfType(json, 'AWS::S3::Bucket');
    const tables = resourcesOfType(json, 'AWS::DynamoDB::Table');
    const queues = resourcesOfType(json, 'AWS::SQS::Queue');
    expect(buckets.length).toBeGreaterThanOrEqual(1);
    expect(tables).toHaveLength(2);
    expect(queues).toHaveLength(5);
    for (const [id, bucket] of buckets) {
      const rules = (
        bucket.Properties?.BucketEncryption as {
          ServerSideEncryptionConfiguration?: Array<{ ServerSideEncryptionByDefault?: { SSEAlgorithm?: string } }>;
        }
      )?.ServerSideEncryptionConfiguration;
      expect(rules?.[0]?.ServerSideEncryptionByDefault?.SSEAlgorithm, id).toMatch(/^(AES256|aws:kms|aws:kms:dsse)$/);
    }
    for (const [id, table] of tables)
      expect((table.Properties?.SSESpecification as { SSEEnabled?: boolean })?.SSEEnabled, id).toBe(true);
    for (const [id, queue] of queues)
      expect(
        queue.Properties?.SqsManagedSseEnabled === true || queue.Properties?.KmsMasterKeyId !== undefined,
        id,
      ).toBe(true);
  });

  it('writes to no wildcard resource: "*" only where AWS has no resource-level permission, patterns only below the upload prefix or a named table', () => {
    for (const [name, [, fn]] of Object.entries(fns)) {
      const role = refTarget(fn.Properties?.Role) as string;
      for (const statement of statementsOfRole(json, role)) {
        if (statement.Effect !== 'Allow') continue;
        const writes = asArray(statement.Action).filter(isWrite);
        if (writes.length === 0) continue;
        if (asArray(statement.Resource).includes('*')) {
          for (const action of writes) expect(NO_RESOURCE_LEVEL.has(action), `${name}: ${action} on *`).toBe(true);
          continue;
        }
        // The upload prefix of the bucket, and the indexes of a named table (CDK's table grants add
        // them; a write action has no effect on an index ARN).
        for (const pattern of resourceStrings(statement.Resource)) {
          expect([`/${config.uploads.prefix}*`, '/index/*'], `${name}: ${writes.join(', ')}`).toContain(pattern);
        }
      }
    }
  });

  it('allows each function only the writes its code makes', () => {
    for (const name of ['ingest', 'poll', 'publish'] as const) {
      const role = refTarget(fns[name][1].Properties?.Role) as string;
      const granted = new Set(
        statementsOfRole(json, role)
          .filter((s) => s.Effect === 'Allow')
          .flatMap((s) => asArray(s.Action))
          .filter(isWrite),
      );
      const used = new Set(USED_WRITES[name](config.features.tagObjects));
      const unused = [...granted].filter((a) => !used.has(a)).sort();
      expect(unused, name).toEqual(KNOWN_UNUSED_WRITES[name]);
      // And nothing the code needs is missing (it would fail on AWS only).
      expect(
        [...used].filter((a) => !granted.has(a)),
        name,
      ).toEqual([]);
    }
  });

  it('puts no credential in any function environment: only the secret id', () => {
    for (const [name, [, fn]] of Object.entries(fns)) {
      const variables =
        (fn.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {};
      const suspicious = Object.keys(variables).filter(
        (k) => /KEY|TOKEN|SECRET|PASSWORD|CREDENTIAL/i.test(k) && k !== 'LIBRARY_SECRET_ID',
      );
      expect(suspicious, name).toEqual([]);
    }
  });
});
