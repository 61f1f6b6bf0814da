/**
 * A scripted HTTP server on 127.0.0.1 for the client's unit tests: it records every request (method,
 * URL, headers, body bytes) and answers from a queue of scripted replies, so a test can check exactly
 * what the client sent and how it reads a given answer — including answers the sandbox never gives
 * (201 on upload, 202 without Location, a non-throttle 403, HTML error bodies).
 */
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { LibraryClient, LibraryClientOptions, LibraryCredentials } from '../../../../shared/library/index.ts';
import { createLibraryClient } from '../../../../shared/library/index.ts';

export interface RecordedRequest {
  method: string;
  url: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

export type Reply =
  | { status: number; headers?: Record<string, string>; body?: unknown; raw?: string }
  | { destroy: 'before-body' | 'after-body' }
  | { hang: true };

export interface StubServer {
  origin: string;
  baseUrl: string;
  requests: RecordedRequest[];
  /** Replies used in order; when empty, `fallback` answers. */
  replies: Reply[];
  fallback: Reply;
  close(): Promise<void>;
}

export async function startStubServer(): Promise<StubServer> {
  const sockets = new Set<Socket>();
  const stub: StubServer = {
    origin: '',
    baseUrl: '',
    requests: [],
    replies: [],
    fallback: { status: 200, body: {} },
    close: async () => {},
  };

  const answer = (req: IncomingMessage, res: ServerResponse, reply: Reply, body: Buffer): void => {
    const url = new URL(req.url ?? '/', stub.origin);
    stub.requests.push({
      method: req.method ?? '',
      url: req.url ?? '',
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      body,
    });
    if ('hang' in reply) return;
    if ('destroy' in reply) {
      req.socket.destroy();
      return;
    }
    const payload = reply.raw ?? (reply.body === undefined ? '' : JSON.stringify(reply.body));
    res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
    res.end(payload);
  };

  const server = createServer((req, res) => {
    const reply = stub.replies.shift() ?? stub.fallback;
    if ('destroy' in reply && reply.destroy === 'before-body') {
      answer(req, res, reply, Buffer.alloc(0));
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => answer(req, res, reply, Buffer.concat(chunks)));
    req.on('error', () => {});
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no address');
  stub.origin = `http://127.0.0.1:${address.port}`;
  stub.baseUrl = `${stub.origin}/v2`;
  stub.close = () =>
    new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    });
  return stub;
}

export const STUB_CREDENTIALS: LibraryCredentials = {
  apiKey: 'unit-api-key-5f2b9c',
  accessToken: 'unit-token-8d41e7a0',
};

/** A client on the stub with fixed credentials; `calls` records every provider call. */
export function stubClient(
  stub: StubServer,
  overrides: Partial<LibraryClientOptions> = {},
): { client: LibraryClient; providerCalls: ({ forceRefresh?: boolean } | undefined)[] } {
  const providerCalls: ({ forceRefresh?: boolean } | undefined)[] = [];
  const client = createLibraryClient({
    baseUrl: stub.baseUrl,
    credentials: async (options) => {
      providerCalls.push(options);
      return STUB_CREDENTIALS;
    },
    timeouts: { connectMs: 2_000, headersMs: 2_000, bodyMs: 2_000 },
    ...overrides,
  });
  return { client, providerCalls };
}
