/**
 * Which uploads-table stream records deserve an event: exactly those where the item ENTERS a final
 * status. The table's stream must use the `NEW_AND_OLD_IMAGES` view (infra/): the old image is what
 * tells "entered final" from "was already final and something else changed" (a TTL being set, a retry
 * re-writing the same final status). Without an old image a final MODIFY is treated as entering, which
 * is safe (consumers de-duplicate on `eventId`) but noisier.
 */
import type { AttributeValue as SdkAttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import * as z from 'zod';
import { RECORD_STATUSES, STATUS_RANK, isFinalStatus } from '../record/upload-record.ts';
import type { UploadRecord } from '../record/upload-record.ts';

/** A final image that cannot be read as an upload record: a bug upstream, never silently skipped. */
export class InvalidStreamRecordError extends Error {
  readonly eventId: string | undefined;
  constructor(message: string, eventId: string | undefined) {
    super(message);
    this.name = 'InvalidStreamRecordError';
    this.eventId = eventId;
  }
}

const optionalString = z.string().optional();
const optionalCount = z.number().int().nonnegative().optional();

/**
 * What the publisher needs from an image; anything else the store keeps on the item is carried along
 * untouched (the store owns the item's full shape).
 */
const finalImageSchema = z.looseObject({
  objectId: z.string().min(1),
  bucket: z.string().min(1),
  key: z.string().min(1),
  versionId: optionalString,
  eTag: optionalString,
  size: optionalCount,
  status: z.enum(RECORD_STATUSES),
  statusRank: z.number().optional(),
  libraryFileId: z.union([z.string(), z.number()]).transform(String).optional(),
  folderId: z.union([z.string(), z.number()]).transform(String).optional(),
  folderPath: optionalString,
  fileName: optionalString,
  fileType: optionalString,
  attempts: z.number().int().nonnegative().default(0),
  errorKey: optionalString,
  errorMessage: optionalString,
  url: optionalString,
  thumbnailUrl: optionalString,
  width: optionalCount,
  height: optionalCount,
  transitions: z.record(z.string(), z.string()).default({}),
  createdAt: optionalString,
  updatedAt: optionalString,
  trashed: z.boolean().optional(),
  replacedBy: z
    .object({
      objectId: z.string().min(1),
      libraryFileId: z.union([z.string(), z.number()]).transform(String),
      url: optionalString,
    })
    .optional(),
});

/**
 * The new image as an `UploadRecord` when the stream record is the item entering a final status
 * (INSERT or MODIFY; old image absent or not final), else `undefined`. Throws
 * `InvalidStreamRecordError` when a final image lacks what an event needs.
 */
export function toFinalTransition(streamRecord: DynamoDBRecord): UploadRecord | undefined {
  if (streamRecord.eventName !== 'INSERT' && streamRecord.eventName !== 'MODIFY') return undefined;
  const newImage = imageOf(streamRecord.dynamodb?.NewImage);
  if (!newImage || typeof newImage['status'] !== 'string' || !isFinalStatus(newImage['status'])) return undefined;
  const oldImage = imageOf(streamRecord.dynamodb?.OldImage);
  // A final record only moves on to a higher rank (Active → Replaced/Removed): that move is announced too.
  if (oldImage && typeof oldImage['status'] === 'string' && isFinalStatus(oldImage['status'])) {
    if (STATUS_RANK[oldImage['status']] >= STATUS_RANK[newImage['status']]) return undefined;
  }

  const parsed = finalImageSchema.safeParse(newImage);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .map((issue) => `${issue.path.join('.') || '(item)'}: ${issue.message}`)
      .join('; ');
    throw new InvalidStreamRecordError(`Final upload record cannot be published: ${problems}`, streamRecord.eventID);
  }
  const image = parsed.data;
  // A record is written with its timestamps; fall back to the stream's own time if one is missing.
  const approximate = streamRecord.dynamodb?.ApproximateCreationDateTime;
  const streamTime = approximate === undefined ? undefined : new Date(approximate * 1000).toISOString();
  const updatedAt = image.updatedAt ?? image.transitions[image.status] ?? streamTime;
  const createdAt = image.createdAt ?? image.transitions['Received'] ?? updatedAt;
  if (updatedAt === undefined || createdAt === undefined) {
    throw new InvalidStreamRecordError('Final upload record cannot be published: no timestamps', streamRecord.eventID);
  }
  return {
    ...image,
    statusRank: image.statusRank ?? STATUS_RANK[image.status],
    transitions: image.transitions,
    createdAt,
    updatedAt,
  } as UploadRecord;
}

function imageOf(image: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (!image || Object.keys(image).length === 0) return undefined;
  // aws-lambda's AttributeValue type and the SDK's describe the same wire format.
  return unmarshall(image as Record<string, SdkAttributeValue>) as Record<string, unknown>;
}
