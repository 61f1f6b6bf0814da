import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../infra/local/sandbox/index.ts';
import { call, errorKeys, pngBytes, startTestSandbox, upload, uploadParts, type CallResult } from './helpers.ts';

describe('POST /library/files', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startTestSandbox({ limits: { maxUploadSize: 1000 } });
  });
  beforeEach(() => {
    sandbox.reset();
    sandbox.setQuirks({ rootOnlyWithoutFolders: false });
  });
  afterAll(async () => sandbox.close());

  const expectRejected = (result: CallResult, errorKey: string): void => {
    expect(result.status).toBe(400);
    expect(result.json).toEqual(expect.arrayContaining([{ error_key: errorKey, error_message: expect.any(String) }]));
    expect(sandbox.files()).toHaveLength(0);
  };

  it('answers 202 Accepted with a Location whose last segment is the new file id, and an empty body', async () => {
    // Act
    const result = await upload(sandbox, uploadParts(pngBytes()));

    // Assess
    expect(result.status).toBe(202);
    expect(result.text).toBe('');
    const location = String(result.headers.location);
    expect(location).toMatch(new RegExp(`^${sandbox.origin}/v2/library/files/\\d+$`));
    const id = location.split('/').pop();
    expect(sandbox.files()).toEqual([
      expect.objectContaining({ id, name: 'photo.png', folderId: '-1', fileType: 'PNG', size: pngBytes().length }),
    ]);
    expect(sandbox.counters().uploads).toEqual({ accepted: 1, rejected: 0, bytes: pngBytes().length });
  });

  it('stores files at the root with folder_id 0', async () => {
    const result = await upload(sandbox, uploadParts(pngBytes(), { folder_id: '0' }));

    expect(result.status).toBe(202);
    expect(sandbox.files()[0]?.folderId).toBeUndefined();
  });

  it('refuses folder_id 0 when the account has folders, under the strict-root quirk', async () => {
    sandbox.setQuirks({ rootOnlyWithoutFolders: true });

    const result = await upload(sandbox, uploadParts(pngBytes(), { folder_id: '0' }));

    expectRejected(result, 'json.field.invalid');
  });

  it('refuses an unknown folder', async () => {
    expectRejected(await upload(sandbox, uploadParts(pngBytes(), { folder_id: '-999' })), 'json.field.invalid');
  });

  it('refuses `folderId` instead of `folder_id`, naming both problems', async () => {
    // Prepare: the SDK bug
    const parts = uploadParts(pngBytes(), {}, { omit: ['folder_id'], extra: [{ name: 'folderId', value: '-1' }] });

    // Act
    const result = await upload(sandbox, parts);

    // Assess
    expectRejected(result, 'json.field.unknown');
    expect(errorKeys(result)).toContain('json.field.required');
    expect(result.text).toContain('folderId');
    expect(result.text).toContain('folder_id');
  });

  it('refuses a missing or unsupported file_type', async () => {
    expectRejected(await upload(sandbox, uploadParts(pngBytes(), {}, { omit: ['file_type'] })), 'json.field.required');
    expectRejected(await upload(sandbox, uploadParts(pngBytes(), { file_type: 'TIFF' })), 'json.field.invalid');
    expectRejected(await upload(sandbox, uploadParts(pngBytes(), { file_type: 'png' })), 'json.field.invalid');
  });

  it('refuses an unknown source but accepts the documented ones whatever their case', async () => {
    expectRejected(await upload(sandbox, uploadParts(pngBytes(), { source: 'Dropbox' })), 'json.field.invalid');

    const shouted = await upload(sandbox, uploadParts(pngBytes(), { source: 'MYCOMPUTER' }));

    expect(shouted.status).toBe(202);
    expect(sandbox.files()[0]?.source).toBe('MyComputer');
  });

  it('refuses a description over 100 characters and accepts exactly 100', async () => {
    expectRejected(
      await upload(sandbox, uploadParts(pngBytes(), { description: 'd'.repeat(101) })),
      'json.max.length.violation',
    );

    expect((await upload(sandbox, uploadParts(pngBytes(), { description: 'd'.repeat(100) }))).status).toBe(202);
  });

  it('refuses a name over 80 characters and a missing name', async () => {
    expectRejected(
      await upload(sandbox, uploadParts(pngBytes(), { file_name: `${'n'.repeat(77)}.png` })),
      'json.max.length.violation',
    );
    expectRejected(await upload(sandbox, uploadParts(pngBytes(), {}, { omit: ['file_name'] })), 'json.field.required');
  });

  it('refuses a request without data, or with empty data', async () => {
    expectRejected(await upload(sandbox, uploadParts(pngBytes(), {}, { omit: ['data'] })), 'json.field.required');
    expectRejected(await upload(sandbox, uploadParts(Buffer.alloc(0))), 'json.field.invalid');
  });

  it('refuses a file over maxUploadSize after reading the whole body, and accepts exactly the limit', async () => {
    // Prepare: a PNG header padded to the limit and one byte over it
    const atLimit = Buffer.concat([pngBytes(), Buffer.alloc(1000 - pngBytes().length)]);
    const overLimit = Buffer.concat([atLimit, Buffer.from([0])]);

    // Act
    const over = await upload(sandbox, uploadParts(overLimit));
    const at = await upload(sandbox, uploadParts(atLimit));

    // Assess
    expect(over.status).toBe(400);
    expect(errorKeys(over)).toEqual(['file.size.exceeded']);
    expect(at.status).toBe(202);
    expect(sandbox.counters().uploads).toEqual({ accepted: 1, rejected: 1, bytes: 1000 });
  });

  it('answers 415 to a body that is not multipart/form-data', async () => {
    const result = await call(sandbox, '/library/files', {
      method: 'POST',
      body: JSON.stringify({ file_name: 'a.png' }),
      headers: { 'content-type': 'application/json' },
    });

    expect(result.status).toBe(415);
    expect(errorKeys(result)).toEqual(['http.status.unsupported_media_type']);
  });

  it('answers 400 to a malformed multipart body', async () => {
    const result = await call(sandbox, '/library/files', {
      method: 'POST',
      body: '--b\r\nthis is not a part header\r\n\r\nx\r\n--b--\r\n',
      headers: { 'content-type': 'multipart/form-data; boundary=b' },
    });

    expect(result.status).toBe(400);
  });

  it('counts an upload whose name and size match a stored file as a duplicate', async () => {
    await upload(sandbox, uploadParts(pngBytes()));
    await upload(sandbox, uploadParts(pngBytes()));

    const { duplicates } = sandbox.counters();

    expect(duplicates.byNameAndSize).toBe(1);
    expect(duplicates.groups).toEqual([{ name: 'photo.png', size: pngBytes().length, ids: expect.any(Array) }]);
  });
});
