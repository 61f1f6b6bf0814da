/**
 * The upload against a scripted server: the multipart body as a server parses it, the Content-Length,
 * the 202 + Location contract, the 401 without replay, streams that end short or fail, and what
 * `mayHaveReachedServer` says when the connection fails at each stage.
 */
import { createHash } from 'node:crypto';
import { createServer } from 'node:net';
import { PassThrough, Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { UploadFileInput } from '../../../shared/library/index.ts';
import {
  LibraryNetworkError,
  LibraryProtocolError,
  LibrarySourceError,
  LibraryTimeoutError,
  LibraryUnauthorizedError,
  LibraryValidationError,
  createLibraryClient,
  uploadCertainlyNotStored,
} from '../../../shared/library/index.ts';
import { parseMultipart } from './support/multipart.ts';
import { STUB_CREDENTIALS, startStubServer, stubClient } from './support/stub-server.ts';
import type { StubServer } from './support/stub-server.ts';
import { chunkedStream, everyByteValue, failingStream } from '../../support/streams.ts';

let stub: StubServer;
beforeEach(async () => {
  stub = await startStubServer();
});
afterEach(async () => {
  await stub.close();
});

function uploadInput(data: Buffer, overrides: Partial<UploadFileInput> = {}): UploadFileInput {
  return {
    fileName: 'photo.png',
    folderId: '-1',
    description: 'A photo',
    fileType: 'PNG',
    contentType: 'image/png',
    data: chunkedStream(data),
    size: data.length,
    ...overrides,
  };
}

const accepted = (id: string): { status: number; headers: Record<string, string> } => ({
  status: 202,
  headers: { location: `https://api.d1.constantcontact.com/v2/library/files/${id}` },
});

describe('uploadFile on 202 + Location', () => {
  it('resolves with the last path segment of Location as the file id', async () => {
    // Prepare
    const { client } = stubClient(stub);
    stub.replies.push(accepted('123456789'));
    // Act
    const result = await client.uploadFile(uploadInput(Buffer.from('png bytes')));
    await client.close();
    // Assess
    expect(result).toEqual({
      fileId: '123456789',
      location: 'https://api.d1.constantcontact.com/v2/library/files/123456789',
    });
  });

  it('sends the documented parts in order, data with filename and the real content type, byte-exact', async () => {
    // Prepare
    const { client } = stubClient(stub);
    const bytes = everyByteValue(256 * 300 + 17);
    stub.replies.push(accepted('1'));
    // Act
    await client.uploadFile(uploadInput(bytes, { description: 'Déjà vu "quoted"', fileName: 'été "best".png' }));
    await client.close();
    // Assess
    const request = stub.requests[0];
    if (!request) throw new Error('no request');
    const parsed = await parseMultipart(String(request.headers['content-type']), request.body);
    expect(request.path).toBe('/v2/library/files');
    expect(request.query.get('api_key')).toBe(STUB_CREDENTIALS.apiKey);
    expect(String(request.headers['content-type'])).toMatch(/^multipart\/form-data; boundary=/);
    expect(parsed.order).toEqual(['file_name', 'folder_id', 'description', 'source', 'file_type', 'data']);
    expect(parsed.fields).toEqual({
      file_name: 'été "best".png',
      folder_id: '-1',
      description: 'Déjà vu "quoted"',
      source: 'MyComputer',
      file_type: 'PNG',
    });
    expect(parsed.files).toHaveLength(1);
    expect(parsed.files[0]?.filename).toBe('été %22best%22.png');
    expect(parsed.files[0]?.mimeType).toBe('image/png');
    expect(
      createHash('sha256')
        .update(parsed.files[0]?.data ?? Buffer.alloc(0))
        .digest('hex'),
    ).toBe(createHash('sha256').update(bytes).digest('hex'));
  });

  it('declares a Content-Length equal to the bytes actually sent', async () => {
    // Prepare
    const { client } = stubClient(stub);
    stub.replies.push(accepted('1'));
    // Act
    await client.uploadFile(uploadInput(everyByteValue(100_000)));
    await client.close();
    // Assess
    const request = stub.requests[0];
    expect(request?.headers['transfer-encoding']).toBeUndefined();
    expect(Number(request?.headers['content-length'])).toBe(request?.body.length);
  });

  it('sends the given source instead of MyComputer', async () => {
    // Prepare
    const { client } = stubClient(stub);
    stub.replies.push(accepted('1'));
    // Act
    await client.uploadFile(uploadInput(Buffer.from('x'), { source: 'Mobile' }));
    await client.close();
    // Assess
    const request = stub.requests[0];
    const parsed = await parseMultipart(String(request?.headers['content-type']), request?.body ?? Buffer.alloc(0));
    expect(parsed.fields.source).toBe('Mobile');
  });

  it('uploads an empty file with an empty data part', async () => {
    // Prepare
    const { client } = stubClient(stub);
    stub.replies.push(accepted('2'));
    // Act
    const result = await client.uploadFile(uploadInput(Buffer.alloc(0)));
    await client.close();
    // Assess
    const request = stub.requests[0];
    const parsed = await parseMultipart(String(request?.headers['content-type']), request?.body ?? Buffer.alloc(0));
    expect(result.fileId).toBe('2');
    expect(parsed.files[0]?.data.length).toBe(0);
  });
});

describe('uploadFile answers outside the contract', () => {
  it('rejects a 201 with Location as a protocol error', async () => {
    const { client } = stubClient(stub);
    stub.replies.push({ status: 201, headers: { location: '/v2/library/files/5' } });
    await expect(client.uploadFile(uploadInput(Buffer.from('x')))).rejects.toBeInstanceOf(LibraryProtocolError);
    await client.close();
  });

  it('rejects a 200 as a protocol error', async () => {
    const { client } = stubClient(stub);
    stub.replies.push({ status: 200, body: { id: '5' } });
    await expect(client.uploadFile(uploadInput(Buffer.from('x')))).rejects.toBeInstanceOf(LibraryProtocolError);
    await client.close();
  });

  it('rejects a 202 without Location as a protocol error', async () => {
    // Prepare
    const { client } = stubClient(stub);
    stub.replies.push({ status: 202, headers: { id: '5' } });
    // Act
    const outcome = client.uploadFile(uploadInput(Buffer.from('x')));
    // Assess
    await expect(outcome).rejects.toBeInstanceOf(LibraryProtocolError);
    await expect(outcome).rejects.toMatchObject({ status: 202, mayHaveReachedServer: true });
    await client.close();
  });

  it('rejects a 202 whose Location holds no id as a protocol error', async () => {
    const { client } = stubClient(stub);
    stub.replies.push({ status: 202, headers: { location: 'https://api.constantcontact.com/v2/library/files/' } });
    await expect(client.uploadFile(uploadInput(Buffer.from('x')))).rejects.toBeInstanceOf(LibraryProtocolError);
    await client.close();
  });

  it('maps a 400 to a validation error with the API entries', async () => {
    // Prepare
    const { client } = stubClient(stub);
    stub.replies.push({
      status: 400,
      body: [{ error_key: 'json.field.invalid', error_message: 'folder_id -7 does not match any folder.' }],
    });
    // Act
    const outcome = client.uploadFile(uploadInput(Buffer.from('x')));
    // Assess
    await expect(outcome).rejects.toBeInstanceOf(LibraryValidationError);
    await expect(outcome).rejects.toMatchObject({ errorKey: 'json.field.invalid' });
    await client.close();
  });
});

describe('uploadFile on 401', () => {
  it('refreshes the credentials but does not replay the spent stream', async () => {
    // Prepare
    const { client, providerCalls } = stubClient(stub);
    stub.fallback = { status: 401, body: [{ error_key: 'http.status.unauthorized', error_message: 'revoked' }] };
    // Act
    const outcome = client.uploadFile(uploadInput(Buffer.from('x')));
    // Assess
    await expect(outcome).rejects.toBeInstanceOf(LibraryUnauthorizedError);
    await client.close();
    expect(stub.requests).toHaveLength(1);
    expect(providerCalls).toEqual([undefined, { forceRefresh: true }]);
  });
});

describe('uploadFile with a faulty source stream', () => {
  it('fails fast with LibrarySourceError when the stream ends short of size (no hang)', async () => {
    // Prepare
    const { client } = stubClient(stub, { timeouts: { headersMs: 30_000, bodyMs: 30_000 } });
    stub.fallback = accepted('1');
    // Act
    const outcome = client.uploadFile(uploadInput(Buffer.alloc(1000), { size: 5000 }));
    // Assess
    await expect(outcome).rejects.toBeInstanceOf(LibrarySourceError);
    await expect(outcome).rejects.toMatchObject({ mayHaveReachedServer: false, retryable: true });
    await expect(outcome).rejects.toThrow(/1000 of the declared 5000 bytes/);
    await client.close();
  });

  it('fails with LibrarySourceError when the stream runs past size', async () => {
    const { client } = stubClient(stub);
    stub.fallback = accepted('1');
    const outcome = client.uploadFile(uploadInput(Buffer.alloc(5000), { size: 1000 }));
    await expect(outcome).rejects.toBeInstanceOf(LibrarySourceError);
    await client.close();
  });

  it('fails with LibrarySourceError when the stream errors mid-way, and destroys it', async () => {
    // Prepare
    const { client } = stubClient(stub);
    stub.fallback = accepted('1');
    const data = failingStream(4096, new Error('S3 socket reset'));
    // Act
    const outcome = client.uploadFile(uploadInput(Buffer.alloc(0), { data, size: 100_000 }));
    // Assess
    await expect(outcome).rejects.toBeInstanceOf(LibrarySourceError);
    await expect(outcome).rejects.toThrow(/S3 socket reset/);
    await client.close();
    expect(data.destroyed).toBe(true);
  });

  it('fails with LibrarySourceError when a declared-empty stream has bytes, before sending anything', async () => {
    const { client } = stubClient(stub);
    await expect(client.uploadFile(uploadInput(Buffer.from('surprise'), { size: 0 }))).rejects.toBeInstanceOf(
      LibrarySourceError,
    );
    await client.close();
    expect(stub.requests).toHaveLength(0);
  });
});

describe('uploadFile mayHaveReachedServer', () => {
  it('is false when the connection is refused', async () => {
    // Prepare: a port that was free a moment ago.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const address = probe.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const client = createLibraryClient({
      baseUrl: `http://127.0.0.1:${port}/v2`,
      credentials: async () => STUB_CREDENTIALS,
    });
    const data = chunkedStream(Buffer.alloc(10));
    // Act
    const outcome = client.uploadFile(uploadInput(Buffer.alloc(10), { data }));
    // Assess
    await expect(outcome).rejects.toBeInstanceOf(LibraryNetworkError);
    await expect(outcome).rejects.toMatchObject({ mayHaveReachedServer: false, retryable: true });
    await client.close();
    expect(data.destroyed).toBe(true);
  });

  it('is true when the server resets the connection after reading the whole body', async () => {
    const { client } = stubClient(stub);
    stub.replies.push({ destroy: 'after-body' });
    const outcome = client.uploadFile(uploadInput(everyByteValue(50_000)));
    await expect(outcome).rejects.toBeInstanceOf(LibraryNetworkError);
    await expect(outcome).rejects.toMatchObject({ mayHaveReachedServer: true });
    await client.close();
  });

  it('is true when no answer comes after the whole body was sent (headers timeout)', async () => {
    // Prepare
    const { client } = stubClient(stub, { timeouts: { headersMs: 300 } });
    stub.replies.push({ hang: true });
    // Act
    const outcome = client.uploadFile(uploadInput(everyByteValue(50_000)));
    // Assess
    await expect(outcome).rejects.toBeInstanceOf(LibraryTimeoutError);
    await expect(outcome).rejects.toMatchObject({ mayHaveReachedServer: true, retryable: true });
    await client.close();
  });

  it('is true when the connection breaks while the body is still being sent', async () => {
    // Prepare: a body that never finishes, and a server that resets once it has the headers.
    const { client } = stubClient(stub);
    stub.replies.push({ destroy: 'before-body' });
    const data = new PassThrough();
    data.write(Buffer.alloc(64 * 1024, 1));
    // Act
    const outcome = client.uploadFile(uploadInput(Buffer.alloc(0), { data, size: 10_000_000 }));
    // Assess
    await expect(outcome).rejects.toBeInstanceOf(LibraryNetworkError);
    await expect(outcome).rejects.toMatchObject({ mayHaveReachedServer: true });
    await client.close();
    expect(data.destroyed).toBe(true);
  });
});

