/**
 * The client against the sandbox over real HTTP: every endpoint, happy paths and documented variants.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../infra/local/sandbox/index.ts';
import type { LibraryClient } from '../../shared/library/index.ts';
import { FINAL_LIBRARY_STATUSES, LibraryNotFoundError } from '../../shared/library/index.ts';
import { clientFor, pngLike, sha256, startContractSandbox, uploadOf } from './support.ts';
import type { ClientHarness } from './support.ts';

let sandbox: Sandbox;
let harness: ClientHarness;
let client: LibraryClient;

beforeAll(async () => {
  sandbox = await startContractSandbox({ processing: { processingMs: 1_000, uploadedMs: 1_000 } });
  harness = clientFor(sandbox);
  client = harness.client;
});
afterAll(async () => {
  await client.close();
  await sandbox.close();
});
beforeEach(() => {
  sandbox.setQuirks({ numericStatusFileIds: false, infoAsArray: false, topLevelParentId: '' });
  sandbox.reset();
  harness.reports.length = 0;
});

describe('getLibraryInfo', () => {
  it('reads the account limits and usage', async () => {
    // Act
    const info = await client.getLibraryInfo();
    // Assess
    expect(info.maxUploadSizeLimit).toBe(5_242_880);
    expect(info.maxPremiumSpaceLimit).toBe(262_144_000);
    expect(info.usageSummary?.fileCount).toBe(0);
  });

  it('reads the info wrapped in a one-element array the same way', async () => {
    // Prepare
    const plain = await client.getLibraryInfo();
    sandbox.setQuirks({ infoAsArray: true });
    // Act
    const wrapped = await client.getLibraryInfo();
    // Assess
    expect(wrapped).toEqual(plain);
  });
});

describe('folders', () => {
  it('lists the default tree with children nested and top-level parents undefined', async () => {
    // Act
    const folders = await client.listFolders();
    // Assess
    expect(folders.map((f) => [f.id, f.name, f.parentId, f.children.map((c) => [c.id, c.parentId])])).toEqual([
      ['-1', 'Images', undefined, []],
      ['-2', 'Documents', undefined, [['-3', '-2']]],
    ]);
  });

  it('treats a "0" top-level parent_id as no parent', async () => {
    // Prepare
    sandbox.setQuirks({ topLevelParentId: '0' });
    // Act
    const folders = await client.listFolders();
    // Assess
    expect(folders.map((f) => f.parentId)).toEqual([undefined, undefined]);
  });

  it('creates a top-level folder and a child, which then appear in the tree', async () => {
    // Act
    const parent = await client.createFolder('Events');
    const child = await client.createFolder('2026', parent.id);
    const tree = await client.listFolders();
    // Assess
    expect(parent).toMatchObject({ name: 'Events', children: [] });
    expect(parent.parentId).toBeUndefined();
    expect(child).toMatchObject({ name: '2026', parentId: parent.id });
    const events = tree.find((f) => f.id === parent.id);
    expect(events?.children.map((c) => c.id)).toEqual([child.id]);
  });
});

describe('upload, status and file record', () => {
  it('uploads, follows the status to Active and reads the file record', async () => {
    // Prepare
    const bytes = pngLike(4096);
    // Act
    const { fileId, location } = await client.uploadFile(uploadOf(bytes, { fileName: 'status.png' }));
    const first = await client.getUploadStatus([fileId]);
    sandbox.advanceClock(1_000);
    const middle = await client.getUploadStatus([fileId]);
    sandbox.advanceClock(1_000);
    const last = await client.getUploadStatus([fileId]);
    const file = await client.getFile(fileId);
    // Assess
    expect(location.endsWith(`/v2/library/files/${fileId}`)).toBe(true);
    expect(first).toEqual([{ fileId, status: 'Processing', description: 'Processing' }]);
    expect(middle[0]?.status).toBe('Uploaded');
    expect(last[0]?.status).toBe('Active');
    expect(FINAL_LIBRARY_STATUSES.has('Active')).toBe(true);
    expect(file).toMatchObject({
      id: fileId,
      name: 'status.png',
      folderId: '-1',
      folder: 'Images',
      size: 4096,
      status: 'Active',
      fileType: 'PNG',
      isImage: true,
      width: 64,
      height: 48,
    });
    expect(file.thumbnail?.url).toBeTypeOf('string');
    const stored = sandbox.files().find((f) => f.id === fileId);
    expect(stored).toMatchObject({
      name: 'status.png',
      folderId: '-1',
      source: 'MyComputer',
      fileType: 'PNG',
      contentType: 'image/png',
      description: 'contract test',
      sha256: sha256(bytes),
    });
  });

  it('uploads into the root with folder_id 0', async () => {
    // Act
    const { fileId } = await client.uploadFile(uploadOf(pngLike(), { folderId: '0' }));
    // Assess
    expect(sandbox.files().find((f) => f.id === fileId)?.folderId).toBeUndefined();
  });

  it('reports a file whose bytes are not what file_type says as Failed', async () => {
    // Prepare
    const { fileId } = await client.uploadFile(uploadOf(Buffer.from('%PDF-1.4 not a png'), { fileName: 'fake.png' }));
    // Act
    sandbox.advanceClock(1_000);
    const statuses = await client.getUploadStatus([fileId]);
    // Assess
    expect(statuses).toEqual([{ fileId, status: 'Failed', description: 'Failed' }]);
  });

  it('answers statuses of several ids at once, numeric file_id included, unknown ids absent', async () => {
    // Prepare
    const a = await client.uploadFile(uploadOf(pngLike(100), { fileName: 'a.png' }));
    const b = await client.uploadFile(uploadOf(pngLike(200), { fileName: 'b.png' }));
    sandbox.setQuirks({ numericStatusFileIds: true });
    // Act
    const statuses = await client.getUploadStatus([a.fileId, '999999', b.fileId]);
    // Assess
    expect(statuses.map((s) => s.fileId)).toEqual([a.fileId, b.fileId]);
    expect(statuses.every((s) => typeof s.fileId === 'string')).toBe(true);
  });

  it('resolves [] for ids the library does not know', async () => {
    expect(await client.getUploadStatus(['424242'])).toEqual([]);
  });

  it('splits many ids over several status requests', async () => {
    // Prepare
    const chunked = clientFor(sandbox, { statusChunkSize: 2 });
    const ids: string[] = [];
    for (let i = 0; i < 5; i++)
      ids.push((await client.uploadFile(uploadOf(pngLike(100 + i), { fileName: `c${i}.png` }))).fileId);
    // Act
    const statuses = await chunked.client.getUploadStatus(ids);
    await chunked.client.close();
    // Assess
    expect(statuses.map((s) => s.fileId)).toEqual(ids);
    expect(chunked.reports.map((r) => r.url.split('/').at(-1)?.split('?')[0]?.split(',').length)).toEqual([2, 2, 1]);
  });

  it('deletes a file: it goes to the Trash and its status says Deleted', async () => {
    // Prepare
    const { fileId } = await client.uploadFile(uploadOf(pngLike()));
    // Act
    await client.deleteFile(fileId);
    const statuses = await client.getUploadStatus([fileId]);
    // Assess
    expect(statuses[0]?.status).toBe('Deleted');
  });

  it('moves several files to the Trash with one comma-separated DELETE', async () => {
    // Prepare
    const first = await client.uploadFile(uploadOf(pngLike(), { fileName: 'one.png' }));
    const second = await client.uploadFile(uploadOf(pngLike(), { fileName: 'two.png' }));
    // Act
    await client.deleteFiles([first.fileId, second.fileId]);
    const statuses = await client.getUploadStatus([first.fileId, second.fileId]);
    // Assess
    expect(statuses.map((s) => s.status)).toEqual(['Deleted', 'Deleted']);
  });

  it('renames and moves a file with PUT, keeping its id and hosted URL', async () => {
    // Prepare
    const { fileId } = await client.uploadFile(uploadOf(pngLike(), { fileName: 'poster.png' }));
    const before = await client.getFile(fileId);
    // Act
    const after = await client.updateFile(fileId, { name: 'poster-renamed.png', folderId: '-1' });
    // Assess
    expect(after).toMatchObject({ id: fileId, name: 'poster-renamed.png', folderId: '-1', url: before.url });
  });
});

describe('file lists', () => {
  it('lists files with sort, type and source filters, and a folder with its own files', async () => {
    // Prepare
    const big = await client.uploadFile(uploadOf(pngLike(3000), { fileName: 'big.png', folderId: '-1' }));
    const small = await client.uploadFile(uploadOf(pngLike(1000), { fileName: 'small.png', folderId: '-1' }));
    const doc = await client.uploadFile(
      uploadOf(Buffer.from('%PDF-1.4 document'), {
        fileName: 'doc.pdf',
        fileType: 'PDF',
        contentType: 'application/pdf',
        folderId: '-2',
      }),
    );
    // Act
    const bySize = await client.listFiles({ sortBy: 'SIZE_DESC', limit: 10, type: 'ALL', source: 'ALL' });
    const images = await client.listFiles({ type: 'IMAGES', sortBy: 'NAME' });
    const documentsFolder = await client.listFolderFiles('-2');
    // Assess
    expect(bySize.results.map((f) => f.id)).toEqual([big.fileId, small.fileId, doc.fileId]);
    expect(bySize.nextLink).toBeUndefined();
    expect(images.results.map((f) => f.name)).toEqual(['big.png', 'small.png']);
    expect(documentsFolder.results.map((f) => f.id)).toEqual([doc.fileId]);
  });

  it('maps a file that does not exist to LibraryNotFoundError', async () => {
    await expect(client.getFile('987654321')).rejects.toBeInstanceOf(LibraryNotFoundError);
  });

  it('maps the files of a folder that does not exist to LibraryNotFoundError', async () => {
    await expect(client.listFolderFiles('-999')).rejects.toBeInstanceOf(LibraryNotFoundError);
  });
});

describe('requests as the sandbox counted them', () => {
  it('reports each exchange with a redacted URL and the status the sandbox counted', async () => {
    // Act
    await client.getLibraryInfo();
    await client.listFolders();
    // Assess
    expect(harness.reports.map((r) => [r.operation, r.method, r.status])).toEqual([
      ['getLibraryInfo', 'GET', 200],
      ['listFolders', 'GET', 200],
    ]);
    expect(
      harness.reports.every((r) => r.url.includes('api_key=***') && !r.url.includes(sandbox.credentials.apiKey)),
    ).toBe(true);
    expect(sandbox.counters().requests.getLibraryInfo).toEqual({ '200': 1 });
  });
});
