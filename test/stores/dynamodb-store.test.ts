/** Runs the store contract against the DynamoDB store on Amazon's DynamoDB Local (in memory, on loopback), plus DynamoDB-only checks. */

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { randomBytes } from 'node:crypto';
import {
  DeleteTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  GetItemCommand,
  QueryCommand,
  ScanCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { openStore } from '../../src/stores/open-store.js';
import { createDynamoDbClient } from '../../src/stores/dynamodb/dynamodb-client.js';
import { ensureDynamoDbTable } from '../../src/stores/dynamodb/dynamodb-table.js';
import { openDynamoDbStore } from '../../src/stores/dynamodb/dynamodb-store.js';
import { maxMessagesPerTurn } from '../../src/stores/dynamodb/dynamodb-session-store.js';
import type { Store, TurnRecord } from '../../src/stores/store-types.js';
import { dynamoDbLocalCredentialsEnv, startDynamoDbLocal, type DynamoDbLocal } from '../support/dynamodb-local.js';
import { runStoreContract } from './store-contract.js';

Object.assign(process.env, dynamoDbLocalCredentialsEnv);
const dynamoDb: DynamoDbLocal = await startDynamoDbLocal();
console.log(`DynamoDB Local listening after ${dynamoDb.startMs.toFixed(0)} ms`);
const client: DynamoDBClient = createDynamoDbClient({ region: 'us-east-1', endpoint: dynamoDb.endpoint });
after(async () => {
  client.destroy();
  await dynamoDb.close();
});

/** TransactWriteItems calls the stores made, by how DynamoDB answered: counted on the wire, not trusted from the store. */
const transactions = { committed: 0, cancelled: 0 };
client.middlewareStack.add(
  (next, context) => async (args) => {
    if (context.commandName !== 'TransactWriteItemsCommand') return next(args);
    try {
      const result = await next(args);
      transactions.committed++;
      return result;
    } catch (error) {
      if ((error as { name?: string }).name === 'TransactionCanceledException') transactions.cancelled++;
      throw error;
    }
  },
  { step: 'initialize', name: 'countTransactions' },
);

function newTableName(): string {
  return `switchboard-test-${randomBytes(4).toString('hex')}`;
}

async function scanAll(table: string): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let startKey: Record<string, never> | undefined;
  do {
    const page = await client.send(new ScanCommand({ TableName: table, ExclusiveStartKey: startKey }));
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey as Record<string, never> | undefined;
  } while (startKey !== undefined);
  return items;
}

runStoreContract('dynamodb', async ({ now }) => {
  const table = newTableName();
  await ensureDynamoDbTable(client, table);
  const store = await openDynamoDbStore({ table, region: 'us-east-1', client, now });
  return {
    store,
    cleanup: async () => {
      await store.close();
      await client.send(new DeleteTableCommand({ TableName: table }));
    },
    rawStorage: async () => JSON.stringify(await scanAll(table)),
    // A client of its own, as another pod has: the race is decided by DynamoDB, not by one SDK client.
    openPeer: () => openDynamoDbStore({ table, region: 'us-east-1', endpoint: dynamoDb.endpoint, now }),
  };
});

function turnOf(label: string, at: number, contentBytes = 10): TurnRecord {
  const padding = 'x'.repeat(contentBytes);
  return {
    messages: [
      { role: 'user', content: `u-${label} ${padding}`, at },
      { role: 'assistant', content: `a-${label} ${padding}`, at: at + 1 },
    ],
    agent: 'support',
  };
}

