/**
 * Re-opening a final record for an operator's retry: the one write that moves a record out of a final
 * status, which the pipeline's own store never does (shared/store/uploads-store.ts). It is conditional
 * on the record being exactly the one the operator looked at (same status, same `updatedAt`), so two
 * retries at once, or a retry racing a late writer, re-open it once.
 *
 * Two ways back, so the library never gets a second copy of a file it already holds:
 * - `recheck`: TimedOut with a library file id. The file is in the library (it was only slow): the
 *   record goes back to Submitted and a fresh status check is queued; nothing is uploaded again.
 * - `reupload`: Rejected, Failed, or TimedOut before any upload. The record goes back to Received and
 *   an ingest message is queued. Ingest then does what it always does: with attempts on the record it
 *   searches the library first and adopts a copy it finds, else it posts. (The library lists no Failed
 *   files, so a copy that failed processing is never adopted: the file is uploaded again.)
 *
 * The record keeps its attempts and gains `retry: { count, previous }`, which its next final event
 * carries (shared/events/build.ts), with an event id of its own.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  RETRYABLE_STATUSES,
  STATUS_RANK,
  type RecordRetry,
  type RetryableStatus,
  type UploadRecord,
} from '../../shared/record/upload-record.ts';

export type RetryMode = 'recheck' | 'reupload';

/** Fields of the previous outcome that must not leak into the next one. */
const OUTCOME_FIELDS = ['errorKey', 'errorMessage', 'url', 'thumbnailUrl', 'width', 'height', 'expiresAt'] as const;
/** Fields of the previous upload, cleared when the file is uploaded again. */
const UPLOAD_FIELDS = [
  'libraryFileId',
  'adopted',
  'pollScheduledAt',
  'leaseId',
  'leaseExpiresAt',
  'attemptLeaseId',
] as const;

export function isRetryable(record: UploadRecord): record is UploadRecord & { status: RetryableStatus } {
  return (RETRYABLE_STATUSES as readonly string[]).includes(record.status);
}

/** How a record is retried (see the module comment). */
export function retryModeOf(record: UploadRecord & { status: RetryableStatus }): RetryMode {
  return record.status === 'TimedOut' && record.libraryFileId !== undefined ? 'recheck' : 'reupload';
}

/** The `retry` the re-opened record carries. */
export function nextRetry(record: UploadRecord & { status: RetryableStatus }): RecordRetry {
  const finalAt = record.transitions?.[record.status];
  return {
    count: (record.retry?.count ?? 0) + 1,
    previous: {
      status: record.status,
      ...(record.errorKey ? { errorKey: record.errorKey } : {}),
      ...(finalAt ? { finalAt } : {}),
    },
  };
}

/**
 * Re-opens `record`; resolves with the new record, or undefined when it changed since it was read
 * (someone else retried it, or the pipeline wrote to it).
 */
export async function reopenRecord(
  client: DynamoDBDocumentClient,
  tableName: string,
  record: UploadRecord & { status: RetryableStatus },
  now: Date = new Date(),
): Promise<UploadRecord | undefined> {
  const mode = retryModeOf(record);
  const status = mode === 'recheck' ? 'Submitted' : 'Received';
  // The transitions after the one the record returns to are the old run's: the new run writes its own.
  const dropped =
    mode === 'recheck'
      ? ['Processing', 'Uploaded', record.status]
      : ['Submitted', 'Processing', 'Uploaded', record.status];
  const removed = [...OUTCOME_FIELDS, ...(mode === 'reupload' ? UPLOAD_FIELDS : ['pollScheduledAt'])];
  const names: Record<string, string> = { '#status': 'status', '#retry': 'retry' };
  removed.forEach((field, i) => (names[`#r${i}`] = field));
  dropped.forEach((transition, i) => (names[`#t${i}`] = transition));
  try {
    const result = await client.send(
      new UpdateCommand({
        TableName: tableName,
        Key: { objectId: record.objectId },
        UpdateExpression:
          'SET #status = :status, statusRank = :rank, #retry = :retry, updatedAt = :now REMOVE ' +
          [...removed.map((_, i) => `#r${i}`), ...dropped.map((_, i) => `transitions.#t${i}`)].join(', '),
        ConditionExpression: '#status = :was AND updatedAt = :wasUpdated',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: {
          ':status': status,
          ':rank': STATUS_RANK[status],
          ':retry': nextRetry(record),
          ':now': now.toISOString(),
          ':was': record.status,
          ':wasUpdated': record.updatedAt,
        },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return result.Attributes as UploadRecord;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return undefined;
    throw error;
  }
}
