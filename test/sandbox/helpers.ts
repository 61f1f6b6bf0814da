/**
 * Shared factories for the sandbox tests: a raw HTTP caller (undici, no project client), a multipart
 * body builder that lets a test send exactly the parts it wants (including wrong ones), sample file
 * bytes of each format, and a polling helper.
 */
import { createHash } from 'node:crypto';
import { deflateSync } from 'node:zlib';
import { Agent, request, type Dispatcher } from 'undici';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../infra/local/sandbox/index.ts';

/** A fixed base time (noon UTC) so tests drive the clock only through `advanceClock`. */
export const FROZEN_TIME = Date.UTC(2026, 0, 15, 12, 0, 0);

/** A sandbox with a frozen clock and limits high enough not to interfere, unless overridden. */
export function startTestSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  return startSandbox({
    now: () => FROZEN_TIME,
    ...options,
    limits: { perSecond: 1000, perDay: 1_000_000, ...options.limits },
  });
}

/** Credentials and headers of a request to the sandbox. */
export interface CallOptions {
  method?: Dispatcher.HttpMethod;
  /** Query parameters besides api_key. */
  query?: Record<string, string>;
  /** undefined → the sandbox's key; null → none. */
  apiKey?: string | null;
  /** undefined → the sandbox's token; null → no Authorization header. */
  token?: string | null;
  headers?: Record<string, string>;
  body?: Buffer | string;
  /** Abort when no headers arrive in time (for hang tests). */
  headersTimeout?: number;
  dispatcher?: Dispatcher;
}

/** A response: status, headers, parsed body. */
export interface CallResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: unknown;
}

/** Calls `<baseUrl><path>` (or an absolute path like `/v2/...` on the origin) with the sandbox's credentials. */
export async function call(sandbox: Sandbox, path: string, options: CallOptions = {}): Promise<CallResult> {
  const url = new URL(path.startsWith('/v2/') ? `${sandbox.origin}${path}` : `${sandbox.baseUrl}${path}`);
  const apiKey = options.apiKey === undefined ? sandbox.credentials.apiKey : options.apiKey;
  if (apiKey !== null) url.searchParams.set('api_key', apiKey);
  for (const [key, value] of Object.entries(options.query ?? {})) url.searchParams.set(key, value);
  const token = options.token === undefined ? sandbox.credentials.accessToken : options.token;
  const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
  if (token !== null) headers.authorization = `Bearer ${token}`;
  const response = await request(url, {
    method: options.method ?? 'GET',
    headers,
    body: options.body,
    headersTimeout: options.headersTimeout,
    dispatcher: options.dispatcher,
  });
  const text = await response.body.text();
  let json: unknown;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.statusCode, headers: response.headers, text, json };
}

/** One multipart part. */
export interface Part {
  name: string;
  value: string | Buffer;
  filename?: string;
  contentType?: string;
}

