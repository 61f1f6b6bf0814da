/**
 * Where a backfill stands, kept in the stage (an item of the limits table), not on the operator's
 * machine: the last key whose message is on the queue, and the counts so far. The same command, run
 * again by anyone with access to the stage, continues after that key; a finished pass is marked so the
 * next run starts a new one. Written after every page and on interruption, so a crash repeats at most
 * one page, which ingest's claim makes harmless.
 */
import { DeleteCommand, GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { LIMITS_TABLE_KEY } from '../../../shared/store/tables.ts';
import type { SkipReason } from './eligibility.ts';

/** What a pass has counted. */
export interface BackfillCounts {
  listed: number;
  alreadyDone: number;
  enqueued: number;
  skipped: Record<SkipReason, number>;
}

export interface Checkpoint {
  /**
   * The last key handled (enqueued, skipped or found done); the next run lists after it. An inventory
   * run resumes by position instead: it skips the first `counts.listed` objects of the report.
   */
  lastKey?: string;
  counts: BackfillCounts;
  startedAt: string;
  updatedAt: string;
  finishedAt?: string;
}

/** The item's partition key: one backfill per bucket, listing prefix, `--since` and inventory. */
export function checkpointKey(bucket: string, prefix: string, since: Date | undefined, inventory?: string): string {
  const sincepart = since ? `#since=${since.toISOString()}` : '';
  return `backfill#s3://${bucket}/${prefix}${sincepart}${inventory ? `#inventory=${inventory}` : ''}`;
}

export function emptyCounts(): BackfillCounts {
  return {
    listed: 0,
    alreadyDone: 0,
    enqueued: 0,
    skipped: { 'outside-prefix': 0, 'unsupported-type': 0, 'folder-marker': 0, 'before-since': 0 },
  };
}

export interface CheckpointStore {
  read(): Promise<Checkpoint | undefined>;
  write(checkpoint: Checkpoint): Promise<void>;
  clear(): Promise<void>;
}

/** The checkpoint item `key` of the limits table. */
export function checkpointStore(client: DynamoDBDocumentClient, tableName: string, key: string): CheckpointStore {
  const Key = { [LIMITS_TABLE_KEY]: key };
  return {
    async read() {
      const result = await client.send(new GetCommand({ TableName: tableName, Key, ConsistentRead: true }));
      return result.Item === undefined ? undefined : (result.Item['checkpoint'] as Checkpoint);
    },
    async write(checkpoint) {
      await client.send(new PutCommand({ TableName: tableName, Item: { ...Key, checkpoint } }));
    },
    async clear() {
      await client.send(new DeleteCommand({ TableName: tableName, Key }));
    },
  };
}
