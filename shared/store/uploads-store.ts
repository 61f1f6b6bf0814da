/**
 * The uploads table: one item per S3 object version (shared/record/upload-record.ts), the pipeline's source
 * of truth. Every write is conditional, so concurrent and late writers cannot undo each other:
 * - a version is claimed once (`attribute_not_exists`): duplicate notifications find the existing item;
 * - one uploader at a time holds a lease with an expiry; a crashed holder's lease runs out;
 * - the status only moves up `statusRank`, and a final status (rank 9) is never overwritten.
 * The table's stream publishes whatever lands here, so nothing else writes to it.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import {
  STATUS_RANK,
  type FinalStatus,
  type ObjectRef,
  type Replacement,
  type SyncStatus,
  type UploadRecord,
} from '../record/upload-record.ts';
import { objectIdOf } from '../record/object-id.ts';
import { BY_LIBRARY_FILE_ID_INDEX, UPLOADS_INDEXES } from './tables.ts';

const FINAL_RANK = 9;

/** The table, its client and the record settings. */
export interface UploadsStoreOptions {
  client: DynamoDBDocumentClient;
  tableName: string;
  /** Records in a final state expire this many days later (DynamoDB TTL); 0 = never. */
  recordTtlDays?: number;
  now?: () => Date;
}

/** What a first upload attempt learnt about the file: stored before the POST, so a resumed attempt can find it. */
export interface AttemptDetails {
  fileName: string;
  description: string;
  fileType: string;
  contentType: string;
  folderId: string;
  folderPath?: string;
  size: number;
}

/** What a final record keeps besides its status. */
export interface FinalDetails {
  errorKey?: string;
  errorMessage?: string;
  url?: string;
  thumbnailUrl?: string;
  width?: number;
  height?: number;
  size?: number;
  /** The upload details, when the record is finalised by ingest (a rejection). */
  fileName?: string;
  fileType?: string;
  folderId?: string;
  folderPath?: string;
  description?: string;
  /** True when a status check led here (counts `polls`). */
  countCheck?: boolean;
}

/** The record, and whether this delivery created it. */
export type ClaimOutcome = { claimed: true; record: UploadRecord } | { claimed: false; record: UploadRecord };
/** Whether the lease is ours, and the record as found. */
export type LeaseOutcome =
  { acquired: true; record: UploadRecord } | { acquired: false; record: UploadRecord | undefined };
/** Whether the write applied, and the record after it (or as found). */
export type FinalOutcome =
  { applied: true; record: UploadRecord } | { applied: false; record: UploadRecord | undefined };
/** What a status check did to the record. */
export type ProgressOutcome = 'advanced' | 'unchanged' | 'final' | 'missing';

/** Thrown when the lease was taken over (our attempt outlived it): the caller must stop. */
export class LeaseLostError extends Error {
  constructor(objectId: string) {
    super(`Upload lease on ${objectId} is no longer held by this attempt`);
    this.name = 'LeaseLostError';
  }
}

/** The uploads table's reads and conditional writes (docs/pipeline.md lists each condition). */
export class UploadsStore {
  private readonly client: DynamoDBDocumentClient;
  private readonly tableName: string;
  private readonly recordTtlDays: number;
  private readonly now: () => Date;

  constructor(options: UploadsStoreOptions) {
    this.client = options.client;
    this.tableName = options.tableName;
    this.recordTtlDays = options.recordTtlDays ?? 0;
    this.now = options.now ?? (() => new Date());
  }

