/**
 * Bad input is refused with LibraryInputError before any request: the scripted server must see nothing.
 */
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LibraryClient, LibraryCredentials, UploadFileInput } from '../../../shared/library/index.ts';
import { LibraryInputError, createLibraryClient } from '../../../shared/library/index.ts';
import { STUB_CREDENTIALS, startStubServer, stubClient } from './support/stub-server.ts';
import type { StubServer } from './support/stub-server.ts';
import { chunkedStream } from '../../support/streams.ts';

let stub: StubServer;
let client: LibraryClient;
beforeEach(async () => {
  stub = await startStubServer();
  stub.fallback = { status: 202, headers: { location: '/v2/library/files/1' } };
  client = stubClient(stub).client;
});
afterEach(async () => {
  await client.close();
  await stub.close();
});

function validUpload(overrides: Partial<UploadFileInput> = {}): UploadFileInput {
  return {
    fileName: 'a.png',
    folderId: '0',
    description: '',
    fileType: 'PNG',
    contentType: 'image/png',
    data: chunkedStream(Buffer.from('x')),
    size: 1,
    ...overrides,
  };
}

async function expectRefusedBeforeSending(action: Promise<unknown>, message?: RegExp): Promise<LibraryInputError> {
  const error = await action.then(
    () => {
      throw new Error('expected a LibraryInputError');
    },
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(LibraryInputError);
  const inputError = error as LibraryInputError;
  expect(inputError.mayHaveReachedServer).toBe(false);
  expect(inputError.retryable).toBe(false);
  if (message) expect(inputError.message).toMatch(message);
  expect(stub.requests).toHaveLength(0);
  return inputError;
}

describe('upload input', () => {
  const cases: [string, Partial<UploadFileInput>, RegExp][] = [
    ['an unsupported file type', { fileType: 'BMP' as UploadFileInput['fileType'] }, /fileType/],
    ['a lower-case file type', { fileType: 'png' as UploadFileInput['fileType'] }, /fileType/],
    ['a missing file name', { fileName: undefined as unknown as string }, /fileName is missing/],
    ['an empty file name', { fileName: '   ' }, /fileName is missing/],
    ['a file name of 81 characters', { fileName: `${'n'.repeat(77)}.png` }, /81 characters/],
    ['a file name with a newline', { fileName: 'a\r\nb.png' }, /control characters/],
    ['a description of 101 characters', { description: 'd'.repeat(101) }, /101 characters/],
    ['a negative size', { size: -1 }, /size/],
    ['a fractional size', { size: 1.5 }, /size/],
    ['a size that is not a number', { size: '1' as unknown as number }, /size/],
    ['an unknown source', { source: 'Dropbox' as UploadFileInput['source'] }, /source/],
    ['a content type that is not a MIME type', { contentType: 'png' }, /contentType/],
    ['a content type with a line break', { contentType: 'image/png\r\nX-Evil: 1' }, /contentType/],
    ['an empty folder id', { folderId: '' }, /folderId/],
    ['data that is not a stream', { data: Buffer.from('x') as unknown as UploadFileInput['data'] }, /readable stream/],
  ];

  it.each(cases)('refuses %s before sending anything', async (_label, overrides, message) => {
    await expectRefusedBeforeSending(client.uploadFile(validUpload(overrides)), message);
  });

  it('accepts exactly 80 characters of name and 100 of description', async () => {
    // Act
    const result = await client.uploadFile(
      validUpload({ fileName: `${'n'.repeat(76)}.png`, description: 'd'.repeat(100) }),
    );
    // Assess
    expect(result.fileId).toBe('1');
  });

  it('refuses a stream that has already been destroyed, and destroys the stream of any refused upload', async () => {
    // Prepare
    const destroyed = new PassThrough();
    destroyed.destroy();
    const fresh = new PassThrough();
    // Act
    await expectRefusedBeforeSending(client.uploadFile(validUpload({ data: destroyed })), /destroyed/);
    await expectRefusedBeforeSending(
      client.uploadFile(validUpload({ data: fresh, fileType: 'TIFF' as UploadFileInput['fileType'] })),
    );
    // Assess
    expect(fresh.destroyed).toBe(true);
  });
});

describe('credentials', () => {
  const badPairs: [string, unknown][] = [
    ['no credentials at all', undefined],
    ['an empty apiKey', { apiKey: '', accessToken: 't' }],
    ['an empty accessToken', { apiKey: 'k', accessToken: '  ' }],
    ['a token with a line break', { apiKey: 'k', accessToken: 'abc\r\ndef' }],
  ];

  it.each(badPairs)('refuses %s before sending anything, without quoting the secret', async (_label, pair) => {
    // Prepare
    const badClient = createLibraryClient({
      baseUrl: stub.baseUrl,
      credentials: async () => pair as LibraryCredentials,
    });
    // Act
    const error = await expectRefusedBeforeSending(badClient.getLibraryInfo(), /credentials|apiKey|accessToken/);
    await badClient.close();
    // Assess
    expect(error.message).not.toContain('abc');
  });

  it('trims whitespace around the secrets (a pasted newline) rather than sending it', async () => {
    // Prepare
    stub.fallback = { status: 200, body: { max_upload_size_limit: 1 } };
    const paddedClient = createLibraryClient({
      baseUrl: stub.baseUrl,
      credentials: async () => ({
        apiKey: ` ${STUB_CREDENTIALS.apiKey}\n`,
        accessToken: `${STUB_CREDENTIALS.accessToken}\n`,
      }),
    });
    // Act
    await paddedClient.getLibraryInfo();
    await paddedClient.close();
    // Assess
    expect(stub.requests[0]?.query.get('api_key')).toBe(STUB_CREDENTIALS.apiKey);
    expect(stub.requests[0]?.headers.authorization).toBe(`Bearer ${STUB_CREDENTIALS.accessToken}`);
  });
});

describe('status ids', () => {
  const badIds: [string, string[]][] = [
    ['an empty id', ['1', '']],
    ['an id with a comma', ['1,2']],
    ['an id with a space', ['1 2']],
    ['an id that is not a string', [3 as unknown as string]],
  ];

  it.each(badIds)('refuses %s before sending anything', async (_label, ids) => {
    await expectRefusedBeforeSending(client.getUploadStatus(ids), /fileIds\[/);
  });
});

describe('list options and ids', () => {
  it.each([0, 1001, 2.5, Number.NaN])('refuses limit %s', async (limit) => {
    await expectRefusedBeforeSending(client.listFiles({ limit }), /limit/);
  });

  it('refuses an unknown sort order, type or source', async () => {
    await expectRefusedBeforeSending(client.listFiles({ sortBy: 'RANDOM' as 'NAME' }), /sortBy/);
    await expectRefusedBeforeSending(client.listFiles({ type: 'VIDEOS' as 'ALL' }), /type/);
    await expectRefusedBeforeSending(client.listFolderFiles('-1', { source: 'Flickr' as 'ALL' }), /source/);
  });

  it('refuses empty file and folder ids', async () => {
    await expectRefusedBeforeSending(client.getFile(''), /fileId/);
    await expectRefusedBeforeSending(client.deleteFile(' '), /fileId/);
    await expectRefusedBeforeSending(client.listFolderFiles(''), /folderId/);
  });

  it('refuses a folder name that is empty or over 80 characters', async () => {
    await expectRefusedBeforeSending(client.createFolder(''), /name is missing/);
    await expectRefusedBeforeSending(client.createFolder('f'.repeat(81)), /81 characters/);
  });

  it('refuses an iteration with a bad limit when it starts', async () => {
    const iterator = client.iterateFiles({ limit: 0 })[Symbol.asyncIterator]();
    await expectRefusedBeforeSending(iterator.next(), /limit/);
  });
});

describe('client options', () => {
  it('refuses a base URL carrying a query, and non-positive sizes or timeouts', () => {
    const credentials = async (): Promise<LibraryCredentials> => STUB_CREDENTIALS;
    expect(() => createLibraryClient({ baseUrl: 'http://127.0.0.1:1/v2?api_key=k', credentials })).toThrow(TypeError);
    expect(() => createLibraryClient({ baseUrl: 'http://127.0.0.1:1/v2', credentials, statusChunkSize: 0 })).toThrow(
      TypeError,
    );
    expect(() =>
      createLibraryClient({ baseUrl: 'http://127.0.0.1:1/v2', credentials, timeouts: { headersMs: -1 } }),
    ).toThrow(TypeError);
  });
});
