/** The DynamoDB Store: sessions, API keys, usage and experiments in one table (docs/dynamodb-design.md). Loaded only when configured. */

import { GetItemCommand, QueryCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDbEmbeddingCache } from './dynamodb-embedding-cache.js';
import type { Store } from '../store-types.js';
import { checkTtlSeconds, defaultSessionTtlSeconds } from '../store-input.js';
import { awsErrorName, createDynamoDbClient, type DynamoDbClientOptions } from './dynamodb-client.js';
import { DynamoDbAuditLog } from './dynamodb-audit-log.js';
import { DynamoDbExperimentStore } from './dynamodb-experiment-store.js';
import { attributeNames, keyIndexName, tenantIndexName } from './dynamodb-item-keys.js';
import { DynamoDbKeyStore } from './dynamodb-key-store.js';
import { DynamoDbSessionStore } from './dynamodb-session-store.js';
import { DynamoDbUsageLedger } from './dynamodb-usage-ledger.js';

export interface DynamoDbStoreOptions extends DynamoDbClientOptions {
  table: string;
  now?: () => number;
  defaultTtlSeconds?: number;
  /** A client built elsewhere (tests); the store then does not destroy it on close. */
  client?: DynamoDBClient;
}

export async function openDynamoDbStore(options: DynamoDbStoreOptions): Promise<Store> {
  if (typeof options.table !== 'string' || options.table.length === 0) throw new TypeError('openDynamoDbStore: table must be a non-empty string');
  const defaultTtlSeconds =
    options.defaultTtlSeconds === undefined ? defaultSessionTtlSeconds : checkTtlSeconds(options.defaultTtlSeconds, 'defaultTtlSeconds');
  const now = options.now ?? Date.now;
  const client = options.client ?? createDynamoDbClient(options);
  await checkTableReachable(client, options.table).catch((error: unknown) => {
    if (options.client === undefined) client.destroy();
    throw error;
  });
  return {
    kind: 'dynamodb',
    sessions: new DynamoDbSessionStore(client, options.table, now, defaultTtlSeconds),
    keys: new DynamoDbKeyStore(client, options.table, now),
    usage: new DynamoDbUsageLedger(client, options.table),
    experiments: new DynamoDbExperimentStore(client, options.table, now),
    embeddings: new DynamoDbEmbeddingCache(client, options.table),
    audit: new DynamoDbAuditLog(client, options.table),
    close: async () => {
      if (options.client === undefined) client.destroy();
    },
  };
}

/**
 * One read of a key that never exists, and one query of each index, at start: a missing table, a
 * table made without the store's indexes, wrong credentials or an unreachable endpoint fail the
 * start with a clear message instead of the first turn or key listing.
 * (GetItem and Query rather than DescribeTable: the serving role needs those anyway.)
 */
async function checkTableReachable(client: DynamoDBClient, table: string): Promise<void> {
  try {
    await client.send(new GetItemCommand({ TableName: table, Key: { [attributeNames.partitionKey]: { S: 'PROBE' }, [attributeNames.sortKey]: { S: 'PROBE' } } }));
  } catch (error) {
    if (awsErrorName(error) === 'ResourceNotFoundException') {
      throw new Error(`DynamoDB table "${table}" does not exist; create it with \`switchboard store init\` (development) or your infrastructure code`, { cause: error });
    }
    throw new Error(`cannot reach DynamoDB table "${table}": ${(error as Error).message}`, { cause: error });
  }
  const indexes = [
    { name: tenantIndexName, partition: attributeNames.tenantIndexPartition },
    { name: keyIndexName, partition: attributeNames.keyIndexPartition },
  ];
  for (const index of indexes) {
    try {
      await client.send(
        new QueryCommand({
          TableName: table,
          IndexName: index.name,
          KeyConditionExpression: '#partition = :probe',
          ExpressionAttributeNames: { '#partition': index.partition },
          ExpressionAttributeValues: { ':probe': { S: 'PROBE' } },
          Limit: 1,
        }),
      );
    } catch (error) {
      if (awsErrorName(error) === 'ValidationException') {
        throw new Error(
          `DynamoDB table "${table}" has no usable index "${index.name}" (${(error as Error).message}); create the table with \`switchboard store init\` or the definition in docs/dynamodb-design.md`,
          { cause: error },
        );
      }
      throw new Error(`cannot query index "${index.name}" of DynamoDB table "${table}": ${(error as Error).message}`, { cause: error });
    }
  }
}