  async get(objectId: string): Promise<UploadRecord | undefined> {
    const result = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: { objectId }, ConsistentRead: true }),
    );
    return result.Item as UploadRecord | undefined;
  }

  /** Every record that names this library file (normally one; more would mean a duplicate upload). */
  async findByLibraryFileId(libraryFileId: string): Promise<UploadRecord[]> {
    const result = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: BY_LIBRARY_FILE_ID_INDEX,
        KeyConditionExpression: 'libraryFileId = :id',
        ExpressionAttributeValues: { ':id': libraryFileId },
      }),
    );
    return (result.Items ?? []) as UploadRecord[];
  }

  /** The records of objects with this content (the `byETag` index; one page is plenty for one eTag). */
  async findByETag(eTag: string): Promise<UploadRecord[]> {
    const result = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: UPLOADS_INDEXES.byETag.name,
        KeyConditionExpression: 'eTag = :eTag',
        ExpressionAttributeValues: { ':eTag': eTag },
      }),
    );
    return (result.Items ?? []) as UploadRecord[];
  }

  /** Every version's record of one S3 key (all pages of the `byKey` index). */
  async findByKey(key: string): Promise<UploadRecord[]> {
    const records: UploadRecord[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const result = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: UPLOADS_INDEXES.byKey.name,
          KeyConditionExpression: '#key = :key',
          ExpressionAttributeNames: { '#key': UPLOADS_INDEXES.byKey.partitionKey },
          ExpressionAttributeValues: { ':key': key },
          ...(start === undefined ? {} : { ExclusiveStartKey: start }),
        }),
      );
      records.push(...((result.Items ?? []) as UploadRecord[]));
      start = result.LastEvaluatedKey;
    } while (start !== undefined);
    return records;
  }

  /**
   * Ends an Active record whose file the bucket no longer holds (`Replaced` or `Removed`), once: only an
   * Active record naming `libraryFileId` moves, so a duplicate or late delivery changes nothing.
   */
  async recordSynced(
    objectId: string,
    libraryFileId: string,
    status: SyncStatus,
    details: { trashed: boolean; replacedBy?: Replacement },
  ): Promise<FinalOutcome> {
    const now = this.now();
    const values: Record<string, unknown> = {
      ':status': status,
      ':rank': STATUS_RANK[status],
      ':now': now.toISOString(),
      ':active': 'Active',
      ':fileId': libraryFileId,
      ':trashed': details.trashed,
    };
    const sets = ['#status = :status', 'statusRank = :rank', 'transitions.#transition = :now', 'updatedAt = :now'];
    sets.push('trashed = :trashed');
    if (details.replacedBy !== undefined) {
      values[':replacedBy'] = details.replacedBy;
      sets.push('replacedBy = :replacedBy');
    }
    if (this.recordTtlDays > 0) {
      values[':expiresAt'] = Math.floor(now.getTime() / 1000) + this.recordTtlDays * 86_400;
      sets.push('expiresAt = :expiresAt');
    }
    try {
      const result = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { objectId },
          UpdateExpression: `SET ${sets.join(', ')}`,
          ConditionExpression: '#status = :active AND libraryFileId = :fileId',
          ExpressionAttributeNames: { '#status': 'status', '#transition': status },
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
        }),
      );
      return { applied: true, record: result.Attributes as UploadRecord };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      return { applied: false, record: await this.get(objectId) };
    }
  }

  /** Creates the `Received` record for this version unless one exists; returns the record either way. */
  async claim(ref: ObjectRef): Promise<ClaimOutcome> {
    const now = this.now().toISOString();
    const record: UploadRecord = {
      objectId: objectIdOf(ref),
      bucket: ref.bucket,
      key: ref.key,
      ...(ref.versionId === undefined ? {} : { versionId: ref.versionId }),
      ...(ref.eTag === undefined ? {} : { eTag: ref.eTag }),
      ...(ref.size === undefined ? {} : { size: ref.size }),
      ...(ref.sequencer === undefined ? {} : { sequencer: ref.sequencer }),
      status: 'Received',
      statusRank: STATUS_RANK.Received,
      attempts: 0,
      transitions: { Received: now },
      createdAt: now,
      updatedAt: now,
    };
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: record,
          ConditionExpression: 'attribute_not_exists(objectId)',
        }),
      );
      return { claimed: true, record };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const existing = await this.get(record.objectId);
      if (existing === undefined)
        throw new Error(`Record ${record.objectId} exists and yet cannot be read`, { cause: error });
      return { claimed: false, record: existing };
    }
  }

  /**
   * Takes the upload lease if nobody holds a live one and the version still needs uploading (not
   * final, no library file yet). `leaseMs` should outlast the invocation: after it, the holder is dead.
   */
  async acquireLease(objectId: string, leaseId: string, leaseMs: number): Promise<LeaseOutcome> {
    const nowMs = this.now().getTime();
    try {
      const result = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { objectId },
          UpdateExpression: 'SET leaseId = :lease, leaseExpiresAt = :until, updatedAt = :now',
          ConditionExpression:
            'attribute_exists(objectId) AND statusRank < :final AND attribute_not_exists(libraryFileId) AND ' +
            '(attribute_not_exists(leaseExpiresAt) OR leaseExpiresAt < :nowMs OR leaseId = :lease)',
          ExpressionAttributeValues: {
            ':lease': leaseId,
            ':until': nowMs + leaseMs,
            ':now': new Date(nowMs).toISOString(),
            ':nowMs': nowMs,
            ':final': FINAL_RANK,
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return { acquired: true, record: result.Attributes as UploadRecord };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      return { acquired: false, record: await this.get(objectId) };
    }
  }

  /** Gives the lease up (the work was handed to a re-sent message, or failed): best left to expire otherwise. */
  async releaseLease(objectId: string, leaseId: string): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { objectId },
          UpdateExpression: 'REMOVE leaseId, leaseExpiresAt',
          ConditionExpression: 'leaseId = :lease',
          ExpressionAttributeValues: { ':lease': leaseId },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  /**
   * Counts an upload attempt and stores what will be sent, just before the POST. From here on a lost
   * answer means "the file may exist in the library": the next attempt searches before posting.
   */
  async beginAttempt(objectId: string, leaseId: string, details: AttemptDetails): Promise<UploadRecord> {
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {
      ':lease': leaseId,
      ':one': 1,
      ':now': this.now().toISOString(),
      ':final': FINAL_RANK,
    };
    const sets = ['updatedAt = :now'];
    for (const [field, value] of Object.entries(details)) {
      if (value === undefined) continue;
      names[`#${field}`] = field;
      values[`:${field}`] = value;
      sets.push(`#${field} = :${field}`);
    }
    try {
      const result = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { objectId },
          UpdateExpression: `SET ${sets.join(', ')}, attemptLeaseId = :lease ADD attempts :one`,
          ConditionExpression: 'leaseId = :lease AND statusRank < :final AND attribute_not_exists(libraryFileId)',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
        }),
      );
      return result.Attributes as UploadRecord;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) throw new LeaseLostError(objectId);
      throw error;
    }
  }

  /**
   * Takes back the attempt `beginAttempt` counted when the upload certainly stored nothing (it was never
   * sent, or the API refused it): the next attempt then posts at once instead of first searching the
   * library, which would spend requests, and daily quota, on a file that cannot be there. Only this
   * lease's own count is taken back, so an earlier attempt that may have reached the API still counts.
   */
  async abandonAttempt(objectId: string, leaseId: string): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { objectId },
          // attemptLeaseId names the attempt: each can be taken back once, and only by its own lease.
          UpdateExpression: 'SET updatedAt = :now REMOVE attemptLeaseId ADD attempts :minusOne',
          ConditionExpression:
            'leaseId = :lease AND attemptLeaseId = :lease AND attempts > :zero AND attribute_not_exists(libraryFileId)',
          ExpressionAttributeValues: {
            ':lease': leaseId,
            ':minusOne': -1,
            ':zero': 0,
            ':now': this.now().toISOString(),
          },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      // The lease was lost meanwhile: the new holder searches first, which is merely cautious.
    }
  }

  /** Records the library file id (from the 202, or adopted after a search) and frees the lease. */
  async recordSubmitted(
    objectId: string,
    libraryFileId: string,
    options: { adopted?: boolean } = {},
  ): Promise<FinalOutcome> {
    const now = this.now().toISOString();
    try {
      const result = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { objectId },
          UpdateExpression:
            'SET #status = :status, statusRank = :rank, libraryFileId = :fileId, transitions.#transition = :now, updatedAt = :now' +
            (options.adopted ? ', adopted = :true' : '') +
            ' REMOVE leaseId, leaseExpiresAt',
          ConditionExpression:
            'attribute_exists(objectId) AND statusRank < :rank AND attribute_not_exists(libraryFileId)',
          ExpressionAttributeNames: { '#status': 'status', '#transition': 'Submitted' },
          ExpressionAttributeValues: {
            ':status': 'Submitted',
            ':rank': STATUS_RANK.Submitted,
            ':fileId': libraryFileId,
            ':now': now,
            ...(options.adopted ? { ':true': true } : {}),
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return { applied: true, record: result.Attributes as UploadRecord };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      return { applied: false, record: await this.get(objectId) };
    }
  }

  /** Notes that the first status check is queued; false when someone already had. */
  async markPollScheduled(objectId: string): Promise<boolean> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { objectId },
          UpdateExpression: 'SET pollScheduledAt = :now',
          ConditionExpression: 'attribute_exists(objectId) AND attribute_not_exists(pollScheduledAt)',
          ExpressionAttributeValues: { ':now': this.now().toISOString() },
        }),
      );
      return true;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      return false;
    }
  }

  /** A status check saw Processing or Uploaded: move up if that is progress, count the check either way. */
  async recordProgress(
    objectId: string,
    status: 'Processing' | 'Uploaded',
    guard: RecordGuard = {},
  ): Promise<ProgressOutcome> {
    const now = this.now().toISOString();
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { objectId },
          UpdateExpression:
            'SET #status = :status, statusRank = :rank, transitions.#transition = :now, updatedAt = :now ADD polls :one',
          ConditionExpression: `attribute_exists(objectId) AND statusRank < :rank${guardCondition(guard)}`,
          ExpressionAttributeNames: { '#status': 'status', '#transition': status },
          ExpressionAttributeValues: {
            ':status': status,
            ':rank': STATUS_RANK[status],
            ':now': now,
            ':one': 1,
            ...guardValues(guard),
          },
        }),
      );
      return 'advanced';
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
    const counted = await this.recordCheck(objectId, guard);
    return counted === 'counted' ? 'unchanged' : counted;
  }

  /**
   * Counts a status check that changed nothing (the id was not reported, or an unknown status).
   * 'final' also covers a record that is no longer about the guarded file: either way, stop checking.
   */
  async recordCheck(objectId: string, guard: RecordGuard = {}): Promise<'counted' | 'final' | 'missing'> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { objectId },
          UpdateExpression: 'SET updatedAt = :now ADD polls :one',
          ConditionExpression: `attribute_exists(objectId) AND statusRank < :final${guardCondition(guard)}`,
          ExpressionAttributeValues: {
            ':now': this.now().toISOString(),
            ':one': 1,
            ':final': FINAL_RANK,
            ...guardValues(guard),
          },
        }),
      );
      return 'counted';
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      return (await this.get(objectId)) === undefined ? 'missing' : 'final';
    }
  }

  /** Moves the record to a final status, once: a record already final is left untouched. */
  async recordFinal(
    objectId: string,
    status: FinalStatus,
    details: FinalDetails = {},
    guard: RecordGuard = {},
  ): Promise<FinalOutcome> {
    const now = this.now();
    const names: Record<string, string> = { '#status': 'status', '#transition': status };
    const values: Record<string, unknown> = {
      ':status': status,
      ':rank': STATUS_RANK[status],
      ':now': now.toISOString(),
    };
    const sets = ['#status = :status', 'statusRank = :rank', 'transitions.#transition = :now', 'updatedAt = :now'];
    const { countCheck, ...fields } = details;
    for (const [field, value] of Object.entries(fields)) {
      if (value === undefined) continue;
      names[`#${field}`] = field;
      values[`:${field}`] = value;
      sets.push(`#${field} = :${field}`);
    }
    if (this.recordTtlDays > 0) {
      values[':expiresAt'] = Math.floor(now.getTime() / 1000) + this.recordTtlDays * 86_400;
      sets.push('expiresAt = :expiresAt');
    }
    if (countCheck) values[':one'] = 1;
    try {
      const result = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { objectId },
          UpdateExpression: `SET ${sets.join(', ')}${countCheck ? ' ADD polls :one' : ''} REMOVE leaseId, leaseExpiresAt`,
          ConditionExpression: `attribute_exists(objectId) AND statusRank < :rank${guardCondition(guard)}`,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: { ...values, ...guardValues(guard) },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return { applied: true, record: result.Attributes as UploadRecord };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      return { applied: false, record: await this.get(objectId) };
    }
  }
}

/** An extra condition for status updates: a status check only applies to the file it was about. */
export interface RecordGuard {
  libraryFileId?: string;
}

function guardCondition(guard: RecordGuard): string {
  return guard.libraryFileId === undefined ? '' : ' AND libraryFileId = :guardFileId';
}

function guardValues(guard: RecordGuard): Record<string, string> {
  return guard.libraryFileId === undefined ? {} : { ':guardFileId': guard.libraryFileId };
}
