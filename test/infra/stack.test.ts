/**
 * What the pipeline stack must guarantee, checked on the synthesized template of every stage: the
 * S3 → queue wiring, event source settings, timeouts that fit together, encryption and TLS everywhere,
 * least-privilege roles, retention by stage, and a stable template (snapshot).
 */
import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { STACK_OUTPUTS, STAGE_NAMES, dev, resourceNames, type StageConfig } from '../../infra/config/index.ts';
import { API_OPERATIONS } from '../../infra/constructs/metrics-contract.ts';
import { SECRET_PLACEHOLDER } from '../../infra/stacks/upload-pipeline-stack.ts';
import { runtimeConfigSchema } from '../../shared/config/runtime-config.ts';
import { loadPublishConfig } from '../../shared/events/config.ts';
import { PLACEHOLDER_SECRET_VALUE } from '../../shared/secrets/library-credentials.ts';
import {
  BY_LIBRARY_FILE_ID_INDEX,
  UPLOADS_INDEXES,
  LIMITS_TABLE_KEY,
  TTL_ATTRIBUTE,
  UPLOADS_TABLE_KEY,
} from '../../shared/store/tables.ts';
import { FINAL_STATUSES, RECORD_STATUSES, isFinalStatus } from '../../shared/record/upload-record.ts';
import {
  DEPLOYABLE,
  logicalId,
  normalisedTemplate,
  pipelineFunctions,
  refTarget,
  resourcesOfType,
  synthesized,
  type CfnResource,
  type CfnTemplate,
} from './support.ts';

/** Actions that have no resource-level form, and so may (only) appear with Resource "*". */
const RESOURCE_STAR_ALLOWED = new Set(['xray:PutTraceSegments', 'xray:PutTelemetryRecords', 'dynamodb:ListStreams']);

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: unknown;
}

const TAGGING_ACTIONS = [
  's3:GetObjectTagging',
  's3:GetObjectVersionTagging',
  's3:PutObjectTagging',
  's3:PutObjectVersionTagging',
];

interface MetricStat {
  Metric: { Namespace: string; MetricName: string; Dimensions: { Name: string; Value: string }[] };
  Period: number;
}

const asArray = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

function statementsOfRole(json: CfnTemplate, roleId: string): Statement[] {
  return resourcesOfType(json, 'AWS::IAM::Policy')
    .filter(([, p]) => asArray(p.Properties?.Roles as unknown[]).some((r) => refTarget(r) === roleId))
    .flatMap(([, p]) => (p.Properties?.PolicyDocument as { Statement: Statement[] }).Statement);
}

function actionsOfRole(json: CfnTemplate, roleId: string): string[] {
  return statementsOfRole(json, roleId).flatMap((s) => asArray(s.Action));
}

function roleOf(fn: CfnResource): string {
  const role = refTarget(fn.Properties?.Role);
  if (!role) throw new Error('function without role reference');
  return role;
}

const tlsDeny = Match.objectLike({
  Effect: 'Deny',
  Condition: { Bool: { 'aws:SecureTransport': 'false' } },
});

