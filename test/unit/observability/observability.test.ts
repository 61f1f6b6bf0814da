import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { lambdaContext } from '../../support/factories.ts';

// The singletons read their configuration at import: set it first.
vi.hoisted(() => {
  process.env['POWERTOOLS_SERVICE_NAME'] = 'observability-test';
  process.env['POWERTOOLS_LOG_LEVEL'] = 'DEBUG';
  process.env['POWERTOOLS_METRICS_NAMESPACE'] = 'TestNamespace';
  delete process.env['POWERTOOLS_DEV'];
});

const { METRIC, countMetric, instrumentHandler, logger, metrics, reportLibraryRequest, withUploadContext } =
  await import('../../../shared/observability/index.ts');

/** Every JSON line written while a test runs (Powertools writes logs and EMF to stdout, warnings and errors to stderr). */
let lines: Array<Record<string, unknown>>;

beforeEach(() => {
  lines = [];
  const collect = (chunk: string | Uint8Array) => {
    for (const line of String(chunk).split('\n')) {
      if (line.trim().startsWith('{')) lines.push(JSON.parse(line) as Record<string, unknown>);
    }
    return true;
  };
  vi.spyOn(process.stdout, 'write').mockImplementation(collect);
  vi.spyOn(process.stderr, 'write').mockImplementation(collect);
});

afterEach(() => {
  vi.restoreAllMocks();
  metrics.clearMetrics();
  logger.resetKeys();
});

const logLines = () => lines.filter((l) => 'level' in l);
const emfLines = () => lines.filter((l) => '_aws' in l);

const context = lambdaContext('ingest', { awsRequestId: 'req-42' });

describe('logger', () => {
  it('redacts credentials by key name and by shape on every line', () => {
    // Act
    logger.info('Calling https://api.example.test/v2/library/files?api_key=KEY123&limit=5', {
      credentials: { apiKey: 'KEY123', accessToken: 'TOKEN456' },
      headers: { Authorization: 'Bearer TOKEN456' },
      body: '{"apiKey":"KEY123"}',
    });
    logger.error('Request failed', new Error('401 for https://api.example.test/v2/x?api_key=KEY123'));

    // Assess
    const text = JSON.stringify(logLines());
    expect(text).not.toContain('KEY123');
    expect(text).not.toContain('TOKEN456');
    expect(logLines()[0]).toMatchObject({
      message: 'Calling https://api.example.test/v2/library/files?api_key=***&limit=5',
      credentials: { apiKey: '***', accessToken: '***' },
      headers: { Authorization: '***' },
    });
  });
});

describe('withUploadContext', () => {
  it('puts the object key, version id and library file id on every line of that upload', () => {
    // Prepare
    const log = withUploadContext({
      bucket: 'uploads',
      key: 'a/b.png',
      versionId: 'v1',
      libraryFileId: '1873',
      objectId: 'o1',
    });

    // Act
    log.info('Submitted');
    log.warn('Slow');

    // Assess
    for (const line of logLines()) {
      expect(line).toMatchObject({
        objectKey: 'a/b.png',
        versionId: 'v1',
        libraryFileId: '1873',
        objectId: 'o1',
        bucket: 'uploads',
      });
    }
    expect(logLines()).toHaveLength(2);
  });

  it('keeps the keys of uploads handled concurrently apart', async () => {
    // Prepare
    const first = withUploadContext({ key: 'one.png' });
    const second = withUploadContext({ key: 'two.png', versionId: 'v2' });

    // Act
    await Promise.all([
      (async () => {
        await Promise.resolve();
        first.info('first');
      })(),
      (async () => second.info('second'))(),
    ]);

    // Assess
    const byMessage = Object.fromEntries(logLines().map((l) => [l['message'], l]));
    expect(byMessage['first']).toMatchObject({ objectKey: 'one.png' });
    expect(byMessage['first']).not.toHaveProperty('versionId');
    expect(byMessage['second']).toMatchObject({ objectKey: 'two.png', versionId: 'v2' });
  });
});

describe('reportLibraryRequest', () => {
  it('counts ApiRequests by operation and logs the redacted URL at debug', () => {
    // Act
    reportLibraryRequest({
      operation: 'getUploadStatus',
      method: 'GET',
      url: 'https://api.example.test/v2/library/files/uploadstatus/1,2?api_key=KEY123',
      status: 200,
      durationMs: 87,
    });

    // Assess
    const [emf] = emfLines();
    expect(emf).toMatchObject({ ApiRequests: 1, operation: 'getUploadStatus', service: 'observability-test' });
    expect(emf?.['_aws']).toMatchObject({ CloudWatchMetrics: [{ Namespace: 'TestNamespace' }] });
    const [log] = logLines();
    expect(log).toMatchObject({ level: 'DEBUG', operation: 'getUploadStatus', status: 200 });
    expect(log?.['url']).toBe('https://api.example.test/v2/library/files/uploadstatus/1,2?api_key=***');
  });
});

describe('countMetric', () => {
  it('emits a dimensioned count at once and buffers a plain one until the end of the invocation', async () => {
    // Prepare
    const handler = instrumentHandler(async () => {
      countMetric(METRIC.FilesFinal, 1, { status: 'Active' });
      countMetric(METRIC.EventsPublished, 3);
      return 'done';
    });

    // Act
    const result = await handler({}, context);

    // Assess
    expect(result).toBe('done');
    const emf = emfLines();
    expect(emf.find((l) => 'FilesFinal' in l)).toMatchObject({ FilesFinal: 1, status: 'Active' });
    expect(emf.find((l) => 'EventsPublished' in l)).toMatchObject({ EventsPublished: 3 });
    expect(metrics.hasStoredMetrics()).toBe(false);
  });
});

describe('instrumentHandler', () => {
  it('adds the Lambda context to log lines, logs an escaping error and rethrows it', async () => {
    // Prepare
    const handler = instrumentHandler(async () => {
      logger.appendKeys({ objectKey: 'a.png' });
      throw new Error('boom with api_key=KEY123');
    });

    // Act
    const error = await handler({}, context).catch((e: unknown) => e);
    logger.info('after');

    // Assess
    expect(error).toBeInstanceOf(Error);
    const failure = logLines().find((l) => l['message'] === 'Invocation failed');
    expect(failure).toMatchObject({ level: 'ERROR', function_request_id: 'req-42', objectKey: 'a.png' });
    expect(JSON.stringify(failure)).not.toContain('KEY123');
    expect(logLines().find((l) => l['message'] === 'after')).not.toHaveProperty('objectKey');
  });
});
