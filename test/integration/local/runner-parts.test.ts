/**
 * The small parts of local mode that need no emulator: command line, Lambda context, environment,
 * event lines.
 */
import { describe, expect, it } from 'vitest';
import { dev } from '../../../infra/config/index.ts';
import { loadRuntimeConfig } from '../../../shared/config/runtime-config.ts';
import { UsageError, parseCliOptions } from '../../../infra/local/runner/cli-options.ts';
import { FAST_POLL, applyEnvironment, functionEnvironment } from '../../../infra/local/runner/function-environment.ts';
import {
  InvocationTimeoutError,
  createLambdaContext,
  invokeHandler,
} from '../../../infra/local/runner/lambda-context.ts';
import { formatEvent, formatProgress } from '../../../infra/local/runner/progress.ts';

const endpoints = {
  dynamodb: 'http://127.0.0.1:1',
  s3: 'http://127.0.0.1:2',
  sqs: 'http://127.0.0.1:2',
  eventbridge: 'http://127.0.0.1:3',
  secretsmanager: 'http://127.0.0.1:4',
  region: 'us-east-1',
};
const resources = {
  librarySecretId: 'library-upload/dev/library-credentials',
  uploadsTableName: 'library-upload-dev-uploads',
  limitsTableName: 'library-upload-dev-limits',
  statusQueueUrl: 'http://127.0.0.1:2/000000000000/library-upload-dev-status',
  eventBusName: 'library-upload-dev',
  libraryBaseUrl: 'http://127.0.0.1:5/v2',
};

describe('command line', () => {
  it('defaults to the dev stage, drop/ and .local/', () => {
    const parsed = parseCliOptions([], {});
    expect(parsed).toMatchObject({
      help: false,
      options: { stage: 'dev', dropDir: 'drop', stateDir: '.local', fast: false, startingPosition: 'TRIM_HORIZON' },
    });
  });
  it('reads the flags', () => {
    const parsed = parseCliOptions(
      ['--drop', 'in', '--state', 's', '--fast', '--sandbox-per-second', '8', '--latest', '--no-drop'],
      {},
    );
    expect(parsed).toMatchObject({
      options: { dropDir: false, stateDir: 's', fast: true, sandbox: { perSecond: 8 }, startingPosition: 'LATEST' },
    });
  });
  it('takes START_FAST from the environment, and refuses bad input', () => {
    expect(parseCliOptions([], { START_FAST: '1' })).toMatchObject({ options: { fast: true } });
    expect(() => parseCliOptions(['--stage', 'qa'], {})).toThrow(UsageError);
    expect(() => parseCliOptions(['--sandbox-per-second', 'many'], {})).toThrow(UsageError);
    expect(() => parseCliOptions(['--bogus'], {})).toThrow(UsageError);
    expect(parseCliOptions(['-h'], {})).toEqual({ help: true });
  });
});

