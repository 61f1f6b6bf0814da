import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../infra/local/sandbox/index.ts';
import { call, errorKeys, pdfBytes, pngBytes, startTestSandbox, statusOf, uploadOk } from './helpers.ts';

interface ListBody {
  meta: { pagination: { next_link?: string } };
  results: { id: string; name: string; status: string; folder_id: string | null }[];
}

describe('file records, lists and the Trash', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startTestSandbox({ processing: { processingMs: 0, uploadedMs: 0 } });
  });
  beforeEach(() => sandbox.reset());
  afterAll(async () => sandbox.close());

  /** Uploads n files one millisecond apart, so creation order is unambiguous. */
  const uploadMany = async (count: number): Promise<string[]> => {
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      ids.push(await uploadOk(sandbox, pngBytes(), { file_name: `file-${i}.png` }));
      sandbox.advanceClock(1);
    }
    return ids;
  };

  it('returns the full file record with the documented fields', async () => {
    const id = await uploadOk(sandbox, pngBytes(40, 30), { file_name: 'IMG_0341.PNG', description: 'buildings_steel' });

    const result = await call(sandbox, `/library/files/${id}`);

    expect(result.status).toBe(200);
    expect(result.json).toEqual({
      name: 'IMG_0341.PNG',
      id,
      description: 'buildings_steel',
      folder: 'Images',
      folder_id: '-1',
      height: 30,
      width: 40,
      size: pngBytes(40, 30).length,
      url: `${sandbox.origin}/sandbox-files/${id}/IMG_0341.PNG`,
      source: 'MyComputer',
      status: 'Active',
      thumbnail: { url: `${sandbox.origin}/sandbox-files/${id}/IMG_0341.PNG`, height: 150, width: 200 },
      created_date: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}-04:00$/),
      modified_date: expect.any(String),
      is_image: true,
      file_type: 'PNG',
    });
  });

  it('answers 404 for an unknown file id', async () => {
    const result = await call(sandbox, '/library/files/987654');

    expect(result.status).toBe(404);
    expect(errorKeys(result)).toEqual(['http.status.not_found']);
  });

  it('pages with a next_link that carries no api_key, and needs the api_key added back', async () => {
    // Prepare
    const ids = await uploadMany(5);

    // Act
    const first = await call(sandbox, '/library/files', { query: { limit: '2', sort_by: 'CREATED_DATE_DESC' } });
    const firstBody = first.json as ListBody;
    const nextLink = firstBody.meta.pagination.next_link ?? '';
    const withoutKey = await call(sandbox, nextLink, { apiKey: null });
    const second = await call(sandbox, nextLink);
    const secondBody = second.json as ListBody;
    const third = (await call(sandbox, secondBody.meta.pagination.next_link ?? '')).json as ListBody;

    // Assess
    expect(nextLink).toMatch(/^\/v2\/library\/files\?next=[A-Za-z0-9_-]+$/);
    expect(nextLink).not.toContain('api_key');
    expect(withoutKey.status).toBe(401);
    expect(firstBody.results.map((file) => file.id)).toEqual([ids[4], ids[3]]);
    expect(secondBody.results.map((file) => file.id)).toEqual([ids[2], ids[1]]);
    expect(third.results.map((file) => file.id)).toEqual([ids[0]]);
    expect(third.meta.pagination).toEqual({});
  });

  it('sorts by name, size and creation date as asked', async () => {
    await uploadOk(sandbox, pngBytes(), { file_name: 'b.png' });
    sandbox.advanceClock(1);
    await uploadOk(sandbox, pdfBytes(), { file_name: 'a.pdf', file_type: 'PDF' });
    sandbox.advanceClock(1);
    await uploadOk(sandbox, pngBytes(50, 50), { file_name: 'c.png' });

    const names = async (sortBy: string): Promise<string[]> =>
      ((await call(sandbox, '/library/files', { query: { sort_by: sortBy } })).json as ListBody).results.map(
        (file) => file.name,
      );

    expect(await names('NAME')).toEqual(['a.pdf', 'b.png', 'c.png']);
    expect(await names('NAME_DESC')).toEqual(['c.png', 'b.png', 'a.pdf']);
    expect(await names('CREATED_DATE')).toEqual(['b.png', 'a.pdf', 'c.png']);
    expect(await names('CREATED_DATE_DESC')).toEqual(['c.png', 'a.pdf', 'b.png']);
  });

  it('filters by type and source', async () => {
    await uploadOk(sandbox, pngBytes(), { file_name: 'image.png' });
    await uploadOk(sandbox, pdfBytes(), { file_name: 'doc.pdf', file_type: 'PDF', source: 'Mobile' });

    const images = (await call(sandbox, '/library/files', { query: { type: 'IMAGES' } })).json as ListBody;
    const documents = (await call(sandbox, '/library/files', { query: { type: 'DOCUMENTS' } })).json as ListBody;
    const mobile = (await call(sandbox, '/library/files', { query: { source: 'Mobile' } })).json as ListBody;

    expect(images.results.map((file) => file.name)).toEqual(['image.png']);
    expect(documents.results.map((file) => file.name)).toEqual(['doc.pdf']);
    expect(mobile.results.map((file) => file.name)).toEqual(['doc.pdf']);
  });

  it.each([
    ['limit', '0'],
    ['limit', '1001'],
    ['limit', 'ten'],
    ['sort_by', 'COLOUR'],
    ['type', 'VIDEOS'],
    ['next', '!!'],
  ])('refuses %s=%s with 400 query.param.invalid', async (name, value) => {
    const result = await call(sandbox, '/library/files', { query: { [name]: value } });

    expect(result.status).toBe(400);
    expect(errorKeys(result)).toEqual(['query.param.invalid']);
  });

  it('defaults to 50 per page and allows up to 1000', async () => {
    await uploadMany(55);

    const defaultPage = (await call(sandbox, '/library/files')).json as ListBody;
    const bigPage = (await call(sandbox, '/library/files', { query: { limit: '1000' } })).json as ListBody;

    expect(defaultPage.results).toHaveLength(50);
    expect(defaultPage.meta.pagination.next_link).toBeDefined();
    expect(bigPage.results).toHaveLength(55);
    expect(bigPage.meta.pagination).toEqual({});
  });

  it('lists a folder’s files with its own next_link, and root files under folder 0', async () => {
    for (let i = 0; i < 3; i++) await uploadOk(sandbox, pngBytes(), { file_name: `docs-${i}.png`, folder_id: '-2' });
    await uploadOk(sandbox, pngBytes(), { file_name: 'root.png', folder_id: '0' });

    const first = (await call(sandbox, '/library/folders/-2/files', { query: { limit: '2' } })).json as ListBody;
    const second = (await call(sandbox, first.meta.pagination.next_link ?? '')).json as ListBody;
    const root = (await call(sandbox, '/library/folders/0/files')).json as ListBody;
    const unknown = await call(sandbox, '/library/folders/-77/files');

    expect(first.meta.pagination.next_link).toMatch(/^\/v2\/library\/folders\/-2\/files\?next=/);
    expect([...first.results, ...second.results].map((file) => file.name).sort()).toEqual([
      'docs-0.png',
      'docs-1.png',
      'docs-2.png',
    ]);
    expect(root.results).toEqual([expect.objectContaining({ name: 'root.png', folder_id: null })]);
    expect(unknown.status).toBe(404);
  });

  it('moves a deleted file to the Trash: status Deleted, out of the lists, in the Trash list', async () => {
    // Prepare
    const [kept, deleted] = await uploadMany(2);

    // Act
    const result = await call(sandbox, `/library/files/${deleted}`, { method: 'DELETE' });

    // Assess
    expect(result.status).toBe(204);
    expect(await statusOf(sandbox, deleted ?? '')).toBe('Deleted');
    expect(((await call(sandbox, '/library/files')).json as ListBody).results.map((file) => file.id)).toEqual([kept]);
    const trash = (await call(sandbox, '/library/folders/trash/files')).json as ListBody;
    expect(trash.results).toEqual([expect.objectContaining({ id: deleted, status: 'Deleted', type: 'PNG' })]);
  });

  it('forgets trashed files when the Trash is emptied', async () => {
    const [id] = await uploadMany(1);
    await call(sandbox, `/library/files/${id}`, { method: 'DELETE' });

    const emptied = await call(sandbox, '/library/folders/trash/files', { method: 'DELETE' });

    expect(emptied.status).toBe(204);
    expect((await call(sandbox, `/library/files/uploadstatus/${id}`)).json).toEqual([]);
  });

  it('answers 404 when deleting an unknown file', async () => {
    expect((await call(sandbox, '/library/files/31337', { method: 'DELETE' })).status).toBe(404);
  });

  it('updates name, description and folder with PUT, and answers 204 + Location with include_payload=false', async () => {
    const id = await uploadOk(sandbox, pngBytes());

    const updated = await call(sandbox, `/library/files/${id}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'renamed.png', description: 'chocolates', folder_id: '-2' }),
    });
    const quiet = await call(sandbox, `/library/files/${id}`, {
      method: 'PUT',
      query: { include_payload: 'false' },
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ description: 'quiet' }),
    });
    const badFolder = await call(sandbox, `/library/files/${id}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ folder_id: '-404' }),
    });

    expect(updated.status).toBe(200);
    expect(updated.json).toMatchObject({
      name: 'renamed.png',
      description: 'chocolates',
      folder_id: '-2',
      folder: 'Documents',
    });
    expect(quiet.status).toBe(204);
    expect(quiet.headers.location).toBe(`${sandbox.origin}/v2/library/files/${id}`);
    expect(badFolder.status).toBe(400);
  });

  it('keeps the hosted URL when PUT renames or moves a file (the URL is built from the id)', async () => {
    const id = await uploadOk(sandbox, pngBytes(), { file_name: 'poster.png' });
    const before = (await call(sandbox, `/library/files/${id}`)).json as { url: string };

    const renamed = await call(sandbox, `/library/files/${id}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'poster-renamed.png', folder_id: '-2' }),
    });

    expect(renamed.status).toBe(200);
    expect(renamed.json).toMatchObject({ id, name: 'poster-renamed.png', url: before.url });
  });

  it('moves several comma-separated files to the Trash in one DELETE, and refuses the call if one id is unknown', async () => {
    const [first, second, kept] = await uploadMany(3);

    const unknown = await call(sandbox, `/library/files/${kept},31337`, { method: 'DELETE' });
    const both = await call(sandbox, `/library/files/${first},${second}`, { method: 'DELETE' });

    expect(unknown.status).toBe(404);
    expect(both.status).toBe(204);
    const trash = (await call(sandbox, '/library/folders/trash/files')).json as ListBody;
    expect(trash.results.map((file) => file.id).sort()).toEqual([first, second].sort());
    expect(await statusOf(sandbox, kept ?? '')).toBe('Active');
  });

  it('keeps failed and infected files out of the lists but reachable by id', async () => {
    const failed = await uploadOk(sandbox, pngBytes(), { file_name: 'x.pdf', file_type: 'PDF' });

    const list = (await call(sandbox, '/library/files')).json as ListBody;
    const record = await call(sandbox, `/library/files/${failed}`);

    expect(list.results).toEqual([]);
    expect(record.json).toMatchObject({ status: 'Failed' });
  });
});
