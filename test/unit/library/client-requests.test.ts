/**
 * What the client sends and how it reads the answers, against a scripted server: credentials on every
 * request, the 401 refresh, hooks, status chunking, pagination, and answers the contract forbids.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RequestReport } from '../../../shared/library/index.ts';
import {
  LibraryForbiddenError,
  LibraryNotFoundError,
  LibraryProtocolError,
  LibraryServerError,
  LibraryTimeoutError,
  LibraryUnauthorizedError,
} from '../../../shared/library/index.ts';
import { chunkedStream } from '../../support/streams.ts';
import { STUB_CREDENTIALS, startStubServer, stubClient } from './support/stub-server.ts';
import type { StubServer } from './support/stub-server.ts';

let stub: StubServer;
beforeEach(async () => {
  stub = await startStubServer();
});
afterEach(async () => {
  await stub.close();
});

const fileRecord = (id: string): Record<string, unknown> => ({
  id,
  name: `${id}.png`,
  status: 'Active',
  file_type: 'PNG',
});

describe('every request', () => {
  it('carries api_key in the query, the bearer token and Accept: application/json', async () => {
    // Prepare
    const { client } = stubClient(stub);
    stub.replies.push({ status: 200, body: fileRecord('5') });
    // Act
    await client.getFile('5');
    await client.close();
    // Assess
    const [request] = stub.requests;
    expect(request?.path).toBe('/v2/library/files/5');
    expect(request?.query.get('api_key')).toBe(STUB_CREDENTIALS.apiKey);
    expect(request?.headers.authorization).toBe(`Bearer ${STUB_CREDENTIALS.accessToken}`);
    expect(request?.headers.accept).toBe('application/json');
  });

  it('awaits beforeRequest with the operation before sending, and reports the exchange with a redacted URL', async () => {
    // Prepare
    const order: string[] = [];
    const reports: RequestReport[] = [];
    const { client } = stubClient(stub, {
      beforeRequest: async (operation) => {
        order.push(`before:${operation}:${stub.requests.length}`);
      },
      onRequest: (report) => reports.push(report),
    });
    stub.replies.push({ status: 200, body: { max_upload_size_limit: 10 } });
    // Act
    await client.getLibraryInfo();
    await client.close();
    // Assess
    expect(order).toEqual(['before:getLibraryInfo:0']);
    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatchObject({ operation: 'getLibraryInfo', method: 'GET', status: 200 });
    expect(reports[0]?.url).toBe(`${stub.origin}/v2/library/info?api_key=***`);
    expect(JSON.stringify(reports)).not.toContain(STUB_CREDENTIALS.apiKey);
  });

  it('survives an onRequest hook that throws', async () => {
    // Prepare
    const { client } = stubClient(stub, {
      onRequest: () => {
        throw new Error('metrics down');
      },
    });
    stub.replies.push({ status: 200, body: { max_upload_size_limit: 10 } });
    // Act
    const info = await client.getLibraryInfo();
    await client.close();
    // Assess
    expect(info.maxUploadSizeLimit).toBe(10);
  });

  it('lets a beforeRequest failure through unchanged and sends nothing', async () => {
    // Prepare
    const limiterError = new Error('daily budget spent');
    const { client } = stubClient(stub, {
      beforeRequest: async () => {
        throw limiterError;
      },
    });
    // Act
    const outcome = client.getFile('1');
    // Assess
    await expect(outcome).rejects.toBe(limiterError);
    await client.close();
    expect(stub.requests).toHaveLength(0);
  });
});

describe('a 401', () => {
  it('makes the client ask for fresh credentials once and retry the request once', async () => {
    // Prepare
    const { client, providerCalls } = stubClient(stub);
    stub.replies.push(
      { status: 401, body: [{ error_key: 'http.status.unauthorized', error_message: 'revoked' }] },
      { status: 200, body: fileRecord('7') },
    );
    // Act
    const file = await client.getFile('7');
    await client.close();
    // Assess
    expect(file.id).toBe('7');
    expect(providerCalls).toEqual([undefined, { forceRefresh: true }]);
    expect(stub.requests).toHaveLength(2);
  });

  it('rejects with LibraryUnauthorizedError when the retry is refused too', async () => {
    // Prepare
    const { client, providerCalls } = stubClient(stub);
    stub.fallback = { status: 401, body: [{ error_key: 'http.status.unauthorized', error_message: 'revoked' }] };
    // Act
    const outcome = client.getFile('7');
    // Assess
    await expect(outcome).rejects.toBeInstanceOf(LibraryUnauthorizedError);
    await client.close();
    expect(providerCalls).toHaveLength(2);
    expect(stub.requests).toHaveLength(2);
  });
});

describe('answers outside the contract', () => {
  it('maps a 403 that is not a throttle to LibraryForbiddenError', async () => {
    const { client } = stubClient(stub);
    stub.replies.push({
      status: 403,
      body: [{ error_key: 'http.status.forbidden', error_message: 'missing privilege' }],
    });
    await expect(client.getLibraryInfo()).rejects.toBeInstanceOf(LibraryForbiddenError);
    await client.close();
  });

  it('maps a 200 whose body is not JSON to LibraryProtocolError', async () => {
    const { client } = stubClient(stub);
    stub.replies.push({ status: 200, raw: '<html>maintenance</html>' });
    await expect(client.getFile('1')).rejects.toBeInstanceOf(LibraryProtocolError);
    await client.close();
  });

  it('maps a 200 whose JSON has the wrong shape to LibraryProtocolError', async () => {
    const { client } = stubClient(stub);
    stub.replies.push({ status: 200, body: { files: [] } });
    await expect(client.getLibraryInfo()).rejects.toBeInstanceOf(LibraryProtocolError);
    await client.close();
  });

  it('maps 406 and 415 to LibraryProtocolError, 404 to not found and 503 to server error', async () => {
    // Prepare: one answer per request (no read retries), so each answer maps on its own.
    const { client } = stubClient(stub, { readRetries: 0 });
    stub.replies.push({ status: 406 }, { status: 415 }, { status: 404 }, { status: 503, raw: 'Service Unavailable' });
    // Act
    const classes: unknown[] = [];
    for (const id of ['1', '2', '3', '4']) {
      classes.push(
        await client.getFile(id).then(
          () => undefined,
          (error: unknown) => (error as Error).constructor,
        ),
      );
    }
    await client.close();
    // Assess
    expect(classes).toEqual([LibraryProtocolError, LibraryProtocolError, LibraryNotFoundError, LibraryServerError]);
  });
});

describe('getUploadStatus', () => {
  it('resolves an empty list without a request', async () => {
    const { client } = stubClient(stub);
    expect(await client.getUploadStatus([])).toEqual([]);
    await client.close();
    expect(stub.requests).toHaveLength(0);
  });

  it('splits many ids into comma-separated requests of the configured size', async () => {
    // Prepare
    const { client } = stubClient(stub, { statusChunkSize: 2 });
    stub.fallback = { status: 200, body: [] };
    stub.replies.push({ status: 200, body: [{ file_id: 1, status: 'Active', description: 'Active' }] });
    // Act
    const statuses = await client.getUploadStatus(['1', '2', '3', '4', '5', '2']);
    await client.close();
    // Assess
    expect(stub.requests.map((r) => r.path)).toEqual([
      '/v2/library/files/uploadstatus/1,2',
      '/v2/library/files/uploadstatus/3,4',
      '/v2/library/files/uploadstatus/5',
    ]);
    expect(statuses).toEqual([{ fileId: '1', status: 'Active', description: 'Active' }]);
  });

  it('uses 100 ids per request by default', async () => {
    // Prepare
    const { client } = stubClient(stub);
    stub.fallback = { status: 200, body: [] };
    // Act
    await client.getUploadStatus(Array.from({ length: 201 }, (_, i) => String(i + 1)));
    await client.close();
    // Assess
    expect(stub.requests.map((r) => r.path.split('/').at(-1)?.split(',').length)).toEqual([100, 100, 1]);
  });

  it('reads an empty body as "no known ids"', async () => {
    const { client } = stubClient(stub);
    stub.replies.push({ status: 200, raw: '' });
    expect(await client.getUploadStatus(['9'])).toEqual([]);
    await client.close();
  });
});

describe('pagination', () => {
  it('iterateFiles follows next_link, putting the api_key back, until the last page', async () => {
    // Prepare
    const { client } = stubClient(stub);
    stub.replies.push(
      {
        status: 200,
        body: {
          meta: { pagination: { next_link: '/v2/library/files?next=page2' } },
          results: [fileRecord('1'), fileRecord('2')],
        },
      },
      {
        status: 200,
        body: { meta: { pagination: { next_link: '/v2/library/files?next=page3' } }, results: [fileRecord('3')] },
      },
      { status: 200, body: { meta: { pagination: {} }, results: [fileRecord('4')] } },
    );
    // Act
    const ids: string[] = [];
    for await (const file of client.iterateFiles({ limit: 2, sortBy: 'NAME' })) ids.push(file.id);
    await client.close();
    // Assess
    expect(ids).toEqual(['1', '2', '3', '4']);
    expect(stub.requests.map((r) => r.url)).toEqual([
      `/v2/library/files?api_key=${STUB_CREDENTIALS.apiKey}&limit=2&sort_by=NAME`,
      `/v2/library/files?api_key=${STUB_CREDENTIALS.apiKey}&next=page2`,
      `/v2/library/files?api_key=${STUB_CREDENTIALS.apiKey}&next=page3`,
    ]);
  });

  it('stops with LibraryProtocolError when next_link repeats', async () => {
    // Prepare
    const { client } = stubClient(stub);
    stub.fallback = {
      status: 200,
      body: { meta: { pagination: { next_link: '/v2/library/files?next=same' } }, results: [] },
    };
    // Act
    const drain = async (): Promise<void> => {
      for await (const _file of client.iterateFiles()) {
        // nothing
      }
    };
    // Assess
    await expect(drain()).rejects.toBeInstanceOf(LibraryProtocolError);
    await client.close();
    expect(stub.requests).toHaveLength(2);
  });

  it('listFolders reads every page and returns one tree', async () => {
    // Prepare
    const { client } = stubClient(stub);
    stub.replies.push(
      {
        status: 200,
        body: {
          meta: { pagination: { next_link: '/v2/library/folders?next=p2' } },
          results: [
            { id: '-1', name: 'A', parent_id: '', children: [{ id: '-3', name: 'A1', parent_id: '-1', children: [] }] },
          ],
        },
      },
      {
        status: 200,
        body: { meta: { pagination: {} }, results: [{ id: '-2', name: 'B', parent_id: '0', children: [] }] },
      },
    );
    // Act
    const folders = await client.listFolders();
    await client.close();
    // Assess
    expect(folders.map((f) => [f.id, f.parentId, f.children.map((c) => c.id)])).toEqual([
      ['-1', undefined, ['-3']],
      ['-2', undefined, []],
    ]);
    expect(stub.requests[1]?.url).toBe(`/v2/library/folders?api_key=${STUB_CREDENTIALS.apiKey}&next=p2`);
  });
});

describe('other endpoints', () => {
  it('createFolder posts JSON name and parent_id and reads the folder back', async () => {
    // Prepare
    const { client } = stubClient(stub);
    stub.replies.push({ status: 201, body: { id: '-9', name: 'New', parent_id: '-1', level: 1, children: [] } });
    // Act
    const folder = await client.createFolder('New', '-1');
    await client.close();
    // Assess
    expect(folder).toEqual({ id: '-9', name: 'New', parentId: '-1', level: 1, children: [] });
    expect(stub.requests[0]?.method).toBe('POST');
    expect(stub.requests[0]?.headers['content-type']).toBe('application/json');
    expect(JSON.parse(stub.requests[0]?.body.toString() ?? '')).toEqual({ name: 'New', parent_id: '-1' });
  });

  it('deleteFile sends DELETE and accepts 204', async () => {
    const { client } = stubClient(stub);
    stub.replies.push({ status: 204 });
    await client.deleteFile('12');
    await client.close();
    expect(stub.requests[0]).toMatchObject({ method: 'DELETE', path: '/v2/library/files/12' });
  });

  it('listFolderFiles encodes the folder id and passes the list options', async () => {
    const { client } = stubClient(stub);
    stub.replies.push({ status: 200, body: { meta: { pagination: {} }, results: [] } });
    const page = await client.listFolderFiles('-1', { limit: 1000, type: 'IMAGES', source: 'MyComputer' });
    await client.close();
    expect(page).toEqual({ results: [] });
    expect(stub.requests[0]?.url).toBe(
      `/v2/library/folders/-1/files?api_key=${STUB_CREDENTIALS.apiKey}&limit=1000&type=IMAGES&source=MyComputer`,
    );
  });
});

describe('read retries', () => {
  const noSleep = async (): Promise<void> => {};

  it('retries a read answered 503 and resolves with the next answer', async () => {
    // Prepare
    const { client } = stubClient(stub, { sleep: noSleep });
    stub.replies.push({ status: 503, raw: 'Service Unavailable' }, { status: 200, body: fileRecord('7') });
    // Act
    const file = await client.getFile('7');
    await client.close();
    // Assess
    expect(file.id).toBe('7');
    expect(stub.requests).toHaveLength(2);
  });

  it('retries a read whose connection was reset before the answer', async () => {
    // Prepare
    const { client } = stubClient(stub, { sleep: noSleep });
    stub.replies.push({ destroy: 'before-body' }, { status: 200, body: fileRecord('8') });
    // Act
    const file = await client.getFile('8');
    await client.close();
    // Assess
    expect(file.id).toBe('8');
    expect(stub.requests.length).toBeGreaterThanOrEqual(1);
  });

  it('gives up after readRetries extra attempts with the last error', async () => {
    // Prepare
    const { client } = stubClient(stub, { sleep: noSleep, readRetries: 2 });
    stub.fallback = { status: 500, raw: 'boom' };
    // Act
    const error = await client.getFile('9').then(
      () => undefined,
      (e: unknown) => e,
    );
    await client.close();
    // Assess
    expect(error).toBeInstanceOf(LibraryServerError);
    expect(stub.requests).toHaveLength(3);
  });

  it('does not retry a read that timed out: its wait is already spent', async () => {
    // Prepare
    const { client } = stubClient(stub, { sleep: noSleep, timeouts: { headersMs: 200, bodyMs: 200 } });
    stub.replies.push({ hang: true });
    // Act
    const error = await client.getFile('10').then(
      () => undefined,
      (e: unknown) => e,
    );
    await client.close();
    // Assess
    expect(error).toBeInstanceOf(LibraryTimeoutError);
    expect(stub.requests).toHaveLength(1);
  });

  it('does not retry an answer that will not change (404)', async () => {
    // Prepare
    const { client } = stubClient(stub, { sleep: noSleep });
    stub.replies.push({ status: 404, body: [] });
    // Act
    const error = await client.getFile('11').then(
      () => undefined,
      (e: unknown) => e,
    );
    await client.close();
    // Assess
    expect(error).toBeInstanceOf(LibraryNotFoundError);
    expect(stub.requests).toHaveLength(1);
  });

  it('never replays an upload answered 503', async () => {
    // Prepare
    const { client } = stubClient(stub, { sleep: noSleep });
    stub.fallback = { status: 503, raw: 'Service Unavailable' };
    const data = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);
    // Act
    const error = await client
      .uploadFile({
        fileName: 'a.png',
        folderId: '0',
        description: 'a',
        fileType: 'PNG',
        contentType: 'image/png',
        data: chunkedStream(data),
        size: data.length,
      })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    await client.close();
    // Assess
    expect(error).toBeInstanceOf(LibraryServerError);
    expect(stub.requests).toHaveLength(1);
  });
});
