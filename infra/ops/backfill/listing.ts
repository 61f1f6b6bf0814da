/**
 * The bucket's objects under a prefix, streamed one page at a time (ListObjectsV2, or ListObjectVersions
 * on a versioned bucket), in key order, from just after `startAfter`. Never holds more than one page
 * (at most 1,000 entries), so memory stays flat whatever the bucket holds.
 *
 * Why versions on a versioned bucket: the uploads table is keyed by object *version* (`#v=…`), and S3's
 * own notification names the version; a message built from ListObjectsV2 (no version id) would name the
 * eTag instead, a different record, and the exactly-once claim would not meet the notification's.
 */
import {
  GetBucketVersioningCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { normalizeETag } from '../../../shared/s3/notification.ts';

/** One current object as a listing reports it. */
export interface ListedObject {
  key: string;
  versionId?: string;
  eTag?: string;
  size: number;
  lastModified?: Date;
}

export interface ListingOptions {
  bucket: string;
  prefix: string;
  /** Resume point: only keys after this one. */
  startAfter?: string;
  /** Read the bucket's versions (the latest of each key) instead of its plain listing. */
  versioned: boolean;
  pageSize?: number;
}

/** True when the bucket keeps versions (Enabled, or Suspended with older versions still named by id). */
export async function bucketIsVersioned(s3: S3Client, bucket: string): Promise<boolean> {
  const result = await s3.send(new GetBucketVersioningCommand({ Bucket: bucket }));
  return result.Status === 'Enabled' || result.Status === 'Suspended';
}

/** Pages of current objects, in key order. */
export function listPages(s3: S3Client, options: ListingOptions): AsyncGenerator<ListedObject[]> {
  return options.versioned ? versionPages(s3, options) : plainPages(s3, options);
}

async function* plainPages(s3: S3Client, options: ListingOptions): AsyncGenerator<ListedObject[]> {
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({
        Bucket: options.bucket,
        Prefix: options.prefix,
        MaxKeys: options.pageSize ?? 1000,
        ...(token ? { ContinuationToken: token } : options.startAfter ? { StartAfter: options.startAfter } : {}),
      }),
    );
    yield (page.Contents ?? []).flatMap((o) =>
      o.Key === undefined
        ? []
        : [
            {
              key: o.Key,
              size: o.Size ?? 0,
              ...(o.ETag ? { eTag: normalizeETag(o.ETag) } : {}),
              ...(o.LastModified ? { lastModified: o.LastModified } : {}),
            },
          ],
    );
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
}

async function* versionPages(s3: S3Client, options: ListingOptions): AsyncGenerator<ListedObject[]> {
  let keyMarker = options.startAfter;
  let versionMarker: string | undefined;
  for (;;) {
    const page = await s3.send(
      new ListObjectVersionsCommand({
        Bucket: options.bucket,
        Prefix: options.prefix,
        MaxKeys: options.pageSize ?? 1000,
        ...(keyMarker ? { KeyMarker: keyMarker } : {}),
        ...(versionMarker ? { VersionIdMarker: versionMarker } : {}),
      }),
    );
    // A key whose latest entry is a delete marker has no current object: nothing to upload.
    yield (page.Versions ?? []).flatMap((v) =>
      v.Key === undefined || v.IsLatest !== true
        ? []
        : [
            {
              key: v.Key,
              size: v.Size ?? 0,
              ...(v.VersionId ? { versionId: v.VersionId } : {}),
              ...(v.ETag ? { eTag: normalizeETag(v.ETag) } : {}),
              ...(v.LastModified ? { lastModified: v.LastModified } : {}),
            },
          ],
    );
    if (!page.IsTruncated) return;
    keyMarker = page.NextKeyMarker;
    versionMarker = page.NextVersionIdMarker;
  }
}