describe.each(STAGE_NAMES)('stage %s', (stageName) => {
  const config = DEPLOYABLE[stageName];
  const names = resourceNames(config);
  const retain = config.retention.data === 'retain';
  const { template, json, stack } = synthesized(config);
  const uploadsTableId = logicalId(stack.pipeline.tables.uploads);
  const limitsTableId = logicalId(stack.pipeline.tables.limits);

  it('names the stack after the stage', () => {
    expect(stack.stackName).toBe(`LibraryUpload-${stageName}`);
    expect(stack.region).toBe(config.env.region);
  });

  describe('bucket', () => {
    it('is versioned, encrypted, private and TLS-only', () => {
      template.hasResourceProperties('AWS::S3::Bucket', {
        VersioningConfiguration: { Status: 'Enabled' },
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
        },
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
      });
      for (const [id] of resourcesOfType(json, 'AWS::S3::Bucket')) {
        template.hasResourceProperties('AWS::S3::BucketPolicy', {
          Bucket: { Ref: id },
          PolicyDocument: { Statement: Match.arrayWith([tlsDeny]) },
        });
      }
    });

    it('expires non-current versions as configured', () => {
      template.hasResourceProperties('AWS::S3::Bucket', {
        VersioningConfiguration: { Status: 'Enabled' },
        LifecycleConfiguration: {
          Rules: Match.arrayWith([
            Match.objectLike({
              NoncurrentVersionExpiration: { NoncurrentDays: config.retention.noncurrentVersionDays },
            }),
          ]),
        },
      });
    });

    it(`${retain ? 'is retained and logs access' : 'is destroyed (emptied) with the stack'}`, () => {
      const [, bucket] = uploadBucket(json);
      expect(bucket.DeletionPolicy).toBe(retain ? 'Retain' : 'Delete');
      if (config.retention.accessLogDays === undefined) {
        expect(bucket.Properties?.LoggingConfiguration).toBeUndefined();
      } else {
        expect(bucket.Properties?.LoggingConfiguration).toMatchObject({ LogFilePrefix: 'upload-bucket/' });
      }
      expect(resourcesOfType(json, 'Custom::S3AutoDeleteObjects')).toHaveLength(retain ? 0 : 1);
    });

    it('sends ObjectCreated (and ObjectRemoved when the stage trashes deleted keys) below the upload prefix to the ingest queue', () => {
      const [notification] = resourcesOfType(json, 'Custom::S3BucketNotifications');
      const configs = (notification?.[1].Properties?.NotificationConfiguration as { QueueConfigurations: unknown[] })
        .QueueConfigurations;
      const rule = (event: string) => ({
        Events: [event],
        Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: config.uploads.prefix }] } },
        QueueArn: { 'Fn::GetAtt': [queueId(json, names.ingestQueue), 'Arn'] },
      });
      expect(configs).toEqual(
        config.sync.onDelete === 'trash'
          ? [rule('s3:ObjectCreated:*'), rule('s3:ObjectRemoved:*')]
          : [rule('s3:ObjectCreated:*')],
      );
      expect(refTarget(notification?.[1].Properties?.BucketName)).toBe(uploadBucket(json)[0]);
    });
  });

  describe('queues', () => {
    it('encrypts every queue and allows TLS only', () => {
      const queues = resourcesOfType(json, 'AWS::SQS::Queue');
      expect(queues).toHaveLength(5);
      for (const [id, queue] of queues) {
        expect(queue.Properties?.SqsManagedSseEnabled, id).toBe(true);
        template.hasResourceProperties('AWS::SQS::QueuePolicy', {
          Queues: Match.arrayWith([{ Ref: id }]),
          PolicyDocument: { Statement: Match.arrayWith([tlsDeny]) },
        });
      }
    });

    it('gives each work queue a 14-day DLQ and the configured receive count', () => {
      for (const [queueName, dlqName, settings] of [
        [names.ingestQueue, names.ingestDeadLetterQueue, config.sources.ingestQueue],
        [names.statusQueue, names.statusDeadLetterQueue, config.sources.statusQueue],
      ] as const) {
        const queue = json.Resources[queueId(json, queueName)];
        const dlqId = queueId(json, dlqName);
        expect(queue?.Properties?.RedrivePolicy).toEqual({
          deadLetterTargetArn: { 'Fn::GetAtt': [dlqId, 'Arn'] },
          maxReceiveCount: settings.maxReceiveCount,
        });
        expect(queue?.Properties?.MessageRetentionPeriod).toBe(settings.retentionDays * 86_400);
        expect(json.Resources[dlqId]?.Properties?.MessageRetentionPeriod).toBe(14 * 86_400);
        // Only its own work queue may use the DLQ (by the ARN built from the queue's name).
        const allow = json.Resources[dlqId]?.Properties?.RedriveAllowPolicy as { redrivePermission: string };
        expect(allow.redrivePermission).toBe('byQueue');
        expect(JSON.stringify(allow)).toContain(`":${queueName}"`);
      }
      expect(json.Resources[queueId(json, names.publishFailureQueue)]?.Properties?.MessageRetentionPeriod).toBe(
        14 * 86_400,
      );
    });

    it("keeps every queue's visibility timeout at least 6x its consumer's timeout", () => {
      const sqsMappings = resourcesOfType(json, 'AWS::Lambda::EventSourceMapping').filter(
        ([, m]) => json.Resources[refTarget(m.Properties?.EventSourceArn) ?? '']?.Type === 'AWS::SQS::Queue',
      );
      expect(sqsMappings).toHaveLength(2);
      for (const [, mapping] of sqsMappings) {
        const queue = json.Resources[refTarget(mapping.Properties?.EventSourceArn) ?? ''];
        const fn = json.Resources[refTarget(mapping.Properties?.FunctionName) ?? ''];
        const timeout = fn?.Properties?.Timeout as number;
        expect(timeout).toBeGreaterThan(0);
        expect(queue?.Properties?.VisibilityTimeout as number).toBeGreaterThanOrEqual(6 * timeout);
      }
    });
  });

  describe('event sources', () => {
    const fns = pipelineFunctions(json);

    it.each([
      ['ingest', names.ingestQueue, config.sources.ingestQueue],
      ['poll', names.statusQueue, config.sources.statusQueue],
    ] as const)(
      'feeds %s from its queue with partial batch failures and a concurrency ceiling',
      (fn, queueName, settings) => {
        template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
          EventSourceArn: { 'Fn::GetAtt': [queueId(json, queueName), 'Arn'] },
          FunctionName: { Ref: fns[fn][0] },
          BatchSize: settings.batchSize,
          MaximumBatchingWindowInSeconds: settings.maxBatchingWindowSeconds,
          FunctionResponseTypes: ['ReportBatchItemFailures'],
          ScalingConfig: { MaximumConcurrency: settings.maxConcurrency },
        });
      },
    );

    it('feeds publish from the uploads stream, bisecting, bounded, with a failure queue', () => {
      const stream = config.sources.uploadsStream;
      template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        EventSourceArn: { 'Fn::GetAtt': [uploadsTableId, 'StreamArn'] },
        FunctionName: { Ref: fns.publish[0] },
        StartingPosition: 'TRIM_HORIZON',
        BatchSize: stream.batchSize,
        BisectBatchOnFunctionError: true,
        MaximumRetryAttempts: stream.retryAttempts,
        MaximumRecordAgeInSeconds: stream.maxRecordAgeSeconds,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        DestinationConfig: {
          OnFailure: { Destination: { 'Fn::GetAtt': [queueId(json, names.publishFailureQueue), 'Arn'] } },
        },
      });
    });

    it('wakes publish only for final statuses, exactly those the handler treats as final', () => {
      // Prepare
      const [, mapping] = resourcesOfType(json, 'AWS::Lambda::EventSourceMapping').find(
        ([, m]) => refTarget(m.Properties?.FunctionName) === fns.publish[0],
      ) ?? [undefined, undefined];
      const filters = (mapping?.Properties?.FilterCriteria as { Filters: { Pattern: string }[] }).Filters;

      // Act
      const patterns = filters.map(
        (f) => JSON.parse(f.Pattern) as { dynamodb: { NewImage: { status: { S: string[] } } } },
      );
      const wakes = new Set(patterns.flatMap((p) => p.dynamodb.NewImage.status.S));

      // Assess
      expect(patterns).toHaveLength(1);
      expect([...wakes].sort()).toEqual([...FINAL_STATUSES].sort());
      for (const status of RECORD_STATUSES) expect(wakes.has(status), status).toBe(isFinalStatus(status));
    });
  });

  describe('tables', () => {
    it('uses the key, index and TTL names the store uses', () => {
      expect(json.Resources[uploadsTableId]?.Properties).toMatchObject({
        KeySchema: [{ AttributeName: UPLOADS_TABLE_KEY, KeyType: 'HASH' }],
        GlobalSecondaryIndexes: [
          expect.objectContaining({ IndexName: BY_LIBRARY_FILE_ID_INDEX }),
          ...Object.values(UPLOADS_INDEXES)
            .filter((index) => index.name !== BY_LIBRARY_FILE_ID_INDEX)
            .map((index) => expect.objectContaining({ IndexName: index.name })),
        ],
        TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true },
      });
      expect(json.Resources[limitsTableId]?.Properties).toMatchObject({
        KeySchema: [{ AttributeName: LIMITS_TABLE_KEY, KeyType: 'HASH' }],
        TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true },
      });
    });

    it('stores uploads on demand, streamed, with TTL, PITR, encryption and the library-file index', () => {
      template.hasResourceProperties('AWS::DynamoDB::Table', {
        TableName: Match.absent(),
        KeySchema: [{ AttributeName: 'objectId', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
        StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        SSESpecification: { SSEEnabled: true },
        GlobalSecondaryIndexes: [
          {
            IndexName: 'byLibraryFileId',
            KeySchema: [{ AttributeName: 'libraryFileId', KeyType: 'HASH' }],
            Projection: { ProjectionType: 'ALL' },
          },
          {
            IndexName: 'byKey',
            KeySchema: [
              { AttributeName: 'key', KeyType: 'HASH' },
              { AttributeName: 'createdAt', KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          },
          {
            IndexName: 'byStatus',
            KeySchema: [
              { AttributeName: 'status', KeyType: 'HASH' },
              { AttributeName: 'updatedAt', KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          },
          {
            IndexName: 'byETag',
            KeySchema: [{ AttributeName: 'eTag', KeyType: 'HASH' }],
            Projection: { ProjectionType: 'ALL' },
          },
        ],
      });
    });

    it('keeps the limits table small: pk, TTL, no stream', () => {
      const limits = json.Resources[limitsTableId];
      expect(limits?.Properties).toMatchObject({
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        BillingMode: 'PAY_PER_REQUEST',
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
        SSESpecification: { SSEEnabled: true },
      });
      expect(limits?.Properties?.StreamSpecification).toBeUndefined();
    });

    it(`${retain ? 'retains the uploads table behind deletion protection' : 'destroys the uploads table with the stack'}`, () => {
      const uploads = json.Resources[uploadsTableId];
      expect(uploads?.DeletionPolicy).toBe(retain ? 'Retain' : 'Delete');
      expect(uploads?.UpdateReplacePolicy).toBe(retain ? 'Retain' : 'Delete');
      expect(uploads?.Properties?.DeletionProtectionEnabled ?? false).toBe(retain);
    });
  });

  describe('functions', () => {
    const fns = pipelineFunctions(json);

    it.each(['ingest', 'poll', 'publish'] as const)(
      'runs %s on Node.js 24, arm64, traced, with its settings',
      (name) => {
        const [, fn] = fns[name];
        const settings = config.functions[name];
        expect(fn.Properties).toMatchObject({
          FunctionName: names.functions[name],
          Runtime: 'nodejs24.x',
          Architectures: ['arm64'],
          Handler: 'index.handler',
          TracingConfig: { Mode: 'Active' },
          MemorySize: settings.memoryMb,
          Timeout: settings.timeoutSeconds,
        });
        expect(fn.Properties?.ReservedConcurrentExecutions).toBe(settings.reservedConcurrency);
      },
    );

    it('gives publish only its stage, its bus and Powertools', () => {
      const vars = (fns.publish[1].Properties?.Environment as { Variables: Record<string, unknown> }).Variables;
      expect(vars).toEqual({
        STAGE: stageName,
        EVENT_BUS_NAME: { Ref: eventBusId(json) },
        POWERTOOLS_SERVICE_NAME: config.observability.serviceName,
        POWERTOOLS_METRICS_NAMESPACE: config.observability.metricsNamespace,
        POWERTOOLS_LOG_LEVEL: config.observability.logLevel,
        NODE_OPTIONS: '--enable-source-maps',
      });
      expect(() => loadPublishConfig({ STAGE: stageName, EVENT_BUS_NAME: names.eventBus })).not.toThrow();
    });

    it.each(['ingest', 'poll'] as const)('gives %s the whole runtime environment plus Powertools', (name) => {
      const vars = (fns[name][1].Properties?.Environment as { Variables: Record<string, unknown> }).Variables;
      for (const key of Object.keys(runtimeConfigSchema.shape)) expect(vars, key).toHaveProperty(key);
      expect(vars).toMatchObject({
        STAGE: stageName,
        LIBRARY_BASE_URL: config.library.baseUrl,
        LIBRARY_SECRET_ID: { Ref: secretId(json) },
        UPLOADS_TABLE_NAME: { Ref: uploadsTableId },
        LIMITS_TABLE_NAME: { Ref: limitsTableId },
        STATUS_QUEUE_URL: { Ref: queueId(json, names.statusQueue) },
        EVENT_BUS_NAME: { Ref: eventBusId(json) },
        UPLOAD_PREFIX: config.uploads.prefix,
        REQUESTS_PER_SECOND: String(config.library.requestsPerSecond),
        REQUESTS_PER_DAY: String(config.library.requestsPerDay),
        RECORD_TTL_DAYS: String(config.retention.recordTtlDays),
        POWERTOOLS_SERVICE_NAME: config.observability.serviceName,
        POWERTOOLS_METRICS_NAMESPACE: config.observability.metricsNamespace,
        POWERTOOLS_LOG_LEVEL: config.observability.logLevel,
        NODE_OPTIONS: name === 'ingest' ? '--enable-source-maps --expose-gc' : '--enable-source-maps',
      });
    });

    it.each(['ingest', 'poll', 'publish'] as const)(
      "logs %s to its own log group with the stage's retention",
      (name) => {
        const logGroupId = refTarget((fns[name][1].Properties?.LoggingConfig as { LogGroup: unknown }).LogGroup) ?? '';
        const logGroup = json.Resources[logGroupId];
        expect(logGroup?.Properties).toMatchObject({
          RetentionInDays: config.retention.logDays,
        });
        expect(logGroup?.DeletionPolicy).toBe(retain ? 'Retain' : 'Delete');
      },
    );
  });

  describe('least privilege', () => {
    const fns = pipelineFunctions(json);

    it('puts "*" only on actions without resource-level permissions', () => {
      for (const [id, policy] of resourcesOfType(json, 'AWS::IAM::Policy')) {
        for (const statement of (policy.Properties?.PolicyDocument as { Statement: Statement[] }).Statement) {
          if (statement.Effect !== 'Allow') continue;
          if (asArray(statement.Resource).includes('*')) {
            for (const action of asArray(statement.Action))
              expect(RESOURCE_STAR_ALLOWED.has(action), `${id}: ${action}`).toBe(true);
          }
        }
      }
    });

    it('never grants a wildcard action', () => {
      for (const [id, policy] of resourcesOfType(json, 'AWS::IAM::Policy')) {
        for (const statement of (policy.Properties?.PolicyDocument as { Statement: Statement[] }).Statement) {
          for (const action of asArray(statement.Action)) expect(action, id).not.toContain('*');
        }
      }
    });

    it('attaches no managed policies to the pipeline roles', () => {
      for (const [, fn] of Object.values(fns)) {
        expect(json.Resources[roleOf(fn)]?.Properties?.ManagedPolicyArns).toBeUndefined();
      }
    });

    it('lets ingest read (and, with tagging, tag) objects below the prefix, and nothing else in S3', () => {
      const role = roleOf(fns.ingest[1]);
      const s3 = statementsOfRole(json, role).filter((s) => asArray(s.Action).some((a) => a.startsWith('s3:')));
      expect(s3).toEqual([
        expect.objectContaining({
          Action: ['s3:GetObject', 's3:GetObjectVersion'],
          Resource: {
            'Fn::Join': ['', [{ 'Fn::GetAtt': [uploadBucket(json)[0], 'Arn'] }, `/${config.uploads.prefix}*`]],
          },
        }),
        expect.objectContaining({
          Action: 's3:ListBucket',
          Resource: { 'Fn::GetAtt': [uploadBucket(json)[0], 'Arn'] },
        }),
        ...(config.features.tagObjects ? [expect.objectContaining({ Action: TAGGING_ACTIONS })] : []),
      ]);
      expect(actionsOfRole(json, role)).toEqual(
        expect.arrayContaining([
          'secretsmanager:GetSecretValue',
          'dynamodb:PutItem',
          'dynamodb:UpdateItem',
          'sqs:SendMessage',
        ]),
      );
      expect(actionsOfRole(json, role)).not.toContain('events:PutEvents');
    });

    it('lets ingest put a message back on its own queue and send status checks', () => {
      const sends = statementsOfRole(json, roleOf(fns.ingest[1]))
        .filter((s) => asArray(s.Action).includes('sqs:SendMessage'))
        .flatMap((s) => asArray(s.Resource).map(refTarget));
      expect(sends.sort()).toEqual([queueId(json, names.ingestQueue), queueId(json, names.statusQueue)].sort());
    });

    it('lets poll read and write object tags below the prefix when tagging is on, read objects when it syncs, and nothing else in S3', () => {
      const role = roleOf(fns.poll[1]);
      const s3 = statementsOfRole(json, role).filter((s) => asArray(s.Action).some((a) => a.startsWith('s3:')));
      const objects = {
        'Fn::Join': ['', [{ 'Fn::GetAtt': [uploadBucket(json)[0], 'Arn'] }, `/${config.uploads.prefix}*`]],
      };
      const syncs = config.sync.onOverwrite === 'replace' || config.sync.onDelete === 'trash';
      expect(s3).toEqual([
        ...(config.features.tagObjects
          ? [expect.objectContaining({ Action: TAGGING_ACTIONS, Resource: objects })]
          : []),
        ...(syncs
          ? [
              expect.objectContaining({ Action: ['s3:GetObject', 's3:GetObjectVersion'], Resource: objects }),
              expect.objectContaining({
                Action: 's3:ListBucket',
                Resource: { 'Fn::GetAtt': [uploadBucket(json)[0], 'Arn'] },
              }),
            ]
          : []),
      ]);
      expect(actionsOfRole(json, role)).toEqual(
        expect.arrayContaining([
          'secretsmanager:GetSecretValue',
          'dynamodb:UpdateItem',
          'sqs:SendMessage',
          'sqs:DeleteMessage',
        ]),
      );
    });

    it('lets publish put events on its bus and touch nothing else', () => {
      const statements = statementsOfRole(json, roleOf(fns.publish[1]));
      const actions = statements.flatMap((s) => asArray(s.Action));
      expect(statements).toContainEqual(
        expect.objectContaining({ Action: 'events:PutEvents', Resource: { 'Fn::GetAtt': [eventBusId(json), 'Arn'] } }),
      );
      expect(actions.filter((a) => /^(s3|secretsmanager):/.test(a))).toEqual([]);
      expect(actions.filter((a) => /^dynamodb:(Put|Update|Delete|BatchWrite)/.test(a))).toEqual([]);
    });
  });

  describe('secret, bus, operations', () => {
    it('starts the secret with the placeholder the credentials provider recognises', () => {
      expect(SECRET_PLACEHOLDER).toEqual({ apiKey: PLACEHOLDER_SECRET_VALUE, accessToken: PLACEHOLDER_SECRET_VALUE });
    });

    it("creates the stage's secret with the placeholder only", () => {
      const secrets = resourcesOfType(json, 'AWS::SecretsManager::Secret');
      expect(secrets).toHaveLength(1);
      expect(secrets[0]?.[1].Properties).toMatchObject({ SecretString: JSON.stringify(SECRET_PLACEHOLDER) });
      // A generated name: a retained secret (or one scheduled for deletion) cannot block a re-deployment.
      expect(secrets[0]?.[1].Properties?.Name).toBeUndefined();
      expect(secrets[0]?.[1].DeletionPolicy).toBe(retain ? 'Retain' : 'Delete');
    });

    it("archives every event on the stage's bus", () => {
      template.hasResourceProperties('AWS::Events::EventBus', { Name: names.eventBus });
      template.hasResourceProperties('AWS::Events::Archive', {
        ArchiveName: names.eventArchive,
        SourceArn: { 'Fn::GetAtt': [eventBusId(json), 'Arn'] },
        EventPattern: { account: [{ Ref: 'AWS::AccountId' }] },
        RetentionDays: config.retention.eventArchiveDays === 0 ? Match.absent() : config.retention.eventArchiveDays,
      });
    });

    it('alarms on the first dead letter of every DLQ', () => {
      for (const dlq of [names.ingestDeadLetterQueue, names.statusDeadLetterQueue, names.publishFailureQueue]) {
        template.hasResourceProperties('AWS::CloudWatch::Alarm', {
          Namespace: 'AWS/SQS',
          MetricName: 'ApproximateNumberOfMessagesVisible',
          Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queueId(json, dlq), 'QueueName'] } }],
          Threshold: 1,
          ComparisonOperator: 'GreaterThanOrEqualToThreshold',
          AlarmActions: [{ Ref: topicId(json) }],
        });
      }
    });

    it('alarms on errors and throttles of every function, queue age and iterator age', () => {
      const alarms = resourcesOfType(json, 'AWS::CloudWatch::Alarm').map(([, a]) => a.Properties ?? {});
      for (const fn of Object.values(pipelineFunctions(json))) {
        for (const metric of ['Errors', 'Throttles']) {
          expect(
            alarms.some((a) => a.MetricName === metric && JSON.stringify(a.Dimensions).includes(fn[0])),
            metric,
          ).toBe(true);
        }
      }
      expect(alarms.filter((a) => a.MetricName === 'ApproximateAgeOfOldestMessage')).toHaveLength(2);
      expect(alarms.filter((a) => a.MetricName === 'IteratorAge')).toHaveLength(1);
      expect(alarms.every((a) => typeof a.AlarmName === 'string' && a.AlarmName.startsWith(`${names.prefix}-`))).toBe(
        true,
      );
    });

    it('alarms on API throttles, 401s and daily quota use from the custom metrics', () => {
      // Prepare
      const { metricsNamespace, serviceName, thresholds } = config.observability;
      const alarm = (suffix: string): Record<string, unknown> | undefined =>
        resourcesOfType(json, 'AWS::CloudWatch::Alarm').find(([, a]) =>
          String(a.Properties?.AlarmName).endsWith(suffix),
        )?.[1].Properties;
      const stats = (props: Record<string, unknown> | undefined): MetricStat[] =>
        (props?.Metrics as { MetricStat?: MetricStat }[]).flatMap((m) => (m.MetricStat ? [m.MetricStat] : []));
      const dimension = (m: MetricStat, name: string): string | undefined =>
        m.Metric.Dimensions.find((d) => d.Name === name)?.Value;

      // Act
      const throttled = alarm('-api-throttled');
      const quota = alarm('-daily-quota');

      // Assess: throttles of both scopes, sustained.
      expect(throttled?.Threshold).toBe(thresholds.apiThrottledPer5Minutes);
      expect(throttled?.EvaluationPeriods).toBe(3);
      expect(
        stats(throttled).map((m) => [
          m.Metric.Namespace,
          m.Metric.MetricName,
          dimension(m, 'service'),
          dimension(m, 'scope'),
        ]),
      ).toEqual([
        [metricsNamespace, 'ApiThrottled', serviceName, 'second'],
        [metricsNamespace, 'ApiThrottled', serviceName, 'day'],
      ]);
      // Any 401.
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: metricsNamespace,
        MetricName: 'ApiUnauthorized',
        Dimensions: [{ Name: 'service', Value: serviceName }],
        Threshold: 1,
      });
      // Requests of every operation over 24 hours against the stage's budget.
      expect(quota?.Threshold).toBe(Math.floor(config.library.requestsPerDay * thresholds.dailyQuotaRatio));
      const metrics = stats(quota);
      expect(metrics.map((m) => dimension(m, 'operation')).sort()).toEqual([...API_OPERATIONS].sort());
      expect(new Set(metrics.map((m) => m.Metric.MetricName))).toEqual(new Set(['ApiRequests']));
      expect(new Set(metrics.map((m) => dimension(m, 'service')))).toEqual(new Set([serviceName]));
      expect(new Set(metrics.map((m) => m.Period))).toEqual(new Set([86_400]));
    });

    it('stays within CloudWatch alarm quotas: 10 metrics per math alarm, one day of evaluation', () => {
      for (const [id, alarm] of resourcesOfType(json, 'AWS::CloudWatch::Alarm')) {
        const props = alarm.Properties ?? {};
        const queries = (props.Metrics as { MetricStat?: MetricStat }[] | undefined) ?? [];
        expect(queries.filter((q) => q.MetricStat).length, id).toBeLessThanOrEqual(10);
        const period =
          (props.Period as number | undefined) ?? queries.find((q) => q.MetricStat)?.MetricStat?.Period ?? 0;
        expect(period * (props.EvaluationPeriods as number), id).toBeLessThanOrEqual(86_400);
      }
    });

    it(`${Array.isArray(config.observability.alarmRecipients) ? 'mails' : 'does not mail'} alarms`, () => {
      const subscriptions = resourcesOfType(json, 'AWS::SNS::Subscription');
      const recipients = config.observability.alarmRecipients;
      expect(subscriptions.map(([, s]) => s.Properties?.Endpoint)).toEqual(Array.isArray(recipients) ? recipients : []);
      expect(subscriptions.every(([, s]) => s.Properties?.Protocol === 'email')).toBe(true);
      template.hasResourceProperties('AWS::SNS::TopicPolicy', {
        PolicyDocument: { Statement: Match.arrayWith([tlsDeny]) },
      });
    });

    it('has a dashboard and the outputs operators need', () => {
      template.hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: names.dashboard });
      expect(Object.keys(json.Outputs ?? {}).sort()).toEqual(Object.values(STACK_OUTPUTS).sort());
    });
  });

  it('matches the snapshot (asset hashes normalised), which holds no secret', () => {
    const normalised = normalisedTemplate(json);
    const text = JSON.stringify(normalised);
    const secretStrings = [...text.matchAll(/"SecretString":("(?:[^"\\]|\\.)*")/g)].map(
      (m) => JSON.parse(m[1] ?? '""') as string,
    );
    expect(secretStrings).toEqual([JSON.stringify(SECRET_PLACEHOLDER)]);
    expect(normalised).toMatchSnapshot();
  });
});

