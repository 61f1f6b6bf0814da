/**
 * Pagination against the sandbox: `next_link` carries no api_key (like the vendor's), so every page
 * after the first only succeeds if the client puts the key back and does not double the /v2 prefix.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InitialFile, InitialFolder, Sandbox } from '../../infra/local/sandbox/index.ts';
import type { LibraryFile } from '../../shared/library/index.ts';
import { clientFor, pngLike, startContractSandbox } from './support.ts';

const FILE_COUNT = 11;
const TOP_LEVEL_FOLDERS = 120;

let sandbox: Sandbox;

beforeAll(async () => {
  const files: InitialFile[] = Array.from({ length: FILE_COUNT }, (_, i) => ({
    name: `page-${String(i).padStart(2, '0')}.png`,
    fileType: 'PNG',
    data: pngLike(1000 + i),
    folderId: i % 2 === 0 ? '-1' : '-2',
  }));
  const folders: InitialFolder[] = [
    { id: '-1', name: 'Images' },
    { id: '-2', name: 'Documents' },
    { id: '-3', name: 'market_studies', parentId: '-2' },
    ...Array.from({ length: TOP_LEVEL_FOLDERS - 2 }, (_, i) => ({ id: String(-100 - i), name: `bulk-${i}` })),
  ];
  sandbox = await startContractSandbox({ files, folders });
});
afterAll(async () => {
  await sandbox.close();
});

async function collect(iterable: AsyncIterable<LibraryFile>): Promise<LibraryFile[]> {
  const files: LibraryFile[] = [];
  for await (const file of iterable) files.push(file);
  return files;
}

describe('iterateFiles', () => {
  it('walks every page of GET /library/files with the api_key put back on each next_link', async () => {
    // Prepare
    const { client, reports } = clientFor(sandbox);
    const before = sandbox.counters().requests.listFiles?.['200'] ?? 0;
    // Act
    const files = await collect(client.iterateFiles({ limit: 3, sortBy: 'NAME' }));
    await client.close();
    // Assess
    expect(files.map((f) => f.name)).toEqual(
      Array.from({ length: FILE_COUNT }, (_, i) => `page-${String(i).padStart(2, '0')}.png`),
    );
    expect(new Set(files.map((f) => f.id)).size).toBe(FILE_COUNT);
    expect(reports).toHaveLength(4);
    expect(
      reports.slice(1).every((r) => r.url.startsWith(`${sandbox.origin}/v2/library/files?api_key=***&next=`)),
    ).toBe(true);
    expect((sandbox.counters().requests.listFiles?.['200'] ?? 0) - before).toBe(4);
  });

  it('walks every page of a folder', async () => {
    // Prepare
    const { client } = clientFor(sandbox);
    // Act
    const files = await collect(client.iterateFiles({ folderId: '-1', limit: 2, sortBy: 'NAME' }));
    await client.close();
    // Assess
    expect(files.map((f) => f.name)).toEqual([
      'page-00.png',
      'page-02.png',
      'page-04.png',
      'page-06.png',
      'page-08.png',
      'page-10.png',
    ]);
    expect(files.every((f) => f.folderId === '-1')).toBe(true);
  });

  it('lets a caller page by hand with listFiles({ next })', async () => {
    // Prepare
    const { client } = clientFor(sandbox);
    // Act
    const first = await client.listFiles({ limit: 5, sortBy: 'NAME' });
    const second = first.nextLink === undefined ? undefined : await client.listFiles({ next: first.nextLink });
    await client.close();
    // Assess
    expect(first.nextLink).toMatch(/^\/v2\/library\/files\?next=/);
    expect(first.nextLink).not.toContain('api_key');
    expect(first.results.map((f) => f.name)).toEqual([
      'page-00.png',
      'page-01.png',
      'page-02.png',
      'page-03.png',
      'page-04.png',
    ]);
    expect(second?.results.map((f) => f.name)).toEqual([
      'page-05.png',
      'page-06.png',
      'page-07.png',
      'page-08.png',
      'page-09.png',
    ]);
  });
});

describe('listFolders', () => {
  it('reads every page of the folder tree (more than one page of top-level folders)', async () => {
    // Prepare
    const { client, reports } = clientFor(sandbox);
    // Act
    const folders = await client.listFolders();
    await client.close();
    // Assess
    expect(reports.length).toBeGreaterThan(1);
    expect(reports.every((r) => r.status === 200)).toBe(true);
    expect(folders).toHaveLength(TOP_LEVEL_FOLDERS);
    expect(new Set(folders.map((f) => f.id)).size).toBe(TOP_LEVEL_FOLDERS);
    expect(folders.find((f) => f.id === '-2')?.children.map((c) => c.id)).toEqual(['-3']);
  });
});
