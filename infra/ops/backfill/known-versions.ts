/**
 * Which object versions already have a record: BatchGetItem on the uploads table's key (100 ids a
 * call, read consistently), so a page of 1,000 listed objects costs 10 reads, not 1,000. Only a skip
 * to save the queue and the ingest function the work: the claim in ingest is what makes a version
 * upload once, so a record written between this read and the message is still harmless.
 */
import { BatchGetCommand, type BatchGetCommandOutput, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

const BATCH_GET_LIMIT = 100;

/** The subset of `objectIds` that have a record. */
export async function recordedObjectIds(
  client: DynamoDBDocumentClient,
  tableName: string,
  objectIds: readonly string[],
): Promise<Set<string>> {
  const found = new Set<string>();
  for (let i = 0; i < objectIds.length; i += BATCH_GET_LIMIT) {
    let keys: Record<string, unknown>[] | undefined = objectIds
      .slice(i, i + BATCH_GET_LIMIT)
      .map((objectId) => ({ objectId }));
    // DynamoDB may answer part of a batch and return the rest as UnprocessedKeys: ask again for those.
    while (keys && keys.length > 0) {
      const result: BatchGetCommandOutput = await client.send(
        new BatchGetCommand({
          RequestItems: { [tableName]: { Keys: keys, ConsistentRead: true, ProjectionExpression: 'objectId' } },
        }),
      );
      for (const item of result.Responses?.[tableName] ?? []) found.add(item['objectId'] as string);
      keys = result.UnprocessedKeys?.[tableName]?.Keys;
    }
  }
  return found;
}
