import { describe, expect, it } from 'vitest';
import { findUploadedCopy } from '../../../shared/ingest/find-uploaded-copy.ts';
import type { LibraryFile, ListFilesOptions } from '../../../shared/library/types.ts';

const file = (id: string, name: string, size: number, createdDate: string, folderId?: string): LibraryFile => ({
  id,
  name,
  size,
  createdDate,
  ...(folderId ? { folderId } : {}),
});

function pages(...results: LibraryFile[][]) {
  const asked: ListFilesOptions[] = [];
  return {
    asked,
    async listFiles(options: ListFilesOptions = {}) {
      asked.push(options);
      const index = options.next === undefined ? 0 : Number(options.next);
      return { results: results[index] ?? [], ...(index + 1 < results.length ? { nextLink: String(index + 1) } : {}) };
    },
  };
}

const wanted = { objectId: 'o', fileName: 'poster.png', size: 100, folderId: '-5', claimedAt: '2026-03-01T10:00:00Z' };
const unclaimed = async () => false;

describe('findUploadedCopy', () => {
  it('finds the newest file with the same name, size and folder, asking for recent files first', async () => {
    // Prepare
    const library = pages([
      file('3', 'poster.png', 99, '2026-03-01T10:01:00Z'),
      file('2', 'poster.png', 100, '2026-03-01T10:00:30Z', '-5'),
    ]);
    // Act
    const found = await findUploadedCopy(library, unclaimed, wanted);
    // Assess
    expect(found?.id).toBe('2');
    expect(library.asked[0]).toMatchObject({ sortBy: 'CREATED_DATE_DESC' });
  });

  it('skips a match that another record already owns', async () => {
    // Prepare
    const library = pages([
      file('2', 'poster.png', 100, '2026-03-01T10:00:30Z'),
      file('1', 'poster.png', 100, '2026-03-01T10:00:10Z'),
    ]);
    // Act
    const found = await findUploadedCopy(library, async (id) => id === '2', wanted);
    // Assess
    expect(found?.id).toBe('1');
  });

  it('stops paging once files are older than the claim (minus skew)', async () => {
    // Prepare
    const library = pages(
      [file('9', 'other.png', 1, '2026-03-01T09:00:00Z')],
      [file('1', 'poster.png', 100, '2026-03-01T08:00:00Z')],
    );
    // Act
    const found = await findUploadedCopy(library, unclaimed, wanted);
    // Assess
    expect(found).toBeUndefined();
    expect(library.asked).toHaveLength(1);
  });

  it('ignores a file in another folder', async () => {
    const library = pages([file('2', 'poster.png', 100, '2026-03-01T10:00:30Z', '-9')]);
    expect(await findUploadedCopy(library, unclaimed, wanted)).toBeUndefined();
  });
});
