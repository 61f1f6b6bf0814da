/**
 * The S3 event notification as AWS delivers it in the body of an SQS message (S3 → SQS directly, no
 * SNS envelope): `{"Records":[{"eventName":"ObjectCreated:Put","s3":{"bucket":{"name"},"object":{"key",
 * "size","eTag","versionId","sequencer"}}}]}`, or `{"Event":"s3:TestEvent",...}` once when the
 * notification is configured.
 *
 * Only the fields the pipeline needs are checked; everything else AWS adds is ignored, so a new field
 * never breaks ingestion.
 */
import * as z from 'zod';
import type { ObjectRef } from '../record/upload-record.ts';
import { decodeS3Key } from './key-encoding.ts';

const s3RecordSchema = z.object({
  eventSource: z.string().optional(),
  eventName: z.string(),
  s3: z.object({
    bucket: z.object({ name: z.string().min(1) }),
    object: z.object({
      key: z.string(),
      size: z.number().int().nonnegative().optional(),
      eTag: z.string().optional(),
      versionId: z.string().optional(),
      sequencer: z.string().optional(),
    }),
  }),
});

const s3NotificationSchema = z.object({ Records: z.array(s3RecordSchema) });
const testEventSchema = z.object({ Event: z.literal('s3:TestEvent') });

/** What one notification record asks for, or why it asks for nothing. */
export type NotificationEntry =
  | { kind: 'object'; object: ObjectRef; eventName: string; keyDecodedExactly: boolean }
  /** `ObjectRemoved:*` (a delete, or a delete marker on a versioned bucket): the key may be gone. */
  | { kind: 'removed'; object: ObjectRef; eventName: string; keyDecodedExactly: boolean }
  | { kind: 'skip'; reason: 'folder-marker' | 'not-object-created'; key: string; eventName: string };

/** An S3 notification body: the test event, its entries, or why it is unreadable. */
export type ParsedNotification =
  { kind: 'test-event' } | { kind: 'records'; entries: NotificationEntry[] } | { kind: 'malformed'; problem: string };

/** True when the body looks like an S3 notification at all (as opposed to our own retry envelope). */
export function looksLikeS3Notification(body: unknown): boolean {
  return typeof body === 'object' && body !== null && ('Records' in body || 'Event' in body);
}

/** Reads an S3 notification body; never throws. */
export function parseS3Notification(body: unknown): ParsedNotification {
  if (testEventSchema.safeParse(body).success) return { kind: 'test-event' };
  const parsed = s3NotificationSchema.safeParse(body);
  if (!parsed.success) {
    return {
      kind: 'malformed',
      problem: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '),
    };
  }
  return { kind: 'records', entries: parsed.data.Records.map(toEntry) };
}

function toEntry(record: z.infer<typeof s3RecordSchema>): NotificationEntry {
  const { key, exact } = decodeS3Key(record.s3.object.key);
  const removed = record.eventName.startsWith('ObjectRemoved:');
  if (!removed && !record.eventName.startsWith('ObjectCreated:')) {
    return { kind: 'skip', reason: 'not-object-created', key, eventName: record.eventName };
  }
  // "Folders" made in the console are zero-byte objects whose key ends in '/': nothing to upload.
  if (key.endsWith('/')) return { kind: 'skip', reason: 'folder-marker', key, eventName: record.eventName };
  if (removed) {
    const object: ObjectRef = { bucket: record.s3.bucket.name, key };
    if (record.s3.object.sequencer !== undefined) object.sequencer = record.s3.object.sequencer;
    return { kind: 'removed', object, eventName: record.eventName, keyDecodedExactly: exact };
  }
  const { size, eTag, versionId, sequencer } = record.s3.object;
  const object: ObjectRef = { bucket: record.s3.bucket.name, key };
  // Unversioned buckets send no versionId (or the literal "null" when versioning was suspended).
  if (versionId !== undefined && versionId !== '' && versionId !== 'null') object.versionId = versionId;
  if (eTag !== undefined && eTag !== '') object.eTag = normalizeETag(eTag);
  if (size !== undefined) object.size = size;
  if (sequencer !== undefined) object.sequencer = sequencer;
  return { kind: 'object', object, eventName: record.eventName, keyDecodedExactly: exact };
}

/** Notifications send the eTag bare, GetObject/HeadObject in quotes: compare and store it bare. */
export function normalizeETag(eTag: string): string {
  return eTag.replace(/^W\//, '').replace(/^"+|"+$/g, '');
}

/** Builds a notification body exactly as S3 sends it (tests, the local runner). */
export function buildS3Notification(
  objects: readonly (ObjectRef & { encodedKey: string; eventName?: string; eventTime?: string; region?: string })[],
): { Records: unknown[] } {
  return {
    Records: objects.map((o) => ({
      eventVersion: '2.1',
      eventSource: 'aws:s3',
      awsRegion: o.region ?? 'us-east-1',
      eventTime: o.eventTime ?? new Date().toISOString(),
      eventName: o.eventName ?? 'ObjectCreated:Put',
      userIdentity: { principalId: 'AWS:AIDAEXAMPLE' },
      requestParameters: { sourceIPAddress: '127.0.0.1' },
      responseElements: { 'x-amz-request-id': 'EXAMPLE123456789', 'x-amz-id-2': 'EXAMPLE123/abcdefghijklmn' },
      s3: {
        s3SchemaVersion: '1.0',
        configurationId: 'library-upload',
        bucket: { name: o.bucket, ownerIdentity: { principalId: 'EXAMPLE' }, arn: `arn:aws:s3:::${o.bucket}` },
        object: {
          key: o.encodedKey,
          ...(o.size === undefined ? {} : { size: o.size }),
          ...(o.eTag === undefined ? {} : { eTag: o.eTag }),
          ...(o.versionId === undefined ? {} : { versionId: o.versionId }),
          sequencer: o.sequencer ?? '0066B4A3C2D1E0F000',
        },
      },
    })),
  };
}
