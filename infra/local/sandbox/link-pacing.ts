/**
 * A slow link in front of the upload endpoint: the request body is read no faster than
 * `bytesPerSecond`, so a client's upload takes as long as it would from far away (its socket fills and
 * its writes wait, through TCP backpressure, exactly as on a real long link). Used by the benchmark of
 * real-sized files (test/bench); 0 reads as fast as the bytes come.
 */
import { Transform, type TransformCallback } from 'node:stream';

/** A pass-through that releases bytes at `bytesPerSecond` at most, measured from its first chunk. */
export function pacedBody(bytesPerSecond: number, now: () => number = Date.now): Transform {
  let started: number | undefined;
  let passed = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback) {
      started ??= now();
      passed += chunk.length;
      const dueMs = started + (passed / bytesPerSecond) * 1000 - now();
      if (dueMs <= 0) done(null, chunk);
      else setTimeout(() => done(null, chunk), dueMs);
    },
  });
}
