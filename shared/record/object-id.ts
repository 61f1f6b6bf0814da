/**
 * The uploads table's partition key: one item per S3 object version.
 *
 * `s3://<bucket>/<key>#v=<versionId>` on a versioned bucket, `s3://<bucket>/<key>#etag=<eTag>` where
 * there is no version id (unversioned buckets, emulators), `s3://<bucket>/<key>` when neither is known.
 * Readable in the console and in logs, and stable: the same version always gives the same id, whichever
 * duplicate notification delivered it. The key is the decoded key, exactly as S3 stores it. (A key is at
 * most 1024 bytes, so the id stays well inside DynamoDB's 2048-byte partition key limit.)
 */
import type { ObjectRef } from './upload-record.ts';
import { normalizeETag } from '../s3/notification.ts';

/** The record key of an object version: `s3://bucket/key#v=…`, `#etag=…`, or neither when unknown. */
export function objectIdOf(ref: Pick<ObjectRef, 'bucket' | 'key' | 'versionId' | 'eTag'>): string {
  const base = `s3://${ref.bucket}/${ref.key}`;
  if (ref.versionId !== undefined && ref.versionId !== '') return `${base}#v=${ref.versionId}`;
  if (ref.eTag !== undefined && ref.eTag !== '') return `${base}#etag=${normalizeETag(ref.eTag)}`;
  return base;
}
