/**
 * `--inventory s3://bucket/…/manifest.json`: an S3 Inventory report instead of a listing, for buckets
 * too large to list (S3 writes the report daily or weekly; reading it costs one GET per data file, not
 * one List per 1,000 keys). Only the CSV format: each data file is gzip'd CSV whose columns the
 * manifest's `fileSchema` names, keys URL-encoded. Streamed (gunzip → csv-parse) into pages like a listing,
 * so memory stays flat; the report's order is fixed, so a resumed run skips the rows already handled.
 */
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { parse } from 'csv-parse';
import { normalizeETag } from '../../../shared/s3/notification.ts';
import { UsageError } from '../errors.ts';
import type { ListedObject } from './listing.ts';

interface Manifest {
  sourceBucket: string;
  fileFormat: string;
  fileSchema: string;
  files: Array<{ key: string }>;
}

/** `s3://bucket/key` → its parts; `UsageError` for anything else. */
export function parseS3Url(url: string): { bucket: string; key: string } {
  const match = /^s3:\/\/([^/]+)\/(.+)$/.exec(url);
  if (!match?.[1] || !match[2])
    throw new UsageError(`--inventory must be s3://bucket/path/manifest.json, got "${url}"`);
  return { bucket: match[1], key: match[2] };
}

async function readManifest(s3: S3Client, bucket: string, key: string, sourceBucket: string): Promise<Manifest> {
  const result = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  const manifest = JSON.parse((await result.Body?.transformToString()) ?? '{}') as Manifest;
  if (manifest.fileFormat !== 'CSV') {
    throw new UsageError(`The inventory is ${manifest.fileFormat}: only CSV inventories are read`);
  }
  if (manifest.sourceBucket !== sourceBucket) {
    throw new UsageError(`The inventory describes bucket ${manifest.sourceBucket}, not the stage's ${sourceBucket}`);
  }
  return manifest;
}

/** One CSV row as an object, or undefined for a delete marker, an old version or a key outside `prefix`. */
function toListed(row: Record<string, string>, prefix: string): ListedObject | undefined {
  if (row['IsDeleteMarker'] === 'true' || row['IsLatest'] === 'false') return undefined;
  const key = decodeURIComponent((row['Key'] ?? '').replace(/\+/g, ' '));
  if (!key.startsWith(prefix)) return undefined;
  const versionId = row['VersionId'];
  return {
    key,
    size: Number(row['Size'] ?? 0),
    ...(versionId && versionId !== 'null' ? { versionId } : {}),
    ...(row['ETag'] ? { eTag: normalizeETag(row['ETag']) } : {}),
    ...(row['LastModifiedDate'] ? { lastModified: new Date(row['LastModifiedDate']) } : {}),
  };
}

export interface InventoryOptions {
  manifestUrl: string;
  sourceBucket: string;
  prefix: string;
  /** Objects (under the prefix) a previous run already handled. */
  skip: number;
  pageSize: number;
  versioned: boolean;
}

/** Pages of the report's current objects under `prefix`, after skipping the first `skip` of them. */
export async function* inventoryPages(s3: S3Client, options: InventoryOptions): AsyncGenerator<ListedObject[]> {
  const { bucket, key } = parseS3Url(options.manifestUrl);
  const manifest = await readManifest(s3, bucket, key, options.sourceBucket);
  const columns = manifest.fileSchema.split(',').map((c) => c.trim());
  // Without version ids a message would name a different record than S3's notification (see listing.ts).
  if (options.versioned && !columns.includes('VersionId')) {
    throw new UsageError('The bucket is versioned: use an inventory of all versions (it has the VersionId column)');
  }
  let toSkip = options.skip;
  let page: ListedObject[] = [];
  for (const file of manifest.files) {
    const result = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: file.key }));
    const rows = (result.Body as Readable).pipe(createGunzip()).pipe(parse({ columns, skip_empty_lines: true }));
    for await (const row of rows as AsyncIterable<Record<string, string>>) {
      const object = toListed(row, options.prefix);
      if (object === undefined) continue;
      if (toSkip > 0) {
        toSkip--;
        continue;
      }
      page.push(object);
      if (page.length === options.pageSize) {
        yield page;
        page = [];
      }
    }
  }
  if (page.length > 0) yield page;
}
