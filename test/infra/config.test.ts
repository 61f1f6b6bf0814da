/**
 * The typed stage configuration: known stages load and validate, an unknown stage is a clear error,
 * a broken record is caught before synthesis, and the runtime environment a stage produces is the one
 * the functions parse.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  STAGES,
  STAGE_NAMES,
  StageConfigError,
  getStageConfig,
  librarySecretName,
  resourceNames,
  toPowertoolsEnvironment,
  toRuntimeConfig,
  validateStageConfig,
  type StageConfig,
} from '../../infra/config/index.ts';
import { OBJECT_TAGGING_FAILED } from '../../infra/constructs/metrics-contract.ts';
import { PROJECT_ROOT } from '../../infra/stacks/pipeline-app.ts';
import { loadRuntimeConfig, runtimeConfigSchema, toEnvironment } from '../../shared/config/runtime-config.ts';
import { DEFAULT_SERVICE_NAME } from '../../shared/observability/index.ts';
import { TAGGING_FAILED_METRIC } from '../../shared/s3/outcome-tags.ts';

const resources = {
  librarySecretId: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:library-upload/dev/library-credentials-AbCdEf',
  uploadsTableName: 'library-upload-dev-uploads',
  limitsTableName: 'library-upload-dev-limits',
  statusQueueUrl: 'https://sqs.us-east-1.amazonaws.com/123456789012/library-upload-dev-status',
  eventBusName: 'library-upload-dev',
};

describe('stage selection', () => {
  it.each(STAGE_NAMES)('loads the %s record, which validates', (name) => {
    // Act
    const config = getStageConfig(name);

    // Assess
    expect(config.stage).toBe(name);
    expect(validateStageConfig(config)).toEqual([]);
  });

  it('rejects an unknown stage, naming the known ones', () => {
    expect(() => getStageConfig('qa')).toThrow(StageConfigError);
    expect(() => getStageConfig('qa')).toThrow('Unknown stage "qa". Known stages: dev, staging, prod.');
  });

  it('rejects a missing stage with the -c flag to use', () => {
    expect(() => getStageConfig(undefined)).toThrow(
      'No stage given. Pass one with -c stage=<name>; known stages: dev, staging, prod.',
    );
    expect(() => getStageConfig('')).toThrow(/No stage given/);
  });

  it('does not accept a stage name of another case or type', () => {
    expect(() => getStageConfig('Prod')).toThrow(/Unknown stage "Prod"/);
    expect(() => getStageConfig(42)).toThrow(/Unknown stage "42"/);
  });
});

describe('validation', () => {
  const broken = (patch: (c: StageConfig) => StageConfig): string[] => validateStageConfig(patch(STAGES.dev));

  it("catches values outside the services' limits, each with a sentence", () => {
    // Prepare
    const config: StageConfig = {
      ...STAGES.dev,
      env: { account: '1234', region: 'Virginia' },
      library: {
        ...STAGES.dev.library,
        baseUrl: 'http://api.example.com',
        requestsPerSecond: 5,
        requestsPerDay: 20_000,
      },
      uploads: { ...STAGES.dev.uploads, prefix: '/in', suffixes: ['.PNG', 'jpg'] },
      poll: { firstDelaySeconds: 901, maxDelaySeconds: 300, maxWaitSeconds: 60 },
      retention: { ...STAGES.dev.retention, logDays: 10 },
      functions: { ...STAGES.dev.functions, ingest: { memoryMb: 64, timeoutSeconds: 1000, reservedConcurrency: 0 } },
      sources: {
        ...STAGES.dev.sources,
        ingestQueue: { ...STAGES.dev.sources.ingestQueue, maxConcurrency: 1, retentionDays: 14 },
      },
      observability: { ...STAGES.dev.observability, alarmRecipients: ['nobody'], metricsNamespace: 'AWS/Lambda' },
    };

    // Act
    const problems = validateStageConfig(config);

    // Assess
    const expected = [
      'env.account',
      'env.region',
      'library.baseUrl',
      'library.requestsPerSecond',
      'library.requestsPerDay',
      'uploads.prefix',
      'uploads.suffixes: ".PNG"',
      'uploads.suffixes: "jpg"',
      'poll.firstDelaySeconds must be 0-900',
      'poll.maxWaitSeconds',
      'retention.logDays 10',
      'functions.ingest.memoryMb',
      'functions.ingest.timeoutSeconds',
      'functions.ingest.reservedConcurrency',
      'sources.ingestQueue.maxConcurrency',
      'sources.ingestQueue.retentionDays',
      'observability.alarmRecipients: "nobody"',
      'observability.metricsNamespace',
    ];
    for (const fragment of expected) expect(problems.join('\n')).toContain(fragment);
  });

  it('insists that prod retains its data', () => {
    const problems = validateStageConfig({ ...STAGES.prod, retention: { ...STAGES.prod.retention, data: 'destroy' } });
    expect(problems).toEqual([expect.stringMatching(/retention.data must be "retain" in prod/)]);
  });

  it("keeps stream retries bounded and within the stream's 24 hours", () => {
    const problems = broken((c) => ({
      ...c,
      sources: {
        ...c.sources,
        uploadsStream: { ...c.sources.uploadsStream, retryAttempts: -1, maxRecordAgeSeconds: 100_000 },
      },
    }));
    expect(problems.join('\n')).toMatch(/retryAttempts must be bounded/);
    expect(problems.join('\n')).toMatch(/maxRecordAgeSeconds must be 60-86400/);
  });
});

describe('stage records', () => {
  it('gives every stage its own names, all carrying the stage', () => {
    const all = STAGE_NAMES.map((name) => resourceNames(STAGES[name]));
    for (const [i, names] of all.entries()) {
      const stage = STAGE_NAMES[i] ?? '';
      const flat = [
        names.stackName,
        names.uploadsTable,
        names.limitsTable,
        names.ingestQueue,
        names.ingestDeadLetterQueue,
        names.statusQueue,
        names.statusDeadLetterQueue,
        names.publishFailureQueue,
        names.eventBus,
        names.eventArchive,
        names.createdSecretName,
        names.alarmTopic,
        names.dashboard,
        names.localBucket,
        ...Object.values(names.functions),
      ];
      for (const name of flat) expect(name).toContain(stage);
    }
    const tables = all.map((n) => n.uploadsTable);
    expect(new Set(tables).size).toBe(STAGE_NAMES.length);
  });

  it('uses a separate metrics namespace per stage', () => {
    const namespaces = STAGE_NAMES.map((n) => STAGES[n].observability.metricsNamespace);
    expect(new Set(namespaces).size).toBe(STAGE_NAMES.length);
  });

  it('retains data in prod only and never expires prod records', () => {
    expect(STAGES.prod.retention.data).toBe('retain');
    expect(STAGES.prod.retention.recordTtlDays).toBe(0);
    expect(STAGES.dev.retention.data).toBe('destroy');
  });

  it('names the created secret, or the imported one', () => {
    expect(librarySecretName(STAGES.dev)).toBe('library-upload/dev/library-credentials');
    expect(
      librarySecretName({
        ...STAGES.dev,
        library: { ...STAGES.dev.library, secret: { kind: 'import', secretName: 'cc/dev' } },
      }),
    ).toBe('cc/dev');
  });
});

describe('runtime environment', () => {
  it.each(STAGE_NAMES)("round-trips %s through the functions' own parser", (name) => {
    // Prepare
    const config = STAGES[name];

    // Act
    const runtime = toRuntimeConfig(config, resources);
    const parsed = loadRuntimeConfig(toEnvironment(runtime));

    // Assess
    expect(parsed).toEqual(runtime);
    expect(parsed.uploadPrefix).toBe(config.uploads.prefix);
    expect(parsed.requestsPerDay).toBe(config.library.requestsPerDay);
    expect(parsed.poll).toEqual(config.poll);
    expect(parsed.recordTtlDays).toBe(config.retention.recordTtlDays);
  });

  it('sets every variable the schema knows', () => {
    const env = toEnvironment(toRuntimeConfig(STAGES.dev, resources));
    expect(Object.keys(env).sort()).toEqual(Object.keys(runtimeConfigSchema.shape).sort());
  });

  it('lets the local runner point at the sandbox', () => {
    const runtime = toRuntimeConfig(STAGES.dev, { ...resources, libraryBaseUrl: 'http://127.0.0.1:4010/v2' });
    expect(runtime.libraryBaseUrl).toBe('http://127.0.0.1:4010/v2');
  });

  it('names the Powertools service, namespace and log level', () => {
    expect(toPowertoolsEnvironment(STAGES.prod)).toEqual({
      POWERTOOLS_SERVICE_NAME: 'library-upload',
      POWERTOOLS_METRICS_NAMESPACE: 'LibraryUpload/prod',
      POWERTOOLS_LOG_LEVEL: 'INFO',
    });
  });

  it('names the service locally (no POWERTOOLS_SERVICE_NAME) as every stage does when deployed', () => {
    for (const stage of Object.values(STAGES)) expect(stage.observability.serviceName).toBe(DEFAULT_SERVICE_NAME);
  });
});

describe('metrics contract', () => {
  it('names the tagging-failure metric as the tagging step emits it', () => {
    expect(OBJECT_TAGGING_FAILED).toBe(TAGGING_FAILED_METRIC);
  });
});

describe('import hygiene', () => {
  it('keeps infra/config free of aws-cdk-lib and of side effects, for the local runner', () => {
    const dir = join(PROJECT_ROOT, 'infra', 'config');
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
      const source = readFileSync(join(dir, file), 'utf8');
      expect(source, file).not.toMatch(/from ['"](aws-cdk-lib|constructs|cdk-nag)/);
      expect(source, file).not.toMatch(/process\.(env|argv)/);
    }
  });
});
