/**
 * The multipart body of `POST /library/files`, streamed with an exact Content-Length (form-data's
 * `knownLength`), and a size guard that fails it at once when the source ends short or runs long.
 * Why: docs/library-api.md, "The client".
 */
import { PassThrough, Transform, pipeline } from 'node:stream';
import type { Readable, TransformCallback } from 'node:stream';
import FormData from 'form-data';
import type { UploadFileInput } from './types.ts';
import { youngGarbageCollector } from './young-garbage.ts';

/** Why the source stream was refused (size mismatch); other source failures keep their own error. */
export class SourceSizeMismatch extends Error {
  constructor(
    message: string,
    readonly expected: number,
    readonly received: number,
  ) {
    super(message);
    this.name = 'SourceSizeMismatch';
  }
}

/**
 * Passes bytes through, counting them; errors when the count leaves the declared size. Tells
 * `onBytes` of each chunk (young-garbage.ts collects the dead chunks with it).
 */
export class SizeGuard extends Transform {
  bytes = 0;

  constructor(
    readonly expected: number,
    private readonly onBytes: ((bytes: number) => void) | undefined = youngGarbageCollector(),
  ) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    this.onBytes?.(chunk.length);
    if (this.bytes > this.expected) {
      callback(
        new SourceSizeMismatch(
          `data stream produced more than the declared ${this.expected} bytes`,
          this.expected,
          this.bytes,
        ),
      );
      return;
    }
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    if (this.bytes !== this.expected) {
      callback(
        new SourceSizeMismatch(
          `data stream ended after ${this.bytes} of the declared ${this.expected} bytes`,
          this.expected,
          this.bytes,
        ),
      );
      return;
    }
    callback();
  }
}

/** The streamed body and how to follow and end it. */
export interface UploadBody {
  /** What the HTTP client reads. */
  stream: Readable;
  /** `multipart/form-data; boundary=...` */
  contentType: string;
  /** Exact length of the whole multipart body. */
  contentLength: number;
  /** The source stream's failure (error or size mismatch), if any: it explains a failed request. */
  sourceError(): Error | undefined;
  /** Bytes read from the source so far. */
  sourceBytes(): number;
  /**
   * Resolves when the body may be sent. Immediate, except for `size === 0`: then it waits for the source
   * to end and rejects if it produced any byte.
   */
  ready: Promise<void>;
  /** Tears everything down (source stream included) after a failure; safe to call twice. */
  dispose(): void;
}

/**
 * Escapes a value for a quoted multipart header parameter the way browsers do (WHATWG HTML's
 * multipart/form-data encoding): `"` → `%22`, CR → `%0D`, LF → `%0A`. Backslashes are left as is.
 */
export function escapeMultipartParam(value: string): string {
  return value.replace(/\r/g, '%0D').replace(/\n/g, '%0A').replace(/"/g, '%22');
}

const noop = (): void => {};

/** The form's parts, in the documented order; `data` reads from the size guard. */
function buildForm(input: UploadFileInput, guard: SizeGuard): FormData {
  const form = new FormData();
  form.append('file_name', input.fileName);
  form.append('folder_id', input.folderId);
  form.append('description', input.description);
  form.append('source', input.source ?? 'MyComputer');
  form.append('file_type', input.fileType);
  // Hand-written so the filename is kept whole (form-data would take its basename) and the real content
  // type is sent (docs/library-api.md).
  const dataHeader =
    `--${form.getBoundary()}\r\n` +
    `Content-Disposition: form-data; name="data"; filename="${escapeMultipartParam(input.fileName)}"\r\n` +
    `Content-Type: ${input.contentType}\r\n\r\n`;
  if (input.size === 0) {
    form.append('data', Buffer.alloc(0), { header: dataHeader });
  } else {
    form.append('data', guard, { header: dataHeader, knownLength: input.size });
  }
  return form;
}

/** For an empty file: reads the source to its end anyway, to prove it is empty. */
function emptySourceReady(guard: SizeGuard, onFailure: (error: Error) => void): Promise<void> {
  const ready = new Promise<void>((resolve, reject) => {
    guard.on('end', resolve);
    guard.on('error', (error: Error) => {
      onFailure(error);
      reject(error);
    });
  });
  ready.catch(noop);
  guard.resume();
  return ready;
}

/**
 * Builds the streamed body. The input must have been validated (`validateUploadInput`).
 *
 * For `size === 0` the data part is an empty buffer (form-data cannot measure a zero `knownLength`
 * stream synchronously) and the source is only checked to be empty.
 */
export function createUploadBody(input: UploadFileInput): UploadBody {
  const source = input.data;
  let failure: Error | undefined;
  let disposed = false;
  const guard = new SizeGuard(input.size);
  const form = buildForm(input, guard);
  const contentLength = form.getLengthSync();

  // form-data is an old-style stream; undici wants a real Readable. pipe() keeps the backpressure.
  const out = new PassThrough();
  out.on('error', noop);
  form.on('error', (error: Error) => {
    failure ??= error;
    out.destroy(error);
  });
  pipeline(source, guard, (error) => {
    if (error && !disposed) {
      failure ??= error;
      out.destroy(error);
    }
  });
  const ready = input.size === 0 ? emptySourceReady(guard, (error) => (failure ??= error)) : Promise.resolve();
  form.pipe(out);

  return {
    stream: out,
    contentType: form.getHeaders()['content-type'] as string,
    contentLength,
    sourceError: () => failure,
    sourceBytes: () => guard.bytes,
    ready,
    dispose: () => {
      if (disposed) return;
      disposed = true;
      out.destroy();
      guard.destroy();
      if (!source.destroyed) source.destroy();
    },
  };
}
