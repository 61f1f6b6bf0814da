import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../infra/local/sandbox/index.ts';
import {
  call,
  errorKeys,
  pdfBytes,
  pngBytes,
  startTestSandbox,
  upload,
  uploadOk,
  uploadParts,
  type CallResult,
} from './helpers.ts';

interface FolderBody {
  id: string;
  name: string;
  level: number;
  parent_id: string;
  item_count: number;
  children: FolderBody[];
}

describe('folders', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startTestSandbox();
  });
  beforeEach(() => {
    sandbox.reset();
    sandbox.setQuirks({ topLevelParentId: '', allowDuplicateFolderNames: false });
  });
  afterAll(async () => sandbox.close());

  const createFolder = (body: unknown): Promise<CallResult> =>
    call(sandbox, '/library/folders', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  it('returns the default tree with string (negative) ids, nested children and item counts', async () => {
    await uploadOk(sandbox, pdfBytes(), { file_name: 'study.pdf', file_type: 'PDF', folder_id: '-3' });

    const result = await call(sandbox, '/library/folders');

    expect(result.status).toBe(200);
    expect(result.json).toMatchObject({
      meta: { pagination: {} },
      results: [
        { id: '-1', name: 'Images', level: 1, parent_id: '', children: [], item_count: 0 },
        {
          id: '-2',
          name: 'Documents',
          level: 1,
          parent_id: '',
          children: [{ id: '-3', name: 'market_studies', level: 2, parent_id: '-2', item_count: 1 }],
        },
      ],
    });
  });

  it('creates a folder and answers 201 with it; it then appears in the tree', async () => {
    const created = await createFolder({ name: 'campaigns', parent_id: '-1' });

    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ name: 'campaigns', parent_id: '-1', level: 2, children: [], item_count: 0 });
    const id = (created.json as FolderBody).id;
    const tree = (await call(sandbox, '/library/folders')).json as { results: FolderBody[] };
    expect(tree.results[0]?.children.map((child) => child.id)).toEqual([id]);
    await uploadOk(sandbox, pngBytes(), { folder_id: id });
    expect(sandbox.files()[0]?.folderId).toBe(id);
  });

  it('creates top-level folders with parent_id absent, "" or "0", and reports "0" under that quirk', async () => {
    sandbox.setQuirks({ topLevelParentId: '0' });

    const created = [
      await createFolder({ name: 'one' }),
      await createFolder({ name: 'two', parent_id: '' }),
      await createFolder({ name: 'three', parent_id: '0' }),
    ];

    expect(created.map((result) => result.status)).toEqual([201, 201, 201]);
    expect(created.map((result) => (result.json as FolderBody).parent_id)).toEqual(['0', '0', '0']);
  });

  it('refuses a fourth level with 400 folder.depth.exceeded', async () => {
    // Prepare: -2 (level 1) > -3 (level 2) > grandchild (level 3)
    const grandchild = await createFolder({ name: 'q1', parent_id: '-3' });
    expect(grandchild.json).toMatchObject({ level: 3 });

    // Act
    const tooDeep = await createFolder({ name: 'week1', parent_id: (grandchild.json as FolderBody).id });

    // Assess
    expect(tooDeep.status).toBe(400);
    expect(errorKeys(tooDeep)).toEqual(['folder.depth.exceeded']);
  });

  it('refuses a name over 80 characters, a missing name, an unknown parent and a duplicate name', async () => {
    expect(errorKeys(await createFolder({ name: 'f'.repeat(81) }))).toEqual(['json.max.length.violation']);
    expect(errorKeys(await createFolder({ parent_id: '-1' }))).toEqual(['json.field.required']);
    expect(errorKeys(await createFolder({ name: 'orphan', parent_id: '-500' }))).toEqual(['json.field.invalid']);
    expect(errorKeys(await createFolder({ name: 'images' }))).toEqual(['folder.name.duplicate']);
    expect((await createFolder({ name: 'f'.repeat(80) })).status).toBe(201);
  });

  it('answers 400 to malformed JSON and 415 to a non-JSON body', async () => {
    const malformed = await call(sandbox, '/library/folders', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{name:',
    });
    const form = await call(sandbox, '/library/folders', {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'name=x',
    });

    expect(malformed.status).toBe(400);
    expect(errorKeys(malformed)).toEqual(['json.payload.malformed']);
    expect(form.status).toBe(415);
  });

  it('pages top-level folders with a next_link without api_key', async () => {
    const first = (await call(sandbox, '/library/folders', { query: { limit: '1' } })).json as {
      meta: { pagination: { next_link?: string } };
      results: FolderBody[];
    };
    const nextLink = first.meta.pagination.next_link ?? '';
    const second = (await call(sandbox, nextLink)).json as { meta: { pagination: object }; results: FolderBody[] };

    expect(nextLink).toMatch(/^\/v2\/library\/folders\?next=/);
    expect(first.results.map((folder) => folder.name)).toEqual(['Images']);
    expect(second.results.map((folder) => folder.name)).toEqual(['Documents']);
    expect(second.meta.pagination).toEqual({});
  });

  it('gets one folder by id, and 404 for an unknown one', async () => {
    expect((await call(sandbox, '/library/folders/-3')).json).toMatchObject({ id: '-3', name: 'market_studies' });
    expect((await call(sandbox, '/library/folders/-33')).status).toBe(404);
  });

  it('starts with an empty tree when folders: [] is given', async () => {
    const empty = await startTestSandbox({ folders: [] });
    try {
      expect((await call(empty, '/library/folders')).json).toEqual({ meta: { pagination: {} }, results: [] });
    } finally {
      await empty.close();
    }
  });
});

describe('GET /library/info', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startTestSandbox({ limits: { maxUploadSize: 123_456, maxTotalBytes: 10_000 } });
  });
  beforeEach(() => {
    sandbox.reset();
    sandbox.setQuirks({ infoAsArray: false });
  });
  afterAll(async () => sandbox.close());

  it('reports the upload limit and a usage summary computed from stored files', async () => {
    // Prepare
    await uploadOk(sandbox, pngBytes(), { file_name: 'a.png' });
    await uploadOk(sandbox, pdfBytes(), { file_name: 'b.pdf', file_type: 'PDF' });
    const used = pngBytes().length + pdfBytes().length;

    // Act
    const result = await call(sandbox, '/library/info');

    // Assess
    expect(result.json).toEqual({
      max_free_file_num: 0,
      max_premium_space_limit: 10_000,
      image_root: expect.any(String),
      usage_summary: {
        folder_count: 3,
        file_count: 2,
        image_count: 1,
        document_count: 1,
        total_bytes_used: used,
        total_bytes_remaining: 10_000 - used,
        free_files_remaining: 0,
      },
      max_upload_size_limit: 123_456,
    });
  });

  it('wraps the object in a one-element array under the SDK-fixture quirk', async () => {
    sandbox.setQuirks({ infoAsArray: true });

    const result = await call(sandbox, '/library/info');

    expect(result.json).toEqual([expect.objectContaining({ max_upload_size_limit: 123_456 })]);
  });

  it('refuses an upload that would exceed the account storage', async () => {
    const big = Buffer.concat([pngBytes(), Buffer.alloc(9_000)]);
    await uploadOk(sandbox, big);

    const { status, json } = await call(sandbox, '/library/info');
    const second = await upload(sandbox, uploadParts(big));

    expect(status).toBe(200);
    expect((json as { usage_summary: { total_bytes_used: number } }).usage_summary.total_bytes_used).toBe(big.length);
    expect(second.status).toBe(400);
    expect(errorKeys(second)).toEqual(['file.storage.exceeded']);
  });
});
