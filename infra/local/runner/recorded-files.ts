/**
 * What the uploads table already knows about a file in the drop folder. Without versioning (fauxqs), a
 * record is keyed by bucket, key and eTag, and the drop watcher's single PutObject gives an eTag that
 * is the MD5 of the bytes, so a file's record is found without uploading it: the start-up check uses
 * that to tell files never uploaded from files already done, and a re-copied file's line says
 * "unchanged: already library file N" instead of nothing.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { objectIdOf } from '../../../shared/record/object-id.ts';
import type { UploadRecord } from '../../../shared/record/upload-record.ts';
import { UPLOADS_TABLE_KEY } from '../../../shared/store/tables.ts';

/** The record of these exact bytes at this key, if the pipeline has one. */
export type RecordedFileLookup = (key: string, eTag: string) => Promise<UploadRecord | undefined>;

/** Looks records up in the uploads table by the object id a notification for `key` + `eTag` would get. */
export function recordedFileLookup(
  documents: DynamoDBDocumentClient,
  table: string,
  bucket: string,
): RecordedFileLookup {
  return async (key, eTag) => {
    const objectId = objectIdOf({ bucket, key, eTag });
    const { Item } = await documents.send(
      new GetCommand({ TableName: table, Key: { [UPLOADS_TABLE_KEY]: objectId }, ConsistentRead: true }),
    );
    return Item as UploadRecord | undefined;
  };
}

/** The MD5 of a file, hex: the eTag S3 gives it when put in one request. */
export async function md5Of(path: string): Promise<string> {
  const hash = createHash('md5');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
