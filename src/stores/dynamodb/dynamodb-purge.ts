/** Deletes every item of a partition whose sort key starts with a prefix: 25 at a time, retrying what DynamoDB leaves unprocessed. */

import { BatchWriteItemCommand, QueryCommand, type DynamoDBClient, type WriteRequest } from '@aws-sdk/client-dynamodb';
import { text, type Item } from './dynamodb-attributes.js';
import { attributeNames } from './dynamodb-item-keys.js';

const batchSize = 25;
const unprocessedAttempts = 5;

async function writeBatch(client: DynamoDBClient, table: string, requests: WriteRequest[]): Promise<void> {
  let pending = requests;
  for (let attempt = 1; pending.length > 0; attempt++) {
    const { UnprocessedItems } = await client.send(new BatchWriteItemCommand({ RequestItems: { [table]: pending } }));
    pending = UnprocessedItems?.[table] ?? [];
    if (pending.length === 0) return;
    if (attempt >= unprocessedAttempts) throw new Error(`DynamoDB left ${pending.length} deletes unprocessed after ${attempt} attempts`);
    await new Promise((resolve) => setTimeout(resolve, 25 * 2 ** attempt));
  }
}

export async function deleteItemsWithPrefix(client: DynamoDBClient, table: string, partition: string, sortKeyPrefix: string): Promise<number> {
  let deleted = 0;
  let startKey: Item | undefined;
  do {
    const page = await client.send(
      new QueryCommand({
        TableName: table,
        KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
        ExpressionAttributeNames: { '#pk': attributeNames.partitionKey, '#sk': attributeNames.sortKey },
        ExpressionAttributeValues: { ':pk': text(partition), ':prefix': text(sortKeyPrefix) },
        ProjectionExpression: '#pk, #sk',
        ExclusiveStartKey: startKey,
      }),
    );
    const keys = page.Items ?? [];
    for (let offset = 0; offset < keys.length; offset += batchSize) {
      await writeBatch(client, table, keys.slice(offset, offset + batchSize).map((key) => ({ DeleteRequest: { Key: key } })));
    }
    deleted += keys.length;
    startKey = page.LastEvaluatedKey;
  } while (startKey !== undefined);
  return deleted;
}
