/**
 * Streams a multipart/form-data upload through busboy, the way the library's front end would: the
 * `data` part is hashed (sha256), measured, scanned for EICAR and sniffed (first HEAD_BYTES) as it
 * arrives, and only kept whole when the sandbox keeps bytes. A 5 MB upload never needs 5 MB of memory
 * with `keepBytes: false`.
 *
 * Lenient where real servers are (a `data` part without filename is still the file, text parts sent as
 * file parts are still text), strict where it helps clients (sizes are measured, not trusted).
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import busboy from 'busboy';
import { pacedBody } from './link-pacing.ts';
import { EicarScanner, HEAD_BYTES } from './content-inspection.ts';

/** The `data` part as received: size, hash, first bytes, the bytes when kept. */
export interface ReceivedData {
  /** Bytes received for the part (up to the limit + 1 when oversized). */
  size: number;
  /** True when the part was larger than the limit (then bytes and hash are incomplete). */
  oversized: boolean;
  sha256: string;
  head: Buffer;
  bytes: Buffer | undefined;
  virus: boolean;
  contentType: string;
  filename: string | undefined;
}

/** The parts of a multipart upload. */
export interface ParsedUpload {
  /** Text parts by name, in arrival order (values of repeated parts are all kept). */
  fields: Map<string, string[]>;
  /** Every `data` part received (more than one is a client error). */
  data: ReceivedData[];
  /** Set when the body could not be parsed. */
  malformed?: string;
  /** Set when the client went away before the body ended. */
  aborted?: boolean;
}

/** The largest accepted file, and whether to keep the bytes. */
export interface ParseOptions {
  /** Largest accepted file; one more byte marks the part oversized and the rest is discarded. */
  maxFileSize: number;
  keepBytes: boolean;
  /** Read the body no faster than this (bytes per second); 0 or absent: as fast as it comes. */
  bytesPerSecond?: number;
}

/** Longest text part kept (anything longer is cut; the validation then reports it too long). */
const MAX_TEXT_PART = 64 * 1024;

/** Parses a multipart upload with busboy, streaming the data part through the scanner. */
export function parseUpload(req: IncomingMessage, options: ParseOptions): Promise<ParsedUpload> {
  const result: ParsedUpload = { fields: new Map(), data: [] };
  const addField = (name: string, value: string): void => {
    result.fields.set(name, [...(result.fields.get(name) ?? []), value]);
  };

  return new Promise((resolve) => {
    let settled = false;
    const finish = (): void => {
      if (settled) return;
      settled = true;
      resolve(result);
    };

    const rate = options.bytesPerSecond ?? 0;
    const paced = rate > 0 ? pacedBody(rate) : undefined;
    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers: req.headers,
        defParamCharset: 'utf8',
        limits: { fileSize: options.maxFileSize + 1, fieldSize: MAX_TEXT_PART },
      });
    } catch (error) {
      result.malformed = (error as Error).message;
      req.resume();
      req.on('end', finish);
      req.on('close', finish);
      return;
    }

    const pending: Promise<void>[] = [];
    /** A part stream that fails (busboy error, client gone) must not become an unhandled rejection. */
    const track = (work: Promise<void>): void => {
      pending.push(
        work.catch((error: unknown) => {
          result.malformed ??= error instanceof Error ? error.message : 'a part could not be read';
        }),
      );
    };
    parser.on('field', (name, value) => {
      if (name === 'data') {
        // A `data` part without filename: the text as received (binary content would not survive).
        track(
          receiveData(bufferStream(Buffer.from(value, 'utf8')), 'text/plain', undefined, options).then(
            (data) => void result.data.push(data),
          ),
        );
      } else {
        addField(name, value);
      }
    });
    parser.on('file', (name, stream, info) => {
      if (name === 'data') {
        track(receiveData(stream, info.mimeType, info.filename, options).then((data) => void result.data.push(data)));
      } else {
        track(readText(stream).then((text) => addField(name, text)));
      }
    });
    parser.on('error', (error: Error) => {
      result.malformed = error.message;
      if (paced) req.unpipe(paced);
      else req.unpipe(parser);
      req.resume();
      if (req.readableEnded) finish();
      else req.on('end', finish);
    });
    parser.on('close', () => {
      void Promise.all(pending).then(finish);
    });
    req.on('aborted', () => {
      result.aborted = true;
      finish();
    });
    req.on('close', () => {
      if (!req.complete) {
        result.aborted = true;
        finish();
      }
    });
    if (paced) req.pipe(paced).pipe(parser);
    else req.pipe(parser);
  });
}

async function receiveData(
  stream: AsyncIterable<unknown>,
  contentType: string,
  filename: string | undefined,
  options: ParseOptions,
): Promise<ReceivedData> {
  const hash = createHash('sha256');
  const scanner = new EicarScanner();
  const headChunks: Buffer[] = [];
  let headSize = 0;
  const kept: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    hash.update(buffer);
    scanner.push(buffer);
    if (headSize < HEAD_BYTES) {
      const slice = buffer.subarray(0, HEAD_BYTES - headSize);
      headChunks.push(Buffer.from(slice));
      headSize += slice.length;
    }
    if (options.keepBytes && size <= options.maxFileSize) kept.push(buffer);
  }
  const oversized = size > options.maxFileSize;
  return {
    size,
    oversized,
    sha256: hash.digest('hex'),
    head: Buffer.concat(headChunks),
    bytes: options.keepBytes && !oversized ? Buffer.concat(kept) : undefined,
    virus: scanner.found,
    contentType,
    filename,
  };
}

async function readText(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const buffer = chunk as Buffer;
    if (size < MAX_TEXT_PART) chunks.push(buffer);
    size += buffer.length;
  }
  return Buffer.concat(chunks).toString('utf8');
}

async function* bufferStream(buffer: Buffer): AsyncGenerator<Buffer> {
  yield buffer;
}
