/**
 * Creates the two tables the functions use, with the same key schema, index, stream and TTL as the CDK
 * stack (infra/): for tests and the local mode, where there is no CloudFormation.
 *
 * - uploads: partition key `objectId` (S); the GSIs of `UPLOADS_INDEXES` (all attributes projected);
 *   stream NEW_AND_OLD_IMAGES (the outbox read by the publish function); TTL on `expiresAt`.
 * - limits: partition key `pk` (S); TTL on `expiresAt`; no stream (rate-limit tokens must not wake the
 *   publisher).
 */
import {
  CreateTableCommand,
  DescribeTableCommand,
  ResourceInUseException,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';

/** The uploads table's partition key. */
export const UPLOADS_TABLE_KEY = 'objectId';
/** The index finding a record by its library file id. */
export const BY_LIBRARY_FILE_ID_INDEX = 'byLibraryFileId';
/** The uploads table's TTL attribute. */
export const TTL_ATTRIBUTE = 'expiresAt';
/** The limits table's partition key. */
export const LIMITS_TABLE_KEY = 'pk';

/** A global secondary index of the uploads table: string keys, every attribute projected. */
export interface UploadsIndex {
  readonly name: string;
  readonly partitionKey: string;
  readonly sortKey?: string;
}

/**
 * The uploads table's indexes, declared once for the stack and for `createUploadsTable`:
 * - `byLibraryFileId`: the record naming a library file (ingest's search, `ops status <file id>`);
 * - `byKey`: every version's record of one S3 key, newest first (`ops status <key>`);
 * - `byStatus`: records by status and last change (`ops list`, `ops retry --status`, local `ops replay`);
 * - `byETag`: the records of one content (eTag), so a renamed key can take over its old key's file.
 */
export const UPLOADS_INDEXES = {
  byLibraryFileId: { name: BY_LIBRARY_FILE_ID_INDEX, partitionKey: 'libraryFileId' },
  byKey: { name: 'byKey', partitionKey: 'key', sortKey: 'createdAt' },
  byStatus: { name: 'byStatus', partitionKey: 'status', sortKey: 'updatedAt' },
  byETag: { name: 'byETag', partitionKey: 'eTag' },
} as const satisfies Record<string, UploadsIndex>;

/** Creates the uploads table (idempotent: an existing table is left as it is). */
export async function createUploadsTable(client: DynamoDBClient, tableName: string): Promise<void> {
  await createIfMissing(client, tableName, {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [UPLOADS_TABLE_KEY, ...indexAttributes()].map((name) => ({
      AttributeName: name,
      AttributeType: 'S',
    })),
    KeySchema: [{ AttributeName: UPLOADS_TABLE_KEY, KeyType: 'HASH' }],
    GlobalSecondaryIndexes: Object.values(UPLOADS_INDEXES).map((index: UploadsIndex) => ({
      IndexName: index.name,
      KeySchema: [
        { AttributeName: index.partitionKey, KeyType: 'HASH' as const },
        ...(index.sortKey === undefined ? [] : [{ AttributeName: index.sortKey, KeyType: 'RANGE' as const }]),
      ],
      Projection: { ProjectionType: 'ALL' },
    })),
    StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' },
  });
}

function indexAttributes(): string[] {
  const names = Object.values(UPLOADS_INDEXES).flatMap((index: UploadsIndex) => [index.partitionKey, index.sortKey]);
  return [...new Set(names.filter((name): name is string => name !== undefined))];
}

/** Creates the rate-limits table (idempotent). */
export async function createLimitsTable(client: DynamoDBClient, tableName: string): Promise<void> {
  await createIfMissing(client, tableName, {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [{ AttributeName: LIMITS_TABLE_KEY, AttributeType: 'S' }],
    KeySchema: [{ AttributeName: LIMITS_TABLE_KEY, KeyType: 'HASH' }],
  });
}

async function createIfMissing(
  client: DynamoDBClient,
  tableName: string,
  input: ConstructorParameters<typeof CreateTableCommand>[0],
): Promise<void> {
  try {
    await client.send(new CreateTableCommand(input));
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
  }
  await waitUntilTableExists({ client, maxWaitTime: 60, minDelay: 1 }, { TableName: tableName });
  const description = await client.send(new DescribeTableCommand({ TableName: tableName }));
  if (description.Table?.TableStatus !== 'ACTIVE')
    throw new Error(`Table ${tableName} is ${description.Table?.TableStatus}`);
  try {
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: tableName,
        TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true },
      }),
    );
  } catch (error) {
    // Enabling TTL twice is refused ("TimeToLive is already enabled"): that is the state we want.
    if (!/already enabled/i.test(String((error as Error).message))) throw error;
  }
}
