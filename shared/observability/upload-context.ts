/**
 * Every log line about a file carries the same identity keys, so one CloudWatch Logs Insights query
 * (`filter objectKey = "…"` or `filter libraryFileId = "…"`) follows a file through ingest, poll and
 * publish.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { ObjectRef } from '../record/upload-record.ts';

/** What identifies an upload in the logs. Anything with an object ref (a record, a message) fits. */
export interface UploadLogRef extends Partial<Pick<ObjectRef, 'bucket' | 'key' | 'versionId' | 'eTag'>> {
  objectId?: string;
  libraryFileId?: string;
}

/** The log keys for an upload; absent values are left out (never logged as `undefined`). */
export interface UploadLogKeys {
  objectId?: string;
  bucket?: string;
  objectKey?: string;
  versionId?: string;
  eTag?: string;
  libraryFileId?: string;
}

/**
 * The log keys for an upload: `objectKey` (the S3 key, named so it cannot clash with Powertools' own
 * fields), `versionId`, `libraryFileId`, plus `objectId`, `bucket` and `eTag` when known.
 */
export function uploadLogKeys(ref: UploadLogRef): UploadLogKeys {
  const keys: UploadLogKeys = {};
  if (ref.objectId !== undefined) keys.objectId = ref.objectId;
  if (ref.bucket !== undefined) keys.bucket = ref.bucket;
  if (ref.key !== undefined) keys.objectKey = ref.key;
  if (ref.versionId !== undefined) keys.versionId = ref.versionId;
  if (ref.eTag !== undefined) keys.eTag = ref.eTag;
  if (ref.libraryFileId !== undefined) keys.libraryFileId = ref.libraryFileId;
  return keys;
}

/**
 * A child of `parent` whose every line carries the upload's keys. A child, not `appendKeys`: the
 * records of a batch are handled concurrently and would overwrite each other's appended keys.
 */
export function createUploadLogger(parent: Logger, ref: UploadLogRef): Logger {
  return parent.createChild({ persistentKeys: { ...uploadLogKeys(ref) } });
}
