/**
 * Fail fast, never half-up: a store that is unusable at start (a DynamoDB table without the indexes
 * the store queries, as a hand-made table has) stops `serve` with a non-zero exit before it listens,
 * and a runtime whose build fails closes what it opened so the process exits.
 */

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { createDynamoDbClient } from '../../src/stores/dynamodb/dynamodb-client.js';
import { tableDefinition } from '../../src/stores/dynamodb/dynamodb-table.js';
import { attributeNames } from '../../src/stores/dynamodb/dynamodb-item-keys.js';
import { repositoryRoot } from '../support/repository-root.js';
import { dynamoDbLocalCredentialsEnv, startDynamoDbLocal, type DynamoDbLocal } from '../support/dynamodb-local.js';
import { runCliAsync } from '../support/run-cli-async.js';

Object.assign(process.env, dynamoDbLocalCredentialsEnv);

const minimal = `pools: { sim: { model: sim, instances: [{ url: "http://127.0.0.1:9" }] } }
routes: { demo: { pool: sim } }
agents: { helper: { route: demo } }
intent: { defaultAgent: helper }
logging: { level: warn }
`;

describe('serve fails fast', () => {
  const directory = mkdtempSync(join(tmpdir(), 'switchboard-fail-fast-'));
  let dynamoDb: DynamoDbLocal;
  before(async () => {
    dynamoDb = await startDynamoDbLocal();
  });
  after(async () => {
    await dynamoDb.close();
    rmSync(directory, { recursive: true, force: true });
  });

  it('exits non-zero before listening when the DynamoDB table lacks its indexes', async () => {
    const client = createDynamoDbClient({ region: 'us-east-1', endpoint: dynamoDb.endpoint });
    try {
      // The table as a bare `aws dynamodb create-table` with only the primary key makes it.
      await client.send(
        new CreateTableCommand({
          TableName: 'sb-bare',
          BillingMode: 'PAY_PER_REQUEST',
          AttributeDefinitions: [
            { AttributeName: 'pk', AttributeType: 'S' },
            { AttributeName: 'sk', AttributeType: 'S' },
          ],
          KeySchema: [
            { AttributeName: 'pk', KeyType: 'HASH' },
            { AttributeName: 'sk', KeyType: 'RANGE' },
          ],
        }),
      );
    } finally {
      client.destroy();
    }
    const configPath = join(directory, 'bare.yaml');
    writeFileSync(configPath, `${minimal}store: { kind: dynamodb, table: sb-bare, region: us-east-1, endpoint: "${dynamoDb.endpoint}" }\n`);
    const result = await runCliAsync(['serve', '--config', configPath, '--port', '0', '--host', '127.0.0.1'], { env: { ...dynamoDbLocalCredentialsEnv }, timeoutMs: 20_000 });
    assert.equal(result.code, 1, result.stdout + result.stderr);
    assert.doesNotMatch(result.stdout, /listening on/);
    assert.match(result.stderr, /sb-bare.*index "gsi1".*switchboard store init/);
  });

  it('exits non-zero, closing the Redis store it opened, when the generation fails to build', async () => {
    const configPath = join(directory, 'bad-pool.yaml');
    writeFileSync(
      configPath,
      `pools: { sim: { model: sim, instances: [{ url: "http://exa mple/v1" }] } }
routes: { demo: { pool: sim } }
agents: { helper: { route: demo } }
intent: { defaultAgent: helper }
store: { kind: redis, url: "redis://127.0.0.1:6379", keyPrefix: "fail-fast-test:" }
limits: { backend: redis }
`,
    );
    const result = await runCliAsync(['serve', '--config', configPath, '--port', '0', '--host', '127.0.0.1'], { timeoutMs: 20_000 });
    assert.equal(result.code, 1, result.stdout + result.stderr);
    assert.doesNotMatch(result.stdout, /listening on/);
  });

  it('docs/deploy-eks.md step 3 creates the table the store needs: every key, index and the TTL attribute', () => {
    const guide = readFileSync(join(repositoryRoot, 'docs/deploy-eks.md'), 'utf8');
    const command = guide.match(/aws dynamodb create-table[\s\S]*?```/)?.[0];
    assert.ok(command, 'the guide has a create-table command');
    const definition = tableDefinition('switchboard');
    for (const attribute of definition.AttributeDefinitions) assert.ok(command.includes(`AttributeName=${attribute.AttributeName},AttributeType=S`), attribute.AttributeName);
    for (const index of definition.GlobalSecondaryIndexes) {
      const keys = index.KeySchema.map((key) => `{AttributeName=${key.AttributeName},KeyType=${key.KeyType}}`).join(',');
      assert.ok(command.includes(`IndexName=${index.IndexName},KeySchema=[${keys}],Projection={ProjectionType=${index.Projection.ProjectionType}}`), index.IndexName);
    }
    assert.ok(command.includes(`Enabled=true,AttributeName=${attributeNames.timeToLive}`), 'TTL on');
  });
});
