/** API keys in the DynamoDB table: the record under the key's SHA-256, an id → hash item for revoking, an index for listing. */

import { GetItemCommand, QueryCommand, TransactWriteItemsCommand, UpdateItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { ApiKeyRecord, KeyRole, KeyStore } from '../store-types.js';
import { lookupHashOf, newApiKey, type RandomBytes } from '../api-key-hash.js';
import { number, readNumber, readText, requireNumber, requireText, text, type Item } from './dynamodb-attributes.js';
import { awsErrorName } from './dynamodb-client.js';
import { apiKeyKeys, attributeNames, keyIndexName } from './dynamodb-item-keys.js';

function toRecord(item: Item): ApiKeyRecord {
  const record: ApiKeyRecord = {
    id: requireText(item, 'id'),
    tenant: requireText(item, 'tenant'),
    role: requireText(item, 'role') as KeyRole,
    tier: requireText(item, 'tier'),
    createdAt: requireNumber(item, 'createdAt'),
  };
  const revokedAt = readNumber(item, 'revokedAt');
  if (revokedAt !== undefined) record.revokedAt = revokedAt;
  return record;
}

function key(partition: string, sort: string): Item {
  return { [attributeNames.partitionKey]: text(partition), [attributeNames.sortKey]: text(sort) };
}

export class DynamoDbKeyStore implements KeyStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly table: string,
    private readonly now: () => number,
    private readonly randomBytes?: RandomBytes,
  ) {}

  async create(input: { tenant: string; role?: KeyRole; tier?: string }): Promise<{ key: string; record: ApiKeyRecord }> {
    const { key: plainKey, keyHash, record } = newApiKey(input, this.now(), this.randomBytes);
    const condition = { ConditionExpression: 'attribute_not_exists(#pk)', ExpressionAttributeNames: { '#pk': attributeNames.partitionKey } };
    await this.client.send(
      new TransactWriteItemsCommand({
        TransactItems: [
          {
            Put: {
              TableName: this.table,
              Item: {
                ...key(apiKeyKeys.byHash(keyHash), apiKeyKeys.byHashSort),
                id: text(record.id),
                tenant: text(record.tenant),
                role: text(record.role),
                tier: text(record.tier),
                createdAt: number(record.createdAt),
                [attributeNames.keyIndexPartition]: text(apiKeyKeys.indexPartition),
                [attributeNames.keyIndexSort]: text(apiKeyKeys.indexSort(record.createdAt, record.id)),
              },
              ...condition,
            },
          },
          { Put: { TableName: this.table, Item: { ...key(apiKeyKeys.byId(record.id), apiKeyKeys.byIdSort), keyHash: text(keyHash) }, ...condition } },
        ],
      }),
    );
    return { key: plainKey, record };
  }

  async verify(presented: string): Promise<ApiKeyRecord | undefined> {
    const keyHash = lookupHashOf(presented);
    if (keyHash === undefined) return undefined;
    const { Item: item } = await this.client.send(
      new GetItemCommand({ TableName: this.table, Key: key(apiKeyKeys.byHash(keyHash), apiKeyKeys.byHashSort), ConsistentRead: true }),
    );
    if (item === undefined) return undefined;
    const record = toRecord(item);
    return record.revokedAt === undefined ? record : undefined;
  }

  async #query(filter: { expression: string; names: Record<string, string>; values: Item } | undefined, countOnly: boolean): Promise<{ items: Item[]; count: number }> {
    const items: Item[] = [];
    let count = 0;
    let startKey: Item | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.table,
          IndexName: keyIndexName,
          KeyConditionExpression: '#gsi2pk = :all',
          FilterExpression: filter?.expression,
          ExpressionAttributeNames: { '#gsi2pk': attributeNames.keyIndexPartition, ...filter?.names },
          ExpressionAttributeValues: { ':all': text(apiKeyKeys.indexPartition), ...filter?.values },
          Select: countOnly ? 'COUNT' : 'ALL_ATTRIBUTES',
          ExclusiveStartKey: startKey,
        }),
      );
      items.push(...(page.Items ?? []));
      count += page.Count ?? 0;
      startKey = page.LastEvaluatedKey;
    } while (startKey !== undefined);
    return { items, count };
  }

  async list(tenant?: string): Promise<ApiKeyRecord[]> {
    const filter = tenant === undefined ? undefined : { expression: '#tenant = :tenant', names: { '#tenant': 'tenant' }, values: { ':tenant': text(tenant) } };
    // The index sorts by `<createdAt>#<id>`: creation order, ties by id.
    return (await this.#query(filter, false)).items.map(toRecord);
  }

  async revoke(id: string): Promise<boolean> {
    if (typeof id !== 'string' || id.length === 0) return false;
    const { Item: pointer } = await this.client.send(new GetItemCommand({ TableName: this.table, Key: key(apiKeyKeys.byId(id), apiKeyKeys.byIdSort), ConsistentRead: true }));
    const keyHash = pointer === undefined ? undefined : readText(pointer, 'keyHash');
    if (keyHash === undefined) return false;
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.table,
          Key: key(apiKeyKeys.byHash(keyHash), apiKeyKeys.byHashSort),
          UpdateExpression: 'SET #revokedAt = :now',
          ConditionExpression: 'attribute_exists(#pk) AND attribute_not_exists(#revokedAt)',
          ExpressionAttributeNames: { '#pk': attributeNames.partitionKey, '#revokedAt': 'revokedAt' },
          ExpressionAttributeValues: { ':now': number(this.now()) },
        }),
      );
      return true;
    } catch (error) {
      if (awsErrorName(error) === 'ConditionalCheckFailedException') return false;
      throw error;
    }
  }

  async count(): Promise<number> {
    return (await this.#query({ expression: 'attribute_not_exists(#revokedAt)', names: { '#revokedAt': 'revokedAt' }, values: {} }, true)).count;
  }
}
