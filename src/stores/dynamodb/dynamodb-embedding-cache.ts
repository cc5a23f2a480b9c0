/**
 * The DynamoDB embedding cache: one item per (model, key) — `EMBED#<model>` / `<key>` — with the vector as a
 * float32 binary attribute, read in BatchGetItem pages of 100 and written in BatchWriteItem pages of 25.
 */

import { BatchGetItemCommand, BatchWriteItemCommand, type BatchGetItemCommandOutput, type DynamoDBClient, type KeysAndAttributes, type WriteRequest } from '@aws-sdk/client-dynamodb';
import type { EmbeddingCache, EmbeddingEntry } from '../store-types.js';
import { checkEmbeddingEntries, checkEmbeddingKeys, checkEmbeddingModel, decodeVector, encodeVector } from '../embedding-input.js';
import { readText, text, type Item } from './dynamodb-attributes.js';
import { attributeNames, embeddingKeys } from './dynamodb-item-keys.js';

const readPage = 100;
const writePage = 25;
const unprocessedAttempts = 8;

function backoff(attempt: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 25 * 2 ** attempt));
}

export class DynamoDbEmbeddingCache implements EmbeddingCache {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly table: string,
  ) {}

  async get(model: string, keys: readonly string[]): Promise<(number[] | undefined)[]> {
    checkEmbeddingModel(model);
    checkEmbeddingKeys(keys);
    const found = new Map<string, number[]>();
    const distinct = [...new Set(keys)];
    for (let start = 0; start < distinct.length; start += readPage) {
      let pending: KeysAndAttributes | undefined = {
        Keys: distinct.slice(start, start + readPage).map((key) => ({ [attributeNames.partitionKey]: text(embeddingKeys.partition(model)), [attributeNames.sortKey]: text(key) })),
        ConsistentRead: true,
      };
      for (let attempt = 1; pending?.Keys && pending.Keys.length > 0; attempt++) {
        const answer: BatchGetItemCommandOutput = await this.client.send(new BatchGetItemCommand({ RequestItems: { [this.table]: pending } }));
        for (const item of (answer.Responses?.[this.table] ?? []) as Item[]) {
          const key = readText(item, attributeNames.sortKey);
          const bytes = item.vector?.B;
          if (key !== undefined && bytes !== undefined) found.set(key, decodeVector(bytes));
        }
        pending = answer.UnprocessedKeys?.[this.table];
        if (!pending?.Keys?.length) break;
        if (attempt >= unprocessedAttempts) throw new Error(`DynamoDB left ${pending.Keys.length} embedding reads unprocessed after ${attempt} attempts`);
        await backoff(attempt);
      }
    }
    return keys.map((key) => found.get(key));
  }

  async put(model: string, entries: readonly EmbeddingEntry[]): Promise<void> {
    checkEmbeddingModel(model);
    checkEmbeddingEntries(entries);
    // A batch may not name one item twice: the last entry for a key wins, as in the other backends.
    const latest = new Map(entries.map((entry) => [entry.key, entry.vector]));
    const requests: WriteRequest[] = [...latest].map(([key, vector]) => ({
      PutRequest: { Item: { [attributeNames.partitionKey]: text(embeddingKeys.partition(model)), [attributeNames.sortKey]: text(key), vector: { B: encodeVector(vector) } } },
    }));
    for (let start = 0; start < requests.length; start += writePage) {
      let pending = requests.slice(start, start + writePage);
      for (let attempt = 1; pending.length > 0; attempt++) {
        const { UnprocessedItems } = await this.client.send(new BatchWriteItemCommand({ RequestItems: { [this.table]: pending } }));
        pending = UnprocessedItems?.[this.table] ?? [];
        if (pending.length === 0) break;
        if (attempt >= unprocessedAttempts) throw new Error(`DynamoDB left ${pending.length} embedding writes unprocessed after ${attempt} attempts`);
        await backoff(attempt);
      }
    }
  }
}
