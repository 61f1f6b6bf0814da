/**
 * The AWS JSON 1.1 wire protocol, server side, as small as the stand-ins need it.
 *
 * A request is `POST /` with `Content-Type: application/x-amz-json-1.1` and
 * `X-Amz-Target: <Prefix>.<Operation>`; the body is a JSON object. A success is 200 with a JSON
 * body; an error is a 4xx/5xx with `x-amzn-ErrorType: <Code>` and `{"__type": "<Code>",
 * "message": "..."}`, which SDK v3 turns into an exception named `<Code>`. Signatures are not
 * checked (like the other emulators, any credentials are accepted).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';

/** The content type of AWS JSON 1.1. */
export const JSON_11 = 'application/x-amz-json-1.1';

/** An error answered in the protocol's shape. */
export class AwsJsonError extends Error {
  readonly code: string;
  readonly statusCode: number;
  constructor(code: string, message: string, statusCode = 400) {
    super(message);
    this.name = code;
    this.code = code;
    this.statusCode = statusCode;
  }
}

/** Answers one operation's input (throw `AwsJsonError` for an AWS error). */
export type JsonOperation = (input: Record<string, unknown>, request: IncomingMessage) => unknown;

/** The target prefix and the operations a server answers. */
export interface JsonProtocolServerOptions {
  /** The X-Amz-Target prefix, e.g. "AWSEvents" or "secretsmanager". */
  targetPrefix: string;
  operations: Record<string, JsonOperation>;
  /** Largest accepted request body in bytes (default 1 MiB). */
  maxBodyBytes?: number;
  /**
   * Runs before any operation; may throw an AwsJsonError to answer every request with it (fault
   * injection) or return nothing to go on.
   */
  beforeOperation?: (operation: string) => void;
}

/** A running AWS JSON 1.1 server. */
export interface JsonProtocolServer {
  readonly server: Server;
  readonly endpoint: string;
  readonly port: number;
  close(): Promise<void>;
}

/** Starts an HTTP server on 127.0.0.1 speaking JSON 1.1 for the given operations. */
export async function startJsonProtocolServer(
  options: JsonProtocolServerOptions,
  port = 0,
): Promise<JsonProtocolServer> {
  const maxBodyBytes = options.maxBodyBytes ?? 1_048_576;
  const server = createServer((req, res) => {
    void handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) sendError(res, new AwsJsonError('InternalFailure', String(err), 500));
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'POST') {
      await drain(req);
      sendError(res, new AwsJsonError('UnknownOperationException', `Method ${req.method} is not supported`, 404));
      return;
    }
    const body = await readBody(req, maxBodyBytes);
    if (body === undefined) {
      sendError(res, new AwsJsonError('ValidationException', `Request body exceeds ${maxBodyBytes} bytes`, 413));
      return;
    }
    const target = header(req, 'x-amz-target');
    const prefix = `${options.targetPrefix}.`;
    if (!target?.startsWith(prefix)) {
      sendError(res, new AwsJsonError('UnknownOperationException', `Unknown target: ${target ?? '(none)'}`));
      return;
    }
    const operationName = target.slice(prefix.length);
    const operation = Object.hasOwn(options.operations, operationName) ? options.operations[operationName] : undefined;
    if (!operation) {
      sendError(res, new AwsJsonError('UnknownOperationException', `Unknown operation: ${target}`));
      return;
    }
    const contentType = header(req, 'content-type') ?? '';
    if (!contentType.startsWith(JSON_11) && !contentType.startsWith('application/json')) {
      sendError(
        res,
        new AwsJsonError('SerializationException', `Unsupported content type: ${contentType || '(none)'}`),
      );
      return;
    }
    let input: unknown;
    try {
      input = body.length === 0 ? {} : JSON.parse(body.toString('utf8'));
    } catch {
      sendError(res, new AwsJsonError('SerializationException', 'Request body is not valid JSON'));
      return;
    }
    if (input === null || typeof input !== 'object' || Array.isArray(input)) {
      sendError(res, new AwsJsonError('SerializationException', 'Request body must be a JSON object'));
      return;
    }
    try {
      options.beforeOperation?.(operationName);
      const output = await operation(input as Record<string, unknown>, req);
      send(res, 200, output ?? {});
    } catch (err) {
      if (err instanceof AwsJsonError) sendError(res, err);
      else throw err;
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('Stand-in server has no port');
  const actualPort = address.port;
  return {
    server,
    port: actualPort,
    endpoint: `http://127.0.0.1:${actualPort}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function send(res: ServerResponse, status: number, body: unknown, extraHeaders: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': JSON_11,
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': randomUUID(),
    ...extraHeaders,
  });
  res.end(text);
}

function sendError(res: ServerResponse, err: AwsJsonError): void {
  send(res, err.statusCode, { __type: err.code, message: err.message }, { 'x-amzn-errortype': err.code });
}

async function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  let tooLarge = false;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) tooLarge = true;
    if (!tooLarge) chunks.push(chunk);
  }
  return tooLarge ? undefined : Buffer.concat(chunks);
}

async function drain(req: IncomingMessage): Promise<void> {
  for await (const _chunk of req as AsyncIterable<Buffer>) {
    // discard
  }
}
