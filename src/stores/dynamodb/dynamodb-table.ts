/** The table's definition and its creation for development (`switchboard store init`): keys, the two indexes, TTL on. */

import {
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  UpdateTimeToLiveCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { awsErrorName } from './dynamodb-client.js';
import { attributeNames, keyIndexName, tenantIndexName } from './dynamodb-item-keys.js';

export type EnsureTableOutcome = { table: string; created: boolean; timeToLive: 'enabled' | 'already enabled' | 'unsupported' };

export function tableDefinition(table: string) {
  const { partitionKey, sortKey, tenantIndexPartition, tenantIndexSort, keyIndexPartition, keyIndexSort } = attributeNames;
  return {
    TableName: table,
    // On-demand: a development table costs nothing idle, and a production one is usually made by IaC anyway.
    BillingMode: 'PAY_PER_REQUEST' as const,
    AttributeDefinitions: [partitionKey, sortKey, tenantIndexPartition, tenantIndexSort, keyIndexPartition, keyIndexSort].map((name) => ({ AttributeName: name, AttributeType: 'S' as const })),
    KeySchema: [
      { AttributeName: partitionKey, KeyType: 'HASH' as const },
      { AttributeName: sortKey, KeyType: 'RANGE' as const },
    ],
    GlobalSecondaryIndexes: [
      {
        IndexName: tenantIndexName,
        KeySchema: [
          { AttributeName: tenantIndexPartition, KeyType: 'HASH' as const },
          { AttributeName: tenantIndexSort, KeyType: 'RANGE' as const },
        ],
        // Only session heads carry gsi1 keys: the index is the session list, without messages.
        Projection: { ProjectionType: 'ALL' as const },
      },
      {
        IndexName: keyIndexName,
        KeySchema: [
          { AttributeName: keyIndexPartition, KeyType: 'HASH' as const },
          { AttributeName: keyIndexSort, KeyType: 'RANGE' as const },
        ],
        Projection: { ProjectionType: 'ALL' as const },
      },
    ],
  };
}

async function waitUntilActive(client: DynamoDBClient, table: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: table }));
    const indexesActive = (Table?.GlobalSecondaryIndexes ?? []).every((index) => index.IndexStatus === undefined || index.IndexStatus === 'ACTIVE');
    if (Table?.TableStatus === 'ACTIVE' && indexesActive) return;
    if (Date.now() > deadline) throw new Error(`DynamoDB table ${table} is still ${Table?.TableStatus ?? 'unknown'} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function enableTimeToLive(client: DynamoDBClient, table: string): Promise<EnsureTableOutcome['timeToLive']> {
  try {
    const { TimeToLiveDescription } = await client.send(new DescribeTimeToLiveCommand({ TableName: table }));
    const status = TimeToLiveDescription?.TimeToLiveStatus;
    if ((status === 'ENABLED' || status === 'ENABLING') && TimeToLiveDescription?.AttributeName === attributeNames.timeToLive) return 'already enabled';
    await client.send(new UpdateTimeToLiveCommand({ TableName: table, TimeToLiveSpecification: { AttributeName: attributeNames.timeToLive, Enabled: true } }));
    return 'enabled';
  } catch (error) {
    // Emulators without TTL (dynalite) still serve the store: expiry is also checked on every read.
    if (awsErrorName(error) === 'UnknownOperationException') return 'unsupported';
    throw error;
  }
}

/** Creates the table with its indexes and TTL unless it exists; safe to run again. */
export async function ensureDynamoDbTable(client: DynamoDBClient, table: string, options: { timeoutMs?: number } = {}): Promise<EnsureTableOutcome> {
  let created = true;
  try {
    await client.send(new CreateTableCommand(tableDefinition(table)));
  } catch (error) {
    if (awsErrorName(error) !== 'ResourceInUseException') throw error;
    created = false;
  }
  await waitUntilActive(client, table, options.timeoutMs ?? 60_000);
  return { table, created, timeToLive: await enableTimeToLive(client, table) };
}