describe('uploadCertainlyNotStored (may the caller post again without searching first?)', () => {
  const failureOf = (outcome: Promise<unknown>): Promise<unknown> =>
    outcome.then(
      () => undefined,
      (error: unknown) => error,
    );

  it('says yes when the upload failed before sending: the rate-limit hook refused a slot', async () => {
    const { client } = stubClient(stub, {
      beforeRequest: async () => {
        throw new Error('no slot within 10 s');
      },
    });
    const error = await failureOf(client.uploadFile(uploadInput(Buffer.from('x'))));
    await client.close();
    expect(stub.requests).toHaveLength(0);
    expect(uploadCertainlyNotStored(error)).toBe(true);
  });

  it('says yes when the API refused the upload with a 4xx (401, 403 throttle)', async () => {
    const { client } = stubClient(stub);
    stub.replies.push({ status: 401, body: [{ error_key: 'http.status.unauthorized', error_message: 'revoked' }] });
    stub.replies.push({
      status: 403,
      body: [{ error_key: 'mashery.not.authorized.over.qps', error_message: 'Account Over Queries Per Second Limit' }],
    });
    const unauthorized = await failureOf(client.uploadFile(uploadInput(Buffer.from('x'))));
    const throttled = await failureOf(client.uploadFile(uploadInput(Buffer.from('x'))));
    await client.close();
    expect(unauthorized).toBeInstanceOf(LibraryUnauthorizedError);
    expect(uploadCertainlyNotStored(unauthorized)).toBe(true);
    expect(uploadCertainlyNotStored(throttled)).toBe(true);
  });

  it('says no when the file may exist: a 5xx, or a reset after the whole body was sent', async () => {
    const { client } = stubClient(stub, { readRetries: 0 });
    stub.replies.push({
      status: 500,
      body: [{ error_key: 'http.status.internal_server_error', error_message: 'Internal server error occurred.' }],
    });
    stub.replies.push({ destroy: 'after-body' });
    const serverError = await failureOf(client.uploadFile(uploadInput(Buffer.from('x'))));
    const reset = await failureOf(client.uploadFile(uploadInput(everyByteValue(50_000))));
    await client.close();
    expect(uploadCertainlyNotStored(serverError)).toBe(false);
    expect(reset).toBeInstanceOf(LibraryNetworkError);
    expect(uploadCertainlyNotStored(reset)).toBe(false);
  });

  it('says no for an error that did not come out of the client', () => {
    expect(uploadCertainlyNotStored(new Error('no slot within 10 s'))).toBe(false);
    expect(uploadCertainlyNotStored(undefined)).toBe(false);
  });
});

