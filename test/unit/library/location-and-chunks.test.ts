import { describe, expect, it } from 'vitest';
import { chunkStatusIds, fileIdFromLocation } from '../../../shared/library/client.ts';

describe('fileIdFromLocation', () => {
  it('takes the last path segment of the URL the SDK tests use', () => {
    expect(fileIdFromLocation('https://api.d1.constantcontact.com/v2/library/files/123456789')).toBe('123456789');
  });

  it('ignores a query, a fragment and trailing slashes', () => {
    expect(fileIdFromLocation('https://api.constantcontact.com/v2/library/files/77/?api_key=x#top')).toBe('77');
    expect(fileIdFromLocation('/v2/library/files/uploadstatus/88')).toBe('88');
  });

  it('accepts a relative path and decodes an escaped id', () => {
    expect(fileIdFromLocation('library/files/a%2Db')).toBe('a-b');
  });

  it('finds no id in an empty header, a bare host or a collection path', () => {
    expect(fileIdFromLocation(undefined)).toBeUndefined();
    expect(fileIdFromLocation('')).toBeUndefined();
    expect(fileIdFromLocation('https://api.constantcontact.com/')).toBeUndefined();
    expect(fileIdFromLocation('https://api.constantcontact.com/v2/library/files/')).toBeUndefined();
  });
});

describe('chunkStatusIds', () => {
  it('groups ids by the configured count', () => {
    // Prepare
    const ids = Array.from({ length: 120 }, (_, i) => String(i + 1));
    // Act
    const chunks = chunkStatusIds(ids, 50);
    // Assess
    expect(chunks.map((c) => c.length)).toEqual([50, 50, 20]);
    expect(chunks.flat()).toEqual(ids);
  });

  it('also caps the length of the ids segment', () => {
    // Prepare
    const ids = Array.from({ length: 10 }, (_, i) => `${i}`.padStart(9, '9'));
    // Act
    const chunks = chunkStatusIds(ids, 50, 30);
    // Assess
    for (const chunk of chunks) expect(chunk.join(',').length).toBeLessThanOrEqual(30);
    expect(chunks.flat()).toEqual(ids);
  });

  it('gives an over-long id a group of its own rather than dropping it', () => {
    expect(chunkStatusIds(['x'.repeat(40), '1'], 50, 30)).toEqual([['x'.repeat(40)], ['1']]);
  });
});