describe('configuration variants', () => {
  it('with prefix-and-suffixes filtering, adds one rule per suffix in lower and upper case', () => {
    // Prepare
    const config: StageConfig = { ...dev, uploads: { ...dev.uploads, notificationFilter: 'prefix-and-suffixes' } };

    // Act
    const { json } = synthesized(config);

    // Assess
    const [notification] = resourcesOfType(json, 'Custom::S3BucketNotifications');
    const rules = (
      notification?.[1].Properties?.NotificationConfiguration as {
        QueueConfigurations: { Filter: { Key: { FilterRules: { Name: string; Value: string }[] } } }[];
      }
    ).QueueConfigurations.map((c) => Object.fromEntries(c.Filter.Key.FilterRules.map((r) => [r.Name, r.Value])));
    const expected = dev.uploads.suffixes.flatMap((s) => [s, s.toUpperCase()]);
    // dev trashes deleted keys: each filter rule exists for ObjectCreated and for ObjectRemoved.
    expect(rules.map((r) => r.suffix).sort()).toEqual([...expected, ...expected].sort());
    expect(rules.every((r) => r.prefix === dev.uploads.prefix)).toBe(true);
  });

  it('with an imported secret, creates none and passes the name', () => {
    const config: StageConfig = {
      ...dev,
      library: { ...dev.library, secret: { kind: 'import', secretName: 'cc/library' } },
    };
    const { json } = synthesized(config);
    expect(resourcesOfType(json, 'AWS::SecretsManager::Secret')).toEqual([]);
    const vars = (pipelineFunctions(json).ingest[1].Properties?.Environment as { Variables: Record<string, unknown> })
      .Variables;
    expect(vars.LIBRARY_SECRET_ID).toBe('cc/library');
  });

  it('with tagging and sync off, gives poll no S3 permission at all and ingest no tagging', () => {
    const config: StageConfig = {
      ...dev,
      features: { ...dev.features, tagObjects: false },
      sync: { onOverwrite: 'keep', onDelete: 'keep' },
    };
    const { json } = synthesized(config);
    const { poll, ingest } = pipelineFunctions(json);
    expect(actionsOfRole(json, roleOf(poll[1])).filter((a) => a.startsWith('s3:'))).toEqual([]);
    expect(actionsOfRole(json, roleOf(ingest[1])).filter((a) => a.startsWith('s3:'))).toEqual([
      's3:GetObject',
      's3:GetObjectVersion',
      's3:ListBucket',
    ]);
    expect((poll[1].Properties?.Environment as { Variables: Record<string, unknown> }).Variables.TAG_OBJECTS).toBe(
      'false',
    );
  });

  it('with an empty prefix, watches the whole bucket', () => {
    const config: StageConfig = { ...dev, uploads: { ...dev.uploads, prefix: '' } };
    const { json } = synthesized(config);
    const [notification] = resourcesOfType(json, 'Custom::S3BucketNotifications');
    expect(notification?.[1].Properties?.NotificationConfiguration).toEqual({
      QueueConfigurations: [
        { Events: ['s3:ObjectCreated:*'], QueueArn: expect.anything() },
        { Events: ['s3:ObjectRemoved:*'], QueueArn: expect.anything() },
      ],
    });
  });
});

function uploadBucket(json: CfnTemplate): [string, CfnResource] {
  // The only versioned bucket (the access-log bucket is not).
  const found = resourcesOfType(json, 'AWS::S3::Bucket').find(([, b]) => b.Properties?.VersioningConfiguration);
  if (!found) throw new Error('no upload bucket');
  return found;
}

function byName(json: CfnTemplate, type: string, property: string, name: string): string {
  const found = resourcesOfType(json, type).find(([, r]) => r.Properties?.[property] === name);
  if (!found) throw new Error(`no ${type} named ${name}`);
  return found[0];
}
const queueId = (json: CfnTemplate, name: string): string => byName(json, 'AWS::SQS::Queue', 'QueueName', name);
const eventBusId = (json: CfnTemplate): string => resourcesOfType(json, 'AWS::Events::EventBus')[0]?.[0] ?? '';
const secretId = (json: CfnTemplate): string => resourcesOfType(json, 'AWS::SecretsManager::Secret')[0]?.[0] ?? '';
const topicId = (json: CfnTemplate): string => resourcesOfType(json, 'AWS::SNS::Topic')[0]?.[0] ?? '';
