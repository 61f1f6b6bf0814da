/** Stream factories for upload tests. */
import { Readable } from 'node:stream';

/** Every byte value 0..255, repeated to `size` bytes. */
export function everyByteValue(size: number): Buffer {
  const buffer = Buffer.alloc(size);
  for (let i = 0; i < size; i++) buffer[i] = i % 256;
  return buffer;
}

/** A stream that yields `buffer` in chunks of `chunkSize` (like an S3 body). */
export function chunkedStream(buffer: Buffer, chunkSize = 16 * 1024): Readable {
  let offset = 0;
  return new Readable({
    read() {
      if (offset >= buffer.length) {
        this.push(null);
        return;
      }
      this.push(buffer.subarray(offset, offset + chunkSize));
      offset += chunkSize;
    },
  });
}

/** A stream that yields `bytes` bytes and then fails with `error`. */
export function failingStream(bytes: number, error: Error): Readable {
  let sent = false;
  return new Readable({
    read() {
      if (!sent) {
        sent = true;
        this.push(Buffer.alloc(bytes, 7));
        return;
      }
      this.destroy(error);
    },
  });
}
