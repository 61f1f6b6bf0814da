import { Logger } from '@aws-lambda-powertools/logger';
import type { SQSEvent } from 'aws-lambda';
import { describe, expect, it, vi } from 'vitest';
import { LibraryNotFoundError, LibraryServerError, LibraryThrottledError } from '../../../shared/library/errors.ts';
import type { LibraryFile, UploadStatus } from '../../../shared/library/types.ts';
import { processPollBatch, type PollDependencies } from '../../../shared/poll/poll-batch.ts';
import { RecentFiles } from '../../../shared/poll/recent-files.ts';
import type { StatusCheckMessage } from '../../../shared/poll/status-message.ts';
import type { UploadsStore } from '../../../shared/store/uploads-store.ts';
import { DEFAULT_RETRY_POLICY } from '../../../shared/retry/retry-policy.ts';
import { sqsEvent, statusCheckMessage } from '../../support/factories.ts';

process.env['POWERTOOLS_METRICS_DISABLED'] = 'true';
const NOW = new Date('2026-03-01T10:01:00.000Z');

const message = statusCheckMessage;

const eventOf = (...messages: StatusCheckMessage[]): SQSEvent => sqsEvent(messages, 'status');

function fakes(library: {
  getUploadStatus: (ids: readonly string[]) => Promise<UploadStatus[]>;
  getFile?: (id: string) => Promise<LibraryFile>;
  listFiles?: () => Promise<{ results: LibraryFile[] }>;
}) {
  const finals: { objectId: string; status: string; details: Record<string, unknown> }[] = [];
  const sent: { message: StatusCheckMessage; delaySeconds: number }[] = [];
  const getUploadStatus = vi.fn(library.getUploadStatus);
  const deps: PollDependencies = {
    store: {
      recordFinal: vi.fn(async (objectId: string, status: string, details: Record<string, unknown>) => {
        finals.push({ objectId, status, details });
        return { applied: true, record: { objectId } };
      }),
      recordProgress: vi.fn(async () => 'advanced'),
      recordCheck: vi.fn(async () => 'counted'),
    } as unknown as UploadsStore,
    library: {
      getUploadStatus,
      getFile: vi.fn(library.getFile ?? (async (id: string) => ({ id, name: 'x', url: `https://files/${id}` }))),
      ...(library.listFiles ? { listFiles: vi.fn(library.listFiles) } : {}),
    },
    sendStatusCheck: async (m, delaySeconds) => {
      sent.push({ message: m, delaySeconds });
    },
    reportThrottle: vi.fn(async () => undefined),
    tagging: {
      s3: {} as never,
      enabled: false,
      logger: { warn: () => undefined, debug: () => undefined },
      countFailure: () => undefined,
    },
    settings: {
      schedule: { firstDelaySeconds: 10, maxDelaySeconds: 300, maxWaitSeconds: 3600 },
      enrichActiveFiles: true,
      maxMissingChecks: 3,
      listActiveFilesFrom: 2,
    },
    retryPolicy: { ...DEFAULT_RETRY_POLICY, maxRetries: 2 },
    logger: new Logger({ logLevel: 'SILENT' }),
    now: () => NOW,
    random: () => 1,
  };
  return { deps, finals, sent, getUploadStatus };
}