/** A multipart/form-data body with exactly these parts. */
export function multipart(parts: readonly Part[]): { body: Buffer; contentType: string } {
  const boundary = `----sandbox-test-${createHash('sha1').update(String(Math.random())).digest('hex').slice(0, 16)}`;
  const chunks: Buffer[] = [];
  for (const part of parts) {
    let header = `--${boundary}\r\nContent-Disposition: form-data; name="${part.name}"`;
    if (part.filename !== undefined) header += `; filename="${part.filename}"`;
    header += '\r\n';
    if (part.contentType !== undefined) header += `Content-Type: ${part.contentType}\r\n`;
    chunks.push(
      Buffer.from(`${header}\r\n`, 'utf8'),
      Buffer.isBuffer(part.value) ? part.value : Buffer.from(part.value, 'utf8'),
      Buffer.from('\r\n'),
    );
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}

/** The text fields of an upload. */
export interface UploadFields {
  file_name?: string;
  folder_id?: string;
  description?: string;
  source?: string;
  file_type?: string;
}

/** The parts a well-behaved client sends, with overrides; `omit` drops parts, `extra` adds some. */
export function uploadParts(
  data: Buffer,
  fields: UploadFields = {},
  options: { omit?: string[]; extra?: Part[] } = {},
): Part[] {
  const values = {
    file_name: 'photo.png',
    folder_id: '-1',
    description: 'a test file',
    source: 'MyComputer',
    file_type: 'PNG',
    ...fields,
  };
  const parts: Part[] = Object.entries(values).map(([name, value]) => ({ name, value }));
  parts.push({ name: 'data', value: data, filename: values.file_name, contentType: 'application/octet-stream' });
  return [...parts.filter((part) => !(options.omit ?? []).includes(part.name)), ...(options.extra ?? [])];
}

/** Posts a multipart upload built from `parts`. */
export async function upload(sandbox: Sandbox, parts: readonly Part[], options: CallOptions = {}): Promise<CallResult> {
  const { body, contentType } = multipart(parts);
  return call(sandbox, '/library/files', {
    ...options,
    method: 'POST',
    body,
    headers: { 'content-type': contentType, ...options.headers },
  });
}

/** Uploads and returns the new file id (asserting the 202). */
export async function uploadOk(sandbox: Sandbox, data: Buffer, fields: UploadFields = {}): Promise<string> {
  const result = await upload(sandbox, uploadParts(data, fields));
  if (result.status !== 202) throw new Error(`upload answered ${result.status}: ${result.text}`);
  const location = String(result.headers.location);
  return location.slice(location.lastIndexOf('/') + 1);
}

/** The upload status the sandbox reports for a file. */
export async function statusOf(sandbox: Sandbox, id: string): Promise<string | undefined> {
  const result = await call(sandbox, `/library/files/uploadstatus/${id}`);
  return (result.json as { status: string }[])[0]?.status;
}

/** Polls `check` until it returns true (generous timeout: no timing assertions). */
export async function waitFor(
  check: () => Promise<boolean> | boolean,
  timeoutMs = 20_000,
  intervalMs = 25,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** A fresh keep-alive-free dispatcher, so fault tests never reuse a socket the sandbox destroyed. */
export function freshAgent(): Agent {
  return new Agent({ pipelining: 0, keepAliveTimeout: 1 });
}

// ---- sample file bytes -------------------------------------------------------------------------

function crc32(buffer: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of buffer) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit++) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
  }
  return (crc ^ 0xffffffff) >>> 0;
}

function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const typed = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typed));
  return Buffer.concat([length, typed, crc]);
}

/** A real (valid) grey PNG of the given size. */
export function pngBytes(width = 3, height = 2): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 0, 0, 0, 0], 8); // 8-bit greyscale
  const raw = Buffer.alloc((width + 1) * height, 0x80);
  for (let row = 0; row < height; row++) raw[row * (width + 1)] = 0;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', header),
    pngChunk('IDAT', deflateSync(raw)),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

/** The start of a baseline JPEG: SOI, an APP0 segment, then SOF0 with the size. */
export function jpegBytes(width = 640, height = 480): Buffer {
  const app0 = Buffer.from([
    0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00,
  ]);
  const sof = Buffer.from([
    0xff,
    0xc0,
    0x00,
    0x11,
    0x08,
    height >> 8,
    height & 0xff,
    width >> 8,
    width & 0xff,
    0x03,
    1,
    0x22,
    0,
    2,
    0x11,
    1,
    3,
    0x11,
    1,
  ]);
  return Buffer.concat([Buffer.from([0xff, 0xd8]), app0, sof, Buffer.from([0xff, 0xd9])]);
}

/** A GIF header of the given size. */
export function gifBytes(width = 10, height = 20): Buffer {
  const header = Buffer.alloc(13);
  header.write('GIF89a', 0, 'latin1');
  header.writeUInt16LE(width, 6);
  header.writeUInt16LE(height, 8);
  return Buffer.concat([header, Buffer.from([0x3b])]);
}

/** A minimal PDF. */
export function pdfBytes(): Buffer {
  return Buffer.from('%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n', 'latin1');
}

/** A zip signature, as Office "x" files start. */
export function zipBytes(): Buffer {
  return Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(60, 1)]);
}

/** An OLE2 signature, as old Office files start. */
export function oleBytes(): Buffer {
  return Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), Buffer.alloc(60, 2)]);
}

/** The hex SHA-256 of the bytes. */
export function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** The `error_key`s of an error response. */
export function errorKeys(result: CallResult): string[] {
  return (result.json as { error_key: string }[]).map((entry) => entry.error_key);
}

/** A sandbox on the real clock (for the few tests that let time pass on its own). */
export function startSandboxWithRealClock(options: SandboxOptions = {}): Promise<Sandbox> {
  return startSandbox({ ...options, limits: { perSecond: 1000, perDay: 1_000_000, ...options.limits } });
}
