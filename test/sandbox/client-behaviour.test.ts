import { connect } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../infra/local/sandbox/index.ts';
import {
  call,
  errorKeys,
  multipart,
  pngBytes,
  startTestSandbox,
  upload,
  uploadParts,
  uploadOk,
  waitFor,
} from './helpers.ts';

describe('clients that misbehave or hurry', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startTestSandbox();
  });
  beforeEach(() => sandbox.reset());
  afterAll(async () => sandbox.close());

  it('stores nothing when the client goes away in the middle of the body, and counts it as aborted', async () => {
    // Prepare: a request that announces more bytes than it sends
    const { body, contentType } = multipart(uploadParts(Buffer.concat([pngBytes(), Buffer.alloc(100_000)])));
    const url = new URL(`${sandbox.baseUrl}/library/files`);
    url.searchParams.set('api_key', sandbox.credentials.apiKey);
    const head =
      `POST ${url.pathname}${url.search} HTTP/1.1\r\nHost: ${url.host}\r\nAccept: application/json\r\n` +
      `Authorization: Bearer ${sandbox.credentials.accessToken}\r\nContent-Type: ${contentType}\r\nContent-Length: ${body.length}\r\n\r\n`;

    // Act
    const socket = connect({ host: '127.0.0.1', port: sandbox.port });
    await new Promise<void>((resolve) => socket.once('connect', resolve));
    socket.write(head);
    socket.write(body.subarray(0, body.length / 2));
    await new Promise((resolve) => setTimeout(resolve, 50));
    socket.destroy();

    // Assess
    await waitFor(() => sandbox.counters().requests.uploadFile?.aborted === 1);
    expect(sandbox.files()).toHaveLength(0);
  });

  it('gives every one of many parallel uploads its own id and file', async () => {
    const ids = await Promise.all(
      Array.from({ length: 20 }, (_, index) => uploadOk(sandbox, pngBytes(), { file_name: `parallel-${index}.png` })),
    );

    expect(new Set(ids).size).toBe(20);
    expect(sandbox.files()).toHaveLength(20);
    expect(sandbox.counters().duplicates.byNameAndSize).toBe(0);
  });

  it('answers a throttled upload with 403 after reading its body, not with a broken connection', async () => {
    sandbox.setLimits({ perSecond: 1 });
    await upload(sandbox, uploadParts(pngBytes()));

    const big = Buffer.concat([pngBytes(), Buffer.alloc(2 * 1024 * 1024)]);
    const throttled = await upload(sandbox, uploadParts(big));
    sandbox.setLimits({ perSecond: 1000 });

    expect(throttled.status).toBe(403);
  });

  it('answers 400 json.payload.malformed to a body cut off inside the data part, and keeps serving', async () => {
    // Prepare: a complete HTTP request whose multipart body stops mid-file (no closing boundary)
    const { body, contentType } = multipart(uploadParts(Buffer.concat([pngBytes(), Buffer.alloc(50_000, 3)])));
    const truncated = body.subarray(0, body.length - 20_000);

    // Act
    const result = await call(sandbox, '/library/files', {
      method: 'POST',
      body: truncated,
      headers: { 'content-type': contentType },
    });
    const next = await upload(sandbox, uploadParts(pngBytes()));

    // Assess
    expect(result.status).toBe(400);
    expect(errorKeys(result)).toEqual(['json.payload.malformed']);
    expect(next.status).toBe(202);
    expect(sandbox.files()).toHaveLength(1);
  });
});