describe('processPollBatch', () => {
  it('asks for every file of the batch in one request and settles each', async () => {
    // Prepare
    const f = fakes({
      getUploadStatus: async () => [
        { fileId: '1', status: 'Active', description: 'Active' },
        { fileId: '2', status: 'VirusFound', description: 'VirusFound' },
        { fileId: '3', status: 'Processing', description: 'Processing' },
      ],
    });
    // Act
    const response = await processPollBatch(eventOf(message('1'), message('2'), message('3'), message('4')), f.deps);
    // Assess
    expect(f.getUploadStatus).toHaveBeenCalledOnce();
    expect(f.getUploadStatus).toHaveBeenCalledWith(['1', '2', '3', '4']);
    expect(response.batchItemFailures).toEqual([]);
    // (records are settled concurrently: compare in a fixed order)
    expect(f.finals.map((x) => [x.status, x.details['errorKey'] ?? x.details['url']]).sort()).toEqual([
      ['Active', 'https://files/1'],
      ['VirusFound', 'virus-found'],
    ]);
    expect(
      f.sent.map((s) => [s.message.libraryFileId, s.message.checks, s.message.missing, s.delaySeconds]).sort(),
      // 60 s after submission: the schedule's next check is at 70 s, sooner than the count's 20 s delay.
    ).toEqual([
      ['3', 1, 0, 10],
      ['4', 1, 1, 10],
    ]);
  });

  it('puts the whole batch back without counting a retry when the API throttles, and tells the limiter', async () => {
    // Prepare
    const f = fakes({
      getUploadStatus: async () => {
        throw new LibraryThrottledError('qps', { operation: 'getUploadStatus', status: 403, scope: 'second' });
      },
    });
    // Act
    const response = await processPollBatch(eventOf(message('1'), message('2', { retries: 2 })), f.deps);
    // Assess
    expect(response.batchItemFailures).toEqual([]);
    expect(f.deps.reportThrottle).toHaveBeenCalledWith('second');
    expect(f.sent.map((s) => [s.message.retries, s.message.waits, s.message.checks]).sort()).toEqual([
      [0, 1, 0],
      [2, 1, 0],
    ]);
  });

  it('retries a 5xx with a counted retry, then leaves the message to SQS', async () => {
    // Prepare
    const f = fakes({
      getUploadStatus: async () => {
        throw new LibraryServerError('down', { operation: 'getUploadStatus', status: 503 });
      },
    });
    // Act
    const response = await processPollBatch(eventOf(message('1'), message('2', { retries: 2 })), f.deps);
    // Assess
    expect(f.sent.map((s) => [s.message.libraryFileId, s.message.retries])).toEqual([['1', 1]]);
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'm1' }]);
  });

  it('declares Failed after the third check without the id, and TimedOut at the deadline', async () => {
    // Prepare
    const f = fakes({ getUploadStatus: async () => [{ fileId: '2', status: 'Uploaded', description: '' }] });
    // Act
    await processPollBatch(
      eventOf(message('1', { missing: 2 }), message('2', { submittedAt: '2026-03-01T09:00:00.000Z' })),
      f.deps,
    );
    // Assess
    expect(f.finals.map((x) => [x.status, x.details['errorKey']]).sort()).toEqual([
      ['Failed', 'not-found-in-library'],
      ['TimedOut', 'timed-out'],
    ]);
    expect(f.sent).toEqual([]);
  });

  it('records Active without the URL when the file record cannot be fetched', async () => {
    // Prepare
    const f = fakes({
      getUploadStatus: async () => [{ fileId: '1', status: 'Active', description: '' }],
      getFile: async () => {
        throw new LibraryNotFoundError('gone', { operation: 'getFile', status: 404 });
      },
    });
    // Act
    await processPollBatch(eventOf(message('1')), f.deps);
    // Assess
    expect(f.finals).toEqual([{ objectId: message('1').objectId, status: 'Active', details: { countCheck: true } }]);
  });

  it('drops malformed messages and duplicate checks of one version', async () => {
    // Prepare
    const f = fakes({ getUploadStatus: async () => [{ fileId: '1', status: 'Active', description: '' }] });
    const event = eventOf(message('1'), message('1'));
    event.Records.push({ ...event.Records[0]!, messageId: 'bad', body: '{"nope":1}' });
    // Act
    const response = await processPollBatch(event, f.deps);
    // Assess
    expect(response.batchItemFailures).toEqual([]);
    expect(f.finals).toHaveLength(1);
  });

  it('reads the records of several Active files with one list request, fetching only the ones it misses', async () => {
    // Prepare
    const f = fakes({
      getUploadStatus: async () => ['1', '2', '3'].map((fileId) => ({ fileId, status: 'Active', description: '' })),
      listFiles: async () => ({
        results: [
          { id: '9', name: 'other' },
          { id: '1', name: 'a', url: 'https://listed/1' },
          { id: '2', name: 'b', url: 'https://listed/2' },
        ],
      }),
    });
    // Act
    await processPollBatch(eventOf(message('1'), message('2'), message('3')), f.deps);
    // Assess
    expect(f.deps.library.listFiles).toHaveBeenCalledOnce();
    expect(f.deps.library.getFile).toHaveBeenCalledOnce();
    expect(f.deps.library.getFile).toHaveBeenCalledWith('3');
    expect(f.finals.map((x) => x.details['url']).sort()).toEqual([
      'https://files/3',
      'https://listed/1',
      'https://listed/2',
    ]);
  });

  it('settles files a kept list shows Active without asking again, and asks only for the others', async () => {
    // Prepare: batch 1 lists the library; 5 is Active in that list, 6 Processing, 7 absent.
    const statuses: Record<string, string> = { '1': 'Active', '6': 'Processing', '7': 'Processing' };
    const f = fakes({
      getUploadStatus: async (ids) =>
        ids.map((fileId) => ({ fileId, status: statuses[fileId] ?? 'Missing', description: '' })),
      listFiles: async () => ({
        results: [
          { id: '1', name: 'a', status: 'Active', url: 'https://listed/1' },
          { id: '5', name: 'e', status: 'Active', url: 'https://listed/5' },
          { id: '6', name: 'f', status: 'Processing' },
        ],
      }),
    });
    const listFiles = f.deps.library.listFiles!;
    f.deps.recentFiles = new RecentFiles(async () => (await listFiles({})).results);
    f.deps.settings.listActiveFilesFrom = 1;
    await processPollBatch(eventOf(message('1')), f.deps);
    f.getUploadStatus.mockClear();
    // Act
    await processPollBatch(eventOf(message('5'), message('6'), message('7')), f.deps);
    await processPollBatch(eventOf(message('5', { objectId: 's3://b/5b.png#etag=e5b' })), f.deps);
    // Assess
    expect(f.getUploadStatus).toHaveBeenCalledOnce();
    expect(f.getUploadStatus).toHaveBeenCalledWith(['6', '7']);
    expect(listFiles).toHaveBeenCalledOnce();
    expect(f.deps.library.getFile).not.toHaveBeenCalled();
    expect(f.finals.map((x) => [x.status, x.details['url']])).toEqual([
      ['Active', 'https://listed/1'],
      ['Active', 'https://listed/5'],
      ['Active', 'https://listed/5'],
    ]);
    expect(f.sent.map((x) => x.message.libraryFileId)).toEqual(['6', '7']);
  });

  it('lists first when checks at this count have lately found files final, asking only for the rest', async () => {
    // Prepare: the library lists 1 and 2 Active; 3 is not in the list.
    const f = fakes({
      getUploadStatus: async (ids) => ids.map((fileId) => ({ fileId, status: 'Processing', description: '' })),
      listFiles: async () => ({
        results: ['1', '2'].map((id) => ({ id, name: id, status: 'Active', url: `https://listed/${id}` })),
      }),
    });
    const listFiles = f.deps.library.listFiles!;
    f.deps.recentFiles = new RecentFiles(async () => (await listFiles({})).results);
    for (let i = 0; i < 20; i++) f.deps.recentFiles.odds.observe(2, true);
    // Act
    await processPollBatch(eventOf(message('1', { checks: 2 }), message('2', { checks: 2 })), f.deps);
    await processPollBatch(eventOf(message('3', { checks: 0 })), f.deps);
    // Assess: the first batch cost one list, the second (first checks: no tally) one status request.
    expect(listFiles).toHaveBeenCalledOnce();
    expect(f.getUploadStatus).toHaveBeenCalledOnce();
    expect(f.getUploadStatus).toHaveBeenCalledWith(['3']);
    expect(f.finals.map((x) => x.details['url'])).toEqual(['https://listed/1', 'https://listed/2']);
  });
});
