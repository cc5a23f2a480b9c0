/** `switchboard store init`: creates the DynamoDB table once (Amazon's DynamoDB Local on loopback), and only checks SQLite. */

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { createDynamoDbClient } from '../../src/stores/dynamodb/dynamodb-client.js';
import { dynamoDbLocalCredentialsEnv, startDynamoDbLocal } from '../support/dynamodb-local.js';
import { runCliAsync } from '../support/run-cli-async.js';

Object.assign(process.env, dynamoDbLocalCredentialsEnv);

const minimal = `pools: { sim: { model: sim, instances: [{ url: "http://127.0.0.1:9" }] } }
routes: { demo: { pool: sim } }
agents: { helper: { route: demo } }
intent: { defaultAgent: helper }
`;

describe('switchboard store init', () => {
  const directory = mkdtempSync(join(tmpdir(), 'switchboard-store-init-'));
  after(() => rmSync(directory, { recursive: true, force: true }));

  it('creates the configured DynamoDB table with its indexes, then finds it on a second run', async () => {
    const dynamoDb = await startDynamoDbLocal();
    const client = createDynamoDbClient({ region: 'us-east-1', endpoint: dynamoDb.endpoint });
    try {
      const configPath = join(directory, 'dynamodb.yaml');
      writeFileSync(configPath, `${minimal}store: { kind: dynamodb, table: sb-init, region: us-east-1, endpoint: "${dynamoDb.endpoint}" }\n`);
      const env = { ...dynamoDbLocalCredentialsEnv };
      const first = await runCliAsync(['store', 'init', '--config', configPath], { env });
      assert.equal(first.code, 0, first.stderr);
      assert.equal(first.stdout, `Created DynamoDB table sb-init in us-east-1 at ${dynamoDb.endpoint} (indexes gsi1, gsi2; TTL enabled on expiresAt)\n`);
      const { Table } = await client.send(new DescribeTableCommand({ TableName: 'sb-init' }));
      assert.equal(Table?.TableStatus, 'ACTIVE');
      assert.deepEqual(Table?.GlobalSecondaryIndexes?.map((index) => index.IndexName).sort(), ['gsi1', 'gsi2']);
      const second = await runCliAsync(['store', 'init', '--config', configPath], { env });
      assert.equal(second.code, 0, second.stderr);
      assert.match(second.stdout, /^DynamoDB table sb-init in us-east-1 .* already exists \(indexes gsi1, gsi2; TTL already enabled on expiresAt\)\n$/);
      // The table serves the other commands at once.
      const key = await runCliAsync(['keys', 'create', '--tenant', 'acme', '--config', configPath], { env });
      assert.match(key.stdout, /^sb-\S+\n$/);
    } finally {
      client.destroy();
      await dynamoDb.close();
    }
  });

  it('says what went wrong, with exit 1, when DynamoDB cannot be reached', async () => {
    const configPath = join(directory, 'unreachable.yaml');
    // Port 1 on loopback: nothing listens; one attempt so the SDK does not back off and retry.
    writeFileSync(configPath, `${minimal}store: { kind: dynamodb, table: sb1, region: us-east-1, endpoint: "http://127.0.0.1:1", maxAttempts: 1 }\n`);
    const result = await runCliAsync(['store', 'init', '--config', configPath], { env: { ...dynamoDbLocalCredentialsEnv } });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /^switchboard store init: .*ECONNREFUSED/m);
  });

  it('opens an SQLite store and has nothing to create', async () => {
    const configPath = join(directory, 'sqlite.yaml');
    writeFileSync(configPath, `${minimal}store: { kind: sqlite, path: "${join(directory, 'db', 'switchboard.db')}" }\n`);
    const result = await runCliAsync(['store', 'init', '--config', configPath]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, 'sqlite store ready; nothing to create\n');
  });
});