describe('Lambda context', () => {
  it('counts down from the function timeout and names the function', () => {
    let now = 1_000_000;
    const context = createLambdaContext(
      { functionName: 'library-upload-dev-ingest', timeoutSeconds: 120, memoryMb: 512 },
      () => now,
    );
    expect(context.getRemainingTimeInMillis()).toBe(120_000);
    now += 30_000;
    expect(context.getRemainingTimeInMillis()).toBe(90_000);
    expect(context).toMatchObject({
      functionName: 'library-upload-dev-ingest',
      memoryLimitInMB: '512',
      invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:library-upload-dev-ingest',
      logGroupName: '/aws/lambda/library-upload-dev-ingest',
    });
    expect(context.awsRequestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(createLambdaContext({ functionName: 'f', timeoutSeconds: 1, memoryMb: 128 }).awsRequestId).not.toBe(
      context.awsRequestId,
    );
  });
  it('fails an invocation that outlives its timeout', async () => {
    const never = () => new Promise<void>(() => undefined);
    await expect(
      invokeHandler(never, {}, { functionName: 'f', timeoutSeconds: 0.05, memoryMb: 128 }),
    ).rejects.toBeInstanceOf(InvocationTimeoutError);
  });
});

describe('function environment', () => {
  it('is the dev runtime config, read back unchanged by the handlers, plus local endpoints', () => {
    const env = functionEnvironment({ stage: dev, resources, endpoints });
    const config = loadRuntimeConfig(env);
    expect(config).toMatchObject({
      stage: 'dev',
      uploadPrefix: 'uploads/',
      poll: dev.poll,
      tagObjects: true,
      libraryBaseUrl: resources.libraryBaseUrl,
    });
    expect(env).toMatchObject({
      AWS_ENDPOINT_URL_S3: endpoints.s3,
      AWS_ENDPOINT_URL_DYNAMODB_STREAMS: endpoints.dynamodb,
      POWERTOOLS_SERVICE_NAME: 'library-upload',
    });
  });
  it('only shortens the poll delays with fast', () => {
    const config = loadRuntimeConfig(functionEnvironment({ stage: dev, resources, endpoints, fast: true }));
    expect(config.poll).toEqual({ ...dev.poll, ...FAST_POLL });
    expect(config.requestsPerSecond).toBe(dev.library.requestsPerSecond);
  });
  it('applies and restores process.env, removing profile variables meanwhile', () => {
    process.env['AWS_PROFILE'] = 'someone';
    const restore = applyEnvironment({ STAGE: 'dev-local-test' });
    expect(process.env['AWS_PROFILE']).toBeUndefined();
    expect(process.env['STAGE']).toBe('dev-local-test');
    restore();
    expect(process.env['AWS_PROFILE']).toBe('someone');
    expect(process.env['STAGE']).toBeUndefined();
    delete process.env['AWS_PROFILE'];
  });
});

describe('display lines', () => {
  it('formats an Active event and a Rejected one', () => {
    const base = {
      version: '0' as const,
      id: 'x',
      source: 's',
      account: '0',
      time: '',
      region: 'us-east-1',
      resources: [],
      eventBusName: 'b',
    };
    expect(
      formatEvent({
        ...base,
        'detail-type': 'Library File Uploaded',
        detail: {
          status: 'Active',
          object: { key: 'uploads/a.png' },
          libraryFileId: '7',
          timings: { secondsToFinal: 2.25 },
        },
      }),
    ).toBe('✔ Active     uploads/a.png → library file 7 (2.3 s)');
    expect(
      formatEvent({
        ...base,
        'detail-type': 'Library File Rejected',
        detail: {
          status: 'Rejected',
          object: { key: 'uploads/n.txt' },
          reason: { errorKey: 'unsupported', message: 'not a type' },
        },
      }),
    ).toBe('⊘ Rejected   uploads/n.txt: not a type');
    expect(
      formatEvent({
        ...base,
        'detail-type': 'Library File Replaced',
        detail: {
          status: 'Replaced',
          object: { key: 'uploads/photo.png' },
          libraryFileId: '7',
          trashed: true,
          replacedBy: { libraryFileId: '9', url: 'http://127.0.0.1/sandbox-files/9/photo.png' },
        },
      }),
    ).toBe(
      '↻ Replaced   uploads/photo.png → library file 7 moved to the Trash, replaced by 9  http://127.0.0.1/sandbox-files/9/photo.png',
    );
    expect(
      formatEvent({
        ...base,
        'detail-type': 'Library File Removed',
        detail: { status: 'Removed', object: { key: 'uploads/eicar.pdf' }, libraryFileId: '8', trashed: true },
      }),
    ).toBe('🗑 Removed    uploads/eicar.pdf → library file 8 moved to the Trash');
  });
  it('formats the progress line', () => {
    expect(
      formatProgress({
        dropped: 2,
        byStatus: { Active: 1, Submitted: 1 },
        records: 2,
        events: 1,
        inFlight: { ingest: 1, poll: 0, publish: 0 },
      }),
    ).toBe('Submitted 1 · Active 1 │ running: ingest 1, poll 0, publish 0 │ events 1 │ dropped 2');
  });
});
