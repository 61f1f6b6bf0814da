/**
 * Byte-exact uploads: what the sandbox stored must be exactly what was streamed (one vendor SDK once
 * appended junk by writing whole buffers instead of the bytes read).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../infra/local/sandbox/index.ts';
import { chunkedStream, clientFor, everyByteValue, sha256, startContractSandbox, uploadOf } from './support.ts';

let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await startContractSandbox({
    limits: { maxUploadSize: 32 * 1024 * 1024, maxTotalBytes: 1024 * 1024 * 1024 },
  });
});
afterAll(async () => {
  await sandbox.close();
});

describe('uploaded bytes', () => {
  it('stores every byte value 0..255, repeated, exactly as sent', async () => {
    // Prepare
    const { client } = clientFor(sandbox);
    const bytes = everyByteValue(256 * 1024 + 13);
    // Act
    const { fileId } = await client.uploadFile(
      uploadOf(bytes, { fileName: 'all-bytes.png', data: chunkedStream(bytes, 4093) }),
    );
    await client.close();
    // Assess
    const stored = sandbox.files().find((f) => f.id === fileId);
    expect(stored?.size).toBe(bytes.length);
    expect(stored?.sha256).toBe(sha256(bytes));
    expect(sandbox.fileBytes(fileId)?.equals(bytes)).toBe(true);
  });

  it('stores a 20 MB file streamed in chunks exactly as sent', async () => {
    // Prepare
    const { client } = clientFor(sandbox);
    const bytes = Buffer.alloc(20 * 1024 * 1024);
    for (let i = 0; i < bytes.length; i += 4) bytes.writeUInt32LE((Math.imul(i, 2654435761) ^ i) >>> 0, i);
    // Act
    const { fileId } = await client.uploadFile(
      uploadOf(bytes, { fileName: 'twenty.pdf', fileType: 'PDF', contentType: 'application/pdf' }),
    );
    await client.close();
    // Assess
    const stored = sandbox.files().find((f) => f.id === fileId);
    expect(stored?.size).toBe(20 * 1024 * 1024);
    expect(stored?.sha256).toBe(sha256(bytes));
    expect(stored?.contentType).toBe('application/pdf');
    expect(sandbox.counters().uploads.bytes).toBeGreaterThanOrEqual(20 * 1024 * 1024);
  });

  it('keeps a file name with spaces, accents and quotes intact in file_name', async () => {
    // Prepare
    const { client } = clientFor(sandbox);
    const bytes = everyByteValue(500);
    // Act
    const { fileId } = await client.uploadFile(uploadOf(bytes, { fileName: 'Café "menu" été 2026.png' }));
    const record = await client.getFile(fileId);
    await client.close();
    // Assess
    expect(record.name).toBe('Café "menu" été 2026.png');
    expect(record.size).toBe(500);
  });
});
