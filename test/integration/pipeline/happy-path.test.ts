import './quiet-env.ts';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  pdfBytes,
  pngBytes,
  requestsOf,
  startPipelineHarness,
  statusRequests,
  type PipelineHarness,
} from './harness.ts';

let h: PipelineHarness;

beforeAll(async () => {
  h = await startPipelineHarness({ sandbox: { limits: { perSecond: 10 } }, config: { requestsPerSecond: 10 } });
});
afterAll(() => h?.close());
beforeEach(() => h.reset());

describe('happy path', () => {
  it('uploads an image into the mirrored folder and a document to the default folder, and records them Active', async () => {
    // Prepare
    const image = await h.putObject('incoming/Events/2026/summer_poster-final.png', pngBytes(640, 480));
    const document = await h.putObject('incoming/report.pdf', pdfBytes(), {
      metadata: { description: 'Quarterly report' },
    });
    // Act
    await h.notify([image, document]);
    const [imageRecord, documentRecord] = await h.settle([image, document]);
    // Assess
    const files = h.sandbox.files();
    expect(files).toHaveLength(2);
    expect(imageRecord).toMatchObject({
      status: 'Active',
      fileName: 'summer_poster-final.png',
      description: 'summer poster final',
      fileType: 'PNG',
      folderPath: 'Events/2026',
      attempts: 1,
      width: 640,
      height: 480,
      size: image.size,
    });
    expect(imageRecord?.url).toMatch(/^http/);
    expect(imageRecord?.thumbnailUrl).toMatch(/^http/);
    expect(Object.keys(imageRecord?.transitions ?? {})).toEqual(
      expect.arrayContaining(['Received', 'Submitted', 'Active']),
    );
    expect(documentRecord).toMatchObject({
      status: 'Active',
      description: 'Quarterly report',
      fileType: 'PDF',
      folderId: '0',
    });
    const stored = files.find((f) => f.id === imageRecord?.libraryFileId);
    expect(stored?.folderId).toBe(imageRecord?.folderId);
    expect(stored?.size).toBe(image.size);
    expect(await h.tags(image.key)).toEqual({
      'library-status': 'Active',
      'library-file-id': imageRecord?.libraryFileId,
    });
  });

  it('settles a batch of 10 files with a few upload-status requests in total', async () => {
    // Prepare
    const refs = await Promise.all(
      Array.from({ length: 10 }, (_, i) => h.putObject(`incoming/batch/file-${i}.png`, pngBytes(10 + i, 10))),
    );
    // Act
    await h.notify(refs);
    const records = await h.settle(refs);
    // Assess
    expect(records.map((r) => r.status)).toEqual(Array(10).fill('Active'));
    expect(h.sandbox.counters().uploads.accepted).toBe(10);
    expect(statusRequests(h.sandbox)).toBeLessThanOrEqual(6);
    expect(requestsOf(h.sandbox, 'getFile')).toBeLessThan(10);
    expect(records.every((r) => r.url !== undefined && r.thumbnailUrl !== undefined)).toBe(true);
    const total = h.sandbox.counters().totalRequests;
    console.info(
      `[figures] batch of 10: ${statusRequests(h.sandbox)} status requests, ${requestsOf(h.sandbox, 'listFiles')} list + ${requestsOf(h.sandbox, 'getFile')} getFile for enrichment, ${total} requests in all (${total / 10} per file)`,
    );
  });

  it('creates a mirrored folder once and reuses it, and honours folder-id metadata', async () => {
    // Prepare
    const a = await h.putObject('incoming/Brand/a.png', pngBytes());
    const b = await h.putObject('incoming/Brand/b.png', pngBytes(20, 20));
    const c = await h.putObject('incoming/Brand/c.png', pngBytes(30, 30), { metadata: { 'folder-id': '-1' } });
    // Act
    await h.notify([a, b, c]);
    const [ra, rb, rc] = await h.settle([a, b, c]);
    // Assess
    expect(ra?.folderId).toBe(rb?.folderId);
    expect(ra?.folderPath).toBe('Brand');
    expect(rc?.folderId).toBe('-1');
    expect(
      h.sandbox.counters().requests.createFolder?.['201'] ?? h.sandbox.counters().requests.createFolder?.['200'],
    ).toBe(1);
  });
});

describe('switches', () => {
  it('skips enrichment and tagging when turned off, and sets the TTL when records expire', async () => {
    // Prepare
    await h.reset({ config: { enrichActiveFiles: false, tagObjects: false, recordTtlDays: 30 } });
    const ref = await h.putObject('incoming/switches/plain.png', pngBytes());
    // Act
    await h.notify([ref]);
    const [record] = await h.settle([ref]);
    // Assess
    expect(record?.status).toBe('Active');
    expect(record?.url).toBeUndefined();
    expect(h.sandbox.counters().requests.getFile).toBeUndefined();
    expect(await h.tags(ref.key)).toEqual({});
    expect(record?.expiresAt).toBeGreaterThan(Date.now() / 1000 + 29 * 86_400);
  });

  it('records a folder-id the library does not know as Rejected library-refused', async () => {
    // Prepare
    const ref = await h.putObject('incoming/bad-folder.png', pngBytes(), { metadata: { 'folder-id': '-424242' } });
    // Act
    await h.notify([ref]);
    const [record] = await h.settle([ref]);
    // Assess
    expect(record).toMatchObject({ status: 'Rejected', errorKey: 'library-refused' });
    expect(h.sandbox.files()).toHaveLength(0);
  });
});