describe('dynamodb store', () => {
  const table = newTableName();
  let store: Store;
  let clock = Date.UTC(2025, 5, 1);

  before(async () => {
    await ensureDynamoDbTable(client, table);
    store = await openDynamoDbStore({ table, region: 'us-east-1', client, now: () => clock });
  });
  after(async () => {
    await store.close();
    await client.send(new DeleteTableCommand({ TableName: table }));
  });

  it('store init creates the table with both indexes and TTL on, and a second run finds it', async () => {
    const name = newTableName();
    const first = await ensureDynamoDbTable(client, name);
    assert.deepEqual(first, { table: name, created: true, timeToLive: 'enabled' });
    const { Table } = await client.send(new DescribeTableCommand({ TableName: name }));
    assert.deepEqual(Table?.KeySchema?.map((key) => key.AttributeName), ['pk', 'sk']);
    assert.deepEqual(Table?.GlobalSecondaryIndexes?.map((index) => index.IndexName).sort(), ['gsi1', 'gsi2']);
    const { TimeToLiveDescription } = await client.send(new DescribeTimeToLiveCommand({ TableName: name }));
    assert.deepEqual(TimeToLiveDescription, { TimeToLiveStatus: 'ENABLED', AttributeName: 'expiresAt' });
    assert.deepEqual(await ensureDynamoDbTable(client, name), { table: name, created: false, timeToLive: 'already enabled' });
    await client.send(new DeleteTableCommand({ TableName: name }));
  });

  it('keeps every item small however long the history grows: messages are items of their own', async () => {
    const session = await store.sessions.create({ tenant: 'acme' });
    for (let version = 0; version < 120; version++) {
      const outcome = await store.sessions.appendTurn('acme', session.id, version, turnOf(String(version), clock, 1000));
      assert.equal(outcome.kind, 'committed');
    }
    const items = (await client.send(new QueryCommand({ TableName: table, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': { S: `SESSION#${session.id}` } } }))).Items ?? [];
    assert.equal(items.length, 1 + 240, 'the head and one item per message');
    const largest = Math.max(...items.map((item) => Buffer.byteLength(JSON.stringify(item))));
    assert.ok(largest < 2_000, `largest item is ${largest} bytes after 120 turns of ~2 KB`);
    const loaded = await store.sessions.get('acme', session.id);
    assert.equal(loaded?.version, 120);
    assert.equal(loaded?.messages.length, 240);
    assert.equal(loaded?.messages[239]?.content.startsWith('a-119 '), true);
  });

  it('reads a history larger than one 1 MB Query page across pages, in order', async () => {
    const session = await store.sessions.create({ tenant: 'acme' });
    let queries = 0;
    const counting = createDynamoDbClient({ region: 'us-east-1', endpoint: dynamoDb.endpoint });
    counting.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'QueryCommand') queries++;
        return next(args);
      },
      { step: 'initialize', name: 'countQueries' },
    );
    const countingStore = await openDynamoDbStore({ table, region: 'us-east-1', client: counting, now: () => clock });
    // 16 turns of two 40 KB messages: about 1.3 MB of messages.
    for (let version = 0; version < 16; version++) {
      assert.equal((await countingStore.sessions.appendTurn('acme', session.id, version, turnOf(String(version), clock, 40_000))).kind, 'committed');
    }
    queries = 0;
    const loaded = await countingStore.sessions.get('acme', session.id);
    assert.ok(queries >= 2, `one Query page cannot hold 1.3 MB; ${queries} Query call(s) made`);
    assert.equal(loaded?.messages.length, 32);
    assert.deepEqual(
      loaded?.messages.filter((message) => message.role === 'user').map((message) => message.content.split(' ')[0]),
      Array.from({ length: 16 }, (_, index) => `u-${index}`),
    );
    await countingStore.close();
    counting.destroy();
  });

  it('sets the TTL attribute in epoch seconds on the session head and moves it with each turn', async () => {
    const session = await store.sessions.create({ tenant: 'acme', ttlSeconds: 3600 });
    const headKey = { pk: { S: `SESSION#${session.id}` }, sk: { S: 'META' } };
    const readTtl = async () => Number((await client.send(new GetItemCommand({ TableName: table, Key: headKey }))).Item?.expiresAt?.N);
    assert.equal(await readTtl(), Math.ceil((clock + 3_600_000) / 1000));
    clock += 120_000;
    await store.sessions.appendTurn('acme', session.id, 0, turnOf('ttl', clock));
    assert.equal(await readTtl(), Math.ceil((clock + 3_600_000) / 1000));
    // Expired sessions are absent at once, before DynamoDB's sweeper deletes anything.
    clock += 3_600_001;
    assert.equal(await store.sessions.get('acme', session.id), undefined);
    assert.ok(Number.isFinite(await readTtl()), 'the item is still there: absence came from the expiry check');
  });

  it('refuses a turn too big for one transaction before writing anything', async () => {
    const session = await store.sessions.create({ tenant: 'acme' });
    const messages = Array.from({ length: maxMessagesPerTurn + 1 }, (_, index) => ({ role: 'tool' as const, content: `r${index}`, toolCallId: `c${index}`, at: clock }));
    await assert.rejects(store.sessions.appendTurn('acme', session.id, 0, { agent: 'a', messages }), (error: unknown) => {
      assert.equal((error as { code?: string }).code, 'invalid_request');
      assert.match((error as Error).message, /at most 98 messages/);
      return true;
    });
    await assert.rejects(store.sessions.appendTurn('acme', session.id, 0, { agent: 'a', messages: [{ role: 'user', content: 'y'.repeat(400_000), at: clock }] }), /bytes/);
    assert.equal((await store.sessions.get('acme', session.id))?.version, 0);
  });

  it('commits turns through DynamoDB transactions and maps cancellations', () => {
    // The contract suite above raced writers on one session: both outcomes must have happened for real.
    assert.ok(transactions.committed > 0, 'no transaction committed');
    assert.ok(transactions.cancelled > 0, 'no transaction was cancelled by its condition');
  });

  it("meets the real service's validations: a table name under 3 characters is refused by DynamoDB itself", async () => {
    await assert.rejects(ensureDynamoDbTable(client, 'ab'), (error: unknown) => {
      assert.equal((error as { name?: string }).name, 'ValidationException');
      assert.match((error as Error).message, /names must be between 3 and 255 characters long/);
      return true;
    });
  });

  it('opens from config with an injected endpoint and retry setting, and names a missing table', async () => {
    const opened = await openStore({ kind: 'dynamodb', table, region: 'us-east-1', endpoint: dynamoDb.endpoint, maxAttempts: 2 });
    assert.equal(opened.kind, 'dynamodb');
    assert.equal(typeof (await opened.keys.count()), 'number');
    await opened.close();
    await assert.rejects(openStore({ kind: 'dynamodb', table: 'no-such-table', region: 'us-east-1', endpoint: dynamoDb.endpoint }), /"no-such-table" does not exist; create it with `switchboard store init`/);
  });
});
