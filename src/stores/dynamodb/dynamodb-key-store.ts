/** API keys in the DynamoDB table: the record under the key's SHA-256, an id → hash item for revoking, an index for listing. */

import { randomUUID } from 'node:crypto';
import { GetItemCommand, QueryCommand, TransactWriteItemsCommand, UpdateItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { ApiKeyRecord, KeyBudget, KeyRole, KeyStore, NewKeyInput } from '../store-types.js';
import { firstAdminMarker, importedApiKey, isLiveKey, keyRecordOf, lookupHashOf, newApiKey, type RandomBytes } from '../api-key-hash.js';
import { number, readNumber, readText, requireNumber, requireText, text, type Item } from './dynamodb-attributes.js';
import { awsErrorName } from './dynamodb-client.js';
import { apiKeyKeys, attributeNames, keyIndexName } from './dynamodb-item-keys.js';

function toRecord(item: Item): ApiKeyRecord {
  const budget = readText(item, 'budget');
  return keyRecordOf({
    id: requireText(item, 'id'),
    tenant: requireText(item, 'tenant'),
    role: requireText(item, 'role') as KeyRole,
    tier: requireText(item, 'tier'),
    createdAt: requireNumber(item, 'createdAt'),
    revokedAt: readNumber(item, 'revokedAt'),
    expiresAt: readNumber(item, 'keyExpiresAt'),
    budget: budget === undefined ? undefined : (JSON.parse(budget) as KeyBudget),
  });
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

  /** The record and id-pointer puts of one key, each only if absent (and, when given, a marker claimed in the same transaction). */
  #putKey(keyHash: string, record: ApiKeyRecord, marker?: string): TransactWriteItemsCommand {
    const condition = { ConditionExpression: 'attribute_not_exists(#pk)', ExpressionAttributeNames: { '#pk': attributeNames.partitionKey } };
    const item: Item = {
      ...key(apiKeyKeys.byHash(keyHash), apiKeyKeys.byHashSort),
      id: text(record.id),
      tenant: text(record.tenant),
      role: text(record.role),
      tier: text(record.tier),
      createdAt: number(record.createdAt),
      [attributeNames.keyIndexPartition]: text(apiKeyKeys.indexPartition),
      [attributeNames.keyIndexSort]: text(apiKeyKeys.indexSort(record.createdAt, record.id)),
    };
    // Not `expiresAt`: that attribute is the table's TTL, and an expired key's record is kept for the audit.
    if (record.expiresAt !== undefined) item.keyExpiresAt = number(record.expiresAt);
    if (record.budget !== undefined) item.budget = text(JSON.stringify(record.budget));
    const puts = [
      { Put: { TableName: this.table, Item: item, ...condition } },
      { Put: { TableName: this.table, Item: { ...key(apiKeyKeys.byId(record.id), apiKeyKeys.byIdSort), keyHash: text(keyHash) }, ...condition } },
    ];
    if (marker !== undefined) puts.push({ Put: { TableName: this.table, Item: { ...key(apiKeyKeys.marker(marker), apiKeyKeys.markerSort), keyId: text(record.id) }, ...condition } });
    return new TransactWriteItemsCommand({ TransactItems: puts });
  }

  /**
   * Sends a conditional put; false when a condition failed (the item was there already). A
   * transaction that lost a race on the same items without a verdict (TransactionConflict) is
   * sent again, so the answer is always the store's; the request token makes the SDK's own
   * retries of a lost answer succeed rather than fail their own condition.
   */
  async #putIfAbsent(command: TransactWriteItemsCommand): Promise<boolean> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.client.send(new TransactWriteItemsCommand({ ...command.input, ClientRequestToken: randomUUID() }));
        return true;
      } catch (error) {
        if (awsErrorName(error) !== 'TransactionCanceledException') throw error;
        const reasons = (error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? [];
        if (reasons.some((reason) => reason.Code === 'ConditionalCheckFailed')) return false;
        if (attempt >= 5 || !reasons.some((reason) => reason.Code === 'TransactionConflict')) throw error;
      }
    }
  }

  async create(input: NewKeyInput): Promise<{ key: string; record: ApiKeyRecord }> {
    const { key: plainKey, keyHash, record } = newApiKey(input, this.now(), this.randomBytes);
    await this.client.send(this.#putKey(keyHash, record));
    return { key: plainKey, record };
  }

  async createFirstAdmin(input: { tenant: string }): Promise<{ key: string; record: ApiKeyRecord } | undefined> {
    const { key: plainKey, keyHash, record } = newApiKey({ tenant: input.tenant, role: 'admin' }, this.now(), this.randomBytes);
    return (await this.#putIfAbsent(this.#putKey(keyHash, record, firstAdminMarker))) ? { key: plainKey, record } : undefined;
  }

  async importKey(plainKey: string, input: NewKeyInput): Promise<{ record: ApiKeyRecord; created: boolean }> {
    const { keyHash, record } = importedApiKey(plainKey, input, this.now());
    if (await this.#putIfAbsent(this.#putKey(keyHash, record))) return { record, created: true };
    const { Item: item } = await this.client.send(new GetItemCommand({ TableName: this.table, Key: key(apiKeyKeys.byHash(keyHash), apiKeyKeys.byHashSort), ConsistentRead: true }));
    if (item === undefined) throw new Error(`importing key ${record.id}: the put was refused but no record is stored`);
    return { record: toRecord(item), created: false };
  }

  async get(id: string): Promise<ApiKeyRecord | undefined> {
    if (typeof id !== 'string' || id.length === 0) return undefined;
    const { Item: pointer } = await this.client.send(new GetItemCommand({ TableName: this.table, Key: key(apiKeyKeys.byId(id), apiKeyKeys.byIdSort), ConsistentRead: true }));
    const keyHash = pointer === undefined ? undefined : readText(pointer, 'keyHash');
    if (keyHash === undefined) return undefined;
    const { Item: item } = await this.client.send(new GetItemCommand({ TableName: this.table, Key: key(apiKeyKeys.byHash(keyHash), apiKeyKeys.byHashSort), ConsistentRead: true }));
    return item === undefined ? undefined : toRecord(item);
  }

  async verify(presented: string): Promise<ApiKeyRecord | undefined> {
    const keyHash = lookupHashOf(presented);
    if (keyHash === undefined) return undefined;
    const { Item: item } = await this.client.send(
      new GetItemCommand({ TableName: this.table, Key: key(apiKeyKeys.byHash(keyHash), apiKeyKeys.byHashSort), ConsistentRead: true }),
    );
    if (item === undefined) return undefined;
    const record = toRecord(item);
    return isLiveKey(record, this.now()) ? record : undefined;
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
