/**
 * The message a backfilled object is handed to ingest with: the S3 notification S3 itself would have
 * sent for that version (one record per message, as S3 does), so ingest cannot tell the two apart and
 * its conditional claim on the version makes a backfill and a late notification one upload.
 */
import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { encodeS3Key } from '../../../shared/s3/key-encoding.ts';
import { buildS3Notification } from '../../../shared/s3/notification.ts';
import type { ListedObject } from './listing.ts';

/** SQS's limit on one SendMessageBatch. */
export const SEND_BATCH_LIMIT = 10;

/** The notification body for one listed object of `bucket`. */
export function notificationBodyOf(bucket: string, object: ListedObject, region: string): string {
  return JSON.stringify(
    buildS3Notification([
      {
        bucket,
        key: object.key,
        encodedKey: encodeS3Key(object.key),
        size: object.size,
        ...(object.eTag === undefined ? {} : { eTag: object.eTag }),
        ...(object.versionId === undefined ? {} : { versionId: object.versionId }),
        eventName: 'ObjectCreated:Put',
        region,
        ...(object.lastModified ? { eventTime: object.lastModified.toISOString() } : {}),
      },
    ]),
  );
}

/** Sends up to 10 bodies in one call; throws when SQS refused any of them (the caller retries the run). */
export async function sendBodies(sqs: SQSClient, queueUrl: string, bodies: readonly string[]): Promise<void> {
  if (bodies.length === 0) return;
  const result = await sqs.send(
    new SendMessageBatchCommand({
      QueueUrl: queueUrl,
      Entries: bodies.map((MessageBody, index) => ({ Id: String(index), MessageBody })),
    }),
  );
  const failed = result.Failed ?? [];
  if (failed.length > 0) {
    throw new Error(`SQS refused ${failed.length} of ${bodies.length} messages: ${failed[0]?.Code ?? 'unknown'}`);
  }
}
