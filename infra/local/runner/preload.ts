/**
 * `npm start -- --preload <dir>`: a bucket that already holds files when the pipeline arrives. The
 * dir's files, with their sub-folders, are put under the upload prefix before the bucket's
 * notifications are configured, so none of them produces a notification, as on a bucket that had its
 * assets before the stack was deployed. `npm run ops -- backfill --local` then has something to do.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { isIgnoredName, keyForDroppedFile } from './drop-watcher.ts';

/** Puts at most this many objects at once. */
const CONCURRENCY = 16;

/** Every file below `dir` (names the drop folder ignores are left out too), depth first, streamed. */
async function* filesBelow(dir: string): AsyncGenerator<string> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (isIgnoredName(entry.name)) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* filesBelow(path);
    else if (entry.isFile()) yield path;
  }
}

/** Puts the files of `dir` into `bucket` under `prefix`; resolves with how many. */
export async function preloadBucket(s3: S3Client, bucket: string, prefix: string, dir: string): Promise<number> {
  let count = 0;
  const running = new Set<Promise<void>>();
  for await (const path of filesBelow(dir)) {
    const key = keyForDroppedFile(prefix, relative(dir, path));
    const put = readFile(path)
      .then((Body) => s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body })))
      .then(() => void count++);
    running.add(put);
    void put.finally(() => running.delete(put)).catch(() => undefined);
    if (running.size >= CONCURRENCY) await Promise.race(running);
  }
  await Promise.all(running);
  return count;
}
