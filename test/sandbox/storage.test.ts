import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../infra/local/sandbox/index.ts';
import { call, multipart, pngBytes, sha256, startTestSandbox, upload, uploadOk, uploadParts } from './helpers.ts';

/** Every byte value, twice, behind a PNG signature so the file is accepted as a PNG. */
const ALL_BYTES = Buffer.concat([pngBytes(), Buffer.from(Array.from({ length: 512 }, (_, index) => index % 256))]);

describe('byte-exact storage', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startTestSandbox();
  });
  afterAll(async () => sandbox.close());

  it('stores all 256 byte values exactly, with their sha256 and size', async () => {
    // Act
    const id = await uploadOk(sandbox, ALL_BYTES);

    // Assess
    const view = sandbox.files().find((file) => file.id === id);
    expect(view).toMatchObject({
      size: ALL_BYTES.length,
      sha256: sha256(ALL_BYTES),
      hasBytes: true,
      contentType: 'application/octet-stream',
    });
    expect(sandbox.fileBytes(id)?.equals(ALL_BYTES)).toBe(true);
  });

  it('serves the same bytes at the hosted url and through the admin API', async () => {
    const id = await uploadOk(sandbox, ALL_BYTES, { file_name: 'bytes.png' });
    const record = (await call(sandbox, `/library/files/${id}`)).json as { url: string };

    const hosted = Buffer.from(await (await request(record.url)).body.arrayBuffer());
    const admin = Buffer.from(
      await (await request(`${sandbox.origin}/__sandbox/files/${id}/bytes`)).body.arrayBuffer(),
    );

    expect(hosted.equals(ALL_BYTES)).toBe(true);
    expect(admin.equals(ALL_BYTES)).toBe(true);
  });

  it('keeps the real content type of the data part as sent', async () => {
    const parts = uploadParts(pngBytes(), { file_name: 'typed.png' }).map((part) =>
      part.name === 'data' ? { ...part, contentType: 'image/png' } : part,
    );

    await upload(sandbox, parts);

    expect(sandbox.files().find((file) => file.name === 'typed.png')?.contentType).toBe('image/png');
  });

  it('measures the bytes received, whatever a client claims (junk after the data is stored and counted)', async () => {
    // Prepare: the Java SDK bug, a whole buffer written instead of the bytes read
    const junk = Buffer.concat([pngBytes(), Buffer.alloc(4096 - pngBytes().length, 0xee)]);

    const id = await uploadOk(sandbox, junk, { file_name: 'junk.png' });

    expect(sandbox.files().find((file) => file.id === id)?.size).toBe(4096);
  });

  it('streams a multi-megabyte upload', async () => {
    const big = Buffer.concat([pngBytes(), Buffer.alloc(4 * 1024 * 1024, 7)]);

    const id = await uploadOk(sandbox, big, { file_name: 'big.png' });

    expect(sandbox.files().find((file) => file.id === id)?.sha256).toBe(sha256(big));
  });
});

describe('storage without bytes (keepBytes: false)', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startTestSandbox({ keepBytes: false });
  });
  afterAll(async () => sandbox.close());

  it('keeps size and sha256 but no bytes, and still judges the content', async () => {
    const id = await uploadOk(sandbox, ALL_BYTES);
    const wrongType = await uploadOk(sandbox, ALL_BYTES, { file_name: 'x.gif', file_type: 'GIF' });
    sandbox.advanceClock(1000);

    const files = sandbox.files();

    expect(files.find((file) => file.id === id)).toMatchObject({
      size: ALL_BYTES.length,
      sha256: sha256(ALL_BYTES),
      hasBytes: false,
      status: 'Active',
    });
    expect(files.find((file) => file.id === wrongType)?.status).toBe('Failed');
    expect(sandbox.fileBytes(id)).toBeUndefined();
    expect((await request(`${sandbox.origin}/__sandbox/files/${id}/bytes`)).statusCode).toBe(404);
  });

  it('accepts a data part sent without filename (text content kept as received)', async () => {
    const { body, contentType } = multipart([
      { name: 'file_name', value: 'notes.pdf' },
      { name: 'folder_id', value: '0' },
      { name: 'description', value: '' },
      { name: 'source', value: 'MyComputer' },
      { name: 'file_type', value: 'PDF' },
      { name: 'data', value: '%PDF-1.4 plain text part' },
    ]);

    const result = await call(sandbox, '/library/files', {
      method: 'POST',
      body,
      headers: { 'content-type': contentType },
    });

    expect(result.status).toBe(202);
    expect(sandbox.files().find((file) => file.name === 'notes.pdf')?.size).toBe('%PDF-1.4 plain text part'.length);
  });
});