describe('uploadFile never leaks the credentials', () => {
  it('keeps the api_key and token out of every error it can produce', async () => {
    // Prepare
    const { client } = stubClient(stub, { timeouts: { headersMs: 200 } });
    stub.replies.push(
      {
        status: 400,
        body: [
          {
            error_key: 'json.field.invalid',
            error_message: `echo ${STUB_CREDENTIALS.apiKey} ${STUB_CREDENTIALS.accessToken}`,
          },
        ],
      },
      { status: 401 },
      { status: 403, body: [{ error_key: 'mashery.not.authorized.over.qps', error_message: 'qps' }] },
      { status: 500, raw: `oops api_key=${STUB_CREDENTIALS.apiKey}` },
      { destroy: 'after-body' },
      { hang: true },
      { status: 202 },
    );
    // Act
    const errors: unknown[] = [];
    for (let i = 0; i < 7; i++) {
      errors.push(await client.uploadFile(uploadInput(everyByteValue(1000))).catch((error: unknown) => error));
    }
    errors.push(
      await client.uploadFile(uploadInput(everyByteValue(1000), { size: 2000 })).catch((error: unknown) => error),
    );
    await client.close();
    // Assess
    expect(errors.every((e) => e instanceof Error)).toBe(true);
    for (const error of errors as Error[]) {
      const chain: string[] = [];
      for (let current: unknown = error; current instanceof Error; current = current.cause)
        chain.push(current.message, String(current.stack));
      const text = [String(error), JSON.stringify(error), ...chain].join('\n');
      expect(text).not.toContain(STUB_CREDENTIALS.apiKey);
      expect(text).not.toContain(STUB_CREDENTIALS.accessToken);
    }
  });
});

describe('uploadFile with a Readable from an async generator', () => {
  it('streams it without knowing anything but its size', async () => {
    // Prepare
    const { client } = stubClient(stub);
    stub.replies.push(accepted('3'));
    const data = Readable.from(
      (async function* () {
        for (let i = 0; i < 10; i++) yield everyByteValue(1000);
      })(),
    );
    // Act
    const result = await client.uploadFile(uploadInput(Buffer.alloc(0), { data, size: 10_000 }));
    await client.close();
    // Assess
    const request = stub.requests[0];
    const parsed = await parseMultipart(String(request?.headers['content-type']), request?.body ?? Buffer.alloc(0));
    expect(result.fileId).toBe('3');
    expect(parsed.files[0]?.data.length).toBe(10_000);
  });
});
