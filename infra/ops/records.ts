/**
 * Reading the uploads table the way an operator asks: by S3 key, by library file id, by status and
 * time. Every read is a Query on one of the table's indexes (shared/store/tables.ts), never a Scan, so
 * it costs the same on a table of ten records or ten million.
 */
import { GetCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { UPLOADS_INDEXES } from '../../shared/store/tables.ts';
import { RECORD_STATUSES, type RecordStatus, type UploadRecord } from '../../shared/record/upload-record.ts';

export interface RecordsSource {
  client: DynamoDBDocumentClient;
  tableName: string;
}

/** Every version's record of `key` (in `bucket`, when given), newest first. */
export async function recordsByKey(source: RecordsSource, key: string, bucket?: string): Promise<UploadRecord[]> {
  const items = await queryAll(source, {
    IndexName: UPLOADS_INDEXES.byKey.name,
    KeyConditionExpression: '#key = :key',
    ExpressionAttributeNames: { '#key': UPLOADS_INDEXES.byKey.partitionKey },
    ExpressionAttributeValues: { ':key': key },
    ScanIndexForward: false,
  });
  return bucket === undefined ? items : items.filter((record) => record.bucket === bucket);
}

/** The records naming a library file (one, unless the file was uploaded twice). */
export function recordsByLibraryFileId(source: RecordsSource, libraryFileId: string): Promise<UploadRecord[]> {
  return queryAll(source, {
    IndexName: UPLOADS_INDEXES.byLibraryFileId.name,
    KeyConditionExpression: 'libraryFileId = :id',
    ExpressionAttributeValues: { ':id': libraryFileId },
  });
}

export interface ListQuery {
  /** Default: every status. */
  statuses?: readonly RecordStatus[];
  /** Last change at or after this time. */
  since: Date;
  /** Last change at or before this time (default: now). */
  until?: Date;
  /** Keys starting with this. */
  prefix?: string;
  /** At most this many, newest first (default: all). */
  limit?: number;
}

/** Records by status and last change (`updatedAt`), newest first: one Query per status. */
export async function listRecords(source: RecordsSource, query: ListQuery): Promise<UploadRecord[]> {
  const statuses = query.statuses ?? RECORD_STATUSES;
  const index = UPLOADS_INDEXES.byStatus;
  const perStatus = await Promise.all(
    statuses.map((status) =>
      queryAll(
        source,
        {
          IndexName: index.name,
          KeyConditionExpression: '#status = :status AND #updated BETWEEN :since AND :until',
          ExpressionAttributeNames: {
            '#status': index.partitionKey,
            '#updated': index.sortKey,
            ...(query.prefix === undefined ? {} : { '#key': 'key' }),
          },
          ExpressionAttributeValues: {
            ':status': status,
            ':since': query.since.toISOString(),
            ':until': (query.until ?? new Date(Date.now() + 60_000)).toISOString(),
            ...(query.prefix === undefined ? {} : { ':prefix': query.prefix }),
          },
          ...(query.prefix === undefined ? {} : { FilterExpression: 'begins_with(#key, :prefix)' }),
          ScanIndexForward: false,
        },
        query.limit,
      ),
    ),
  );
  const merged = perStatus.flat().sort((a, b) => b.updatedAt.localeCompare(a.updatedAt));
  return query.limit === undefined ? merged : merged.slice(0, query.limit);
}

/** One record, read consistently (after an index query, which is eventually consistent). */
export async function getRecord(source: RecordsSource, objectId: string): Promise<UploadRecord | undefined> {
  const result = await source.client.send(
    new GetCommand({ TableName: source.tableName, Key: { objectId }, ConsistentRead: true }),
  );
  return result.Item as UploadRecord | undefined;
}

type QueryInput = Omit<ConstructorParameters<typeof QueryCommand>[0], 'TableName'>;

async function queryAll(source: RecordsSource, input: QueryInput, limit?: number): Promise<UploadRecord[]> {
  const items: UploadRecord[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await source.client.send(
      new QueryCommand({ ...input, TableName: source.tableName, ExclusiveStartKey: start }),
    );
    items.push(...((page.Items ?? []) as UploadRecord[]));
    start = page.LastEvaluatedKey;
  } while (start !== undefined && (limit === undefined || items.length < limit));
  return items;
}
