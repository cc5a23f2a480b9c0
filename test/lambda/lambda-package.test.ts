/**
 * The Lambda package loads and serves the way Lambda runs it: dist/lambda/ copied alone into an
 * empty task folder, with only the AWS SDK v3 beside it (all the Node.js runtime provides), imported
 * and invoked by the bootstrap stand-in, against DynamoDB Local and a real Redis for the limiter.
 * A streamed turn goes through both event shapes: API Gateway HTTP API (buffered) and a Function URL
 * with response streaming.
 */

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { QueryCommand } from '@aws-sdk/client-dynamodb';
import { createDynamoDbClient } from '../../src/stores/dynamodb/dynamodb-client.js';
import { dynamoDbLocalCredentialsEnv, startDynamoDbLocal } from '../support/dynamodb-local.js';
import { connectTestRedis, deleteKeysUnder, keysUnder, testRedisUrl, uniqueKeyPrefix } from '../support/redis-test-server.js';
import { runCliAsync } from '../support/run-cli-async.js';
import { copyPackageClosure, httpEvent, lambdaPackage, startLambdaEnvironment, type LambdaEnvironment } from './lambda-environment.js';

Object.assign(process.env, dynamoDbLocalCredentialsEnv);
const dynamoDb = await startDynamoDbLocal();
const redis = await connectTestRedis();
const keyPrefix = uniqueKeyPrefix('lambda');
const root = mkdtempSync(join(tmpdir(), 'switchboard-lambda-'));
const taskRoot = join(root, 'task');
const table = 'switchboard-lambda';
const environments: LambdaEnvironment[] = [];
after(async () => {
  for (const environment of environments) await environment.close();
  await dynamoDb.close();
  await deleteKeysUnder(redis, keyPrefix);
  await redis.quit();
  rmSync(root, { recursive: true, force: true });
});

// The package alone, and the config where deploy/lambda/README.md puts it.
cpSync(lambdaPackage, taskRoot, { recursive: true });
writeFileSync(
  join(taskRoot, 'config.yaml'),
  `simulator: { instances: 1, ttftMs: 20, itlMs: 2, outputTokens: 10 }
store: { kind: dynamodb, table: "\${SWITCHBOARD_TABLE}", region: "\${AWS_REGION}", endpoint: "${dynamoDb.endpoint}" }
redis: { url: "${testRedisUrl}", keyPrefix: "${keyPrefix}" }
limits: { backend: redis, tenants: { requestsPerMinute: 1000 } }
pools:
  sim: { model: sim, instances: [{ url: "simulator://0" }] }
routes:
  demo: { pool: sim }
agents:
  orders: { route: demo, keywords: [order] }
  advice: { route: demo }
intent: { defaultAgent: advice }
logging: { level: warn }
`,
);
// What the Lambda Node.js runtime provides: the AWS SDK v3, with what it depends on. Beside the
// task folder, so Node finds it as the runtime's own modules are found: nothing else is there.
const runtimeModules = copyPackageClosure(['@aws-sdk/client-dynamodb'], root);

const lambdaEnv = {
  ...dynamoDbLocalCredentialsEnv,
  SWITCHBOARD_CONFIG: join(taskRoot, 'config.yaml'),
  SWITCHBOARD_TABLE: table,
  AWS_LAMBDA_FUNCTION_NAME: 'switchboard',
};

function sse(body: string): { event: string; data: string }[] {
  return body
    .split('\n\n')
    .filter((block) => block.trim() !== '')
    .map((block) => ({ event: /^event: (.*)$/m.exec(block)?.[1] ?? '', data: /^data: (.*)$/m.exec(block)?.[1] ?? '' }));
}

describe('the Lambda package, as Lambda runs it', () => {
  let environment: LambdaEnvironment;
  let apiKey: string;
  const auth = () => ({ authorization: `Bearer ${apiKey}` });

  before(async () => {
    // The operator's side: the table and a key, made with the CLI against the same config.
    const init = await runCliAsync(['store', 'init', '--config', lambdaEnv.SWITCHBOARD_CONFIG], { env: lambdaEnv });
    assert.equal(init.code, 0, init.stderr);
    const key = await runCliAsync(['keys', 'create', '--tenant', 'shop', '--config', lambdaEnv.SWITCHBOARD_CONFIG], { env: lambdaEnv });
    assert.equal(key.code, 0, key.stderr);
    apiKey = key.stdout.trim();
    environment = await startLambdaEnvironment(taskRoot, lambdaEnv, ['@aws-sdk/client-dynamodb', 'ioredis', 'better-sqlite3']);
    environments.push(environment);
  });

  it('holds only the bundle, and resolves nothing but the runtime\'s AWS SDK', () => {
    const files = readdirSync(taskRoot, { recursive: true }).map(String).filter((name) => !name.endsWith('.map')).sort();
    assert.ok(files.includes('handler.mjs'));
    assert.ok(files.every((name) => name === 'handler.mjs' || name === 'config.yaml' || name === 'chunks' || /^chunks\/[\w-]+\.mjs$/.test(name)), files.join(', '));
    // The SDK's own closure, and none of the packages the bundle must carry itself.
    assert.ok(runtimeModules.includes('@aws-sdk/client-dynamodb'));
    const ownDependencies = ['ioredis', 'better-sqlite3', 'pino', 'prom-client', 'undici', 'yaml', 'zod'];
    assert.deepEqual(runtimeModules.filter((name) => ownDependencies.includes(name)), [], `beside the task: ${runtimeModules.join(', ')}`);
    assert.deepEqual(environment.hello.resolvable, { '@aws-sdk/client-dynamodb': true, ioredis: false, 'better-sqlite3': false });
    assert.deepEqual(environment.hello.exports, ['handler', 'ready', 'streamHandler']);
    assert.deepEqual(environment.hello.streaming, { handler: false, ready: false, streamHandler: true }, 'streamHandler went through awslambda.streamifyResponse');
  });

  it('streams a turn through a Function URL: the HTTP prelude, eight NUL bytes, then server-sent events', async () => {
    const domain = 'abc123.lambda-url.us-east-1.on.aws';
    const created = await environment.invoke('handler', httpEvent('POST', '/v1/sessions', { body: '{}', headers: auth(), domain }));
    assert.equal(created.error, undefined);
    const session = JSON.parse((created.result as { body: string }).body) as { id: string };
    const turn = await environment.invoke('streamHandler', httpEvent('POST', `/v1/sessions/${session.id}/messages`, { body: JSON.stringify({ content: 'recommend a gift', stream: true }), headers: auth(), domain }));
    assert.equal(turn.error, undefined, environment.output());
    assert.equal(turn.stream?.contentType, 'application/vnd.awslambda.http-integration-response');
    const raw = Buffer.from(turn.stream!.base64, 'base64').toString('utf8');
    const separator = raw.indexOf('\u0000'.repeat(8));
    assert.ok(separator > 0, 'the prelude is followed by eight NUL bytes');
    const prelude = JSON.parse(raw.slice(0, separator)) as { statusCode: number; headers: Record<string, string> };
    assert.equal(prelude.statusCode, 200);
    assert.match(prelude.headers['content-type']!, /^text\/event-stream/);
    const events = sse(raw.slice(separator + 8));
    assert.equal(events[0]?.event, 'intent');
    assert.ok(events.filter((event) => event.event === 'delta').length >= 5);
    assert.equal(events.at(-1)?.event, 'done');
    assert.equal((JSON.parse(events.at(-1)!.data) as { agent: string }).agent, 'advice');
  });

  it('streams a turn through API Gateway HTTP API, collected into one buffered response', async () => {
    const created = await environment.invoke('handler', httpEvent('POST', '/v1/sessions', { body: '{}', headers: auth() }));
    const session = JSON.parse((created.result as { body: string }).body) as { id: string };
    const turn = await environment.invoke('handler', httpEvent('POST', `/v1/sessions/${session.id}/messages`, { body: JSON.stringify({ content: 'where is my order 12345?', stream: true }), headers: auth() }));
    assert.equal(turn.error, undefined, environment.output());
    const result = turn.result as { statusCode: number; headers: Record<string, string>; body: string };
    assert.equal(result.statusCode, 200);
    assert.match(result.headers['content-type']!, /^text\/event-stream/);
    const events = sse(result.body);
    assert.deepEqual([events[0]?.event, events.at(-1)?.event], ['intent', 'done']);
    assert.equal((JSON.parse(events.at(-1)!.data) as { agent: string }).agent, 'orders');

    // The turn is in DynamoDB, read there directly: the head and one item per message.
    const client = createDynamoDbClient({ region: 'us-east-1', endpoint: dynamoDb.endpoint });
    try {
      const { Items } = await client.send(new QueryCommand({ TableName: table, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': { S: `SESSION#${session.id}` } }, ConsistentRead: true }));
      assert.equal(Items?.filter((item) => item.role?.S === 'user' || item.role?.S === 'assistant').length, 2, JSON.stringify(Items));
    } finally {
      client.destroy();
    }
    // And the bundled ioredis served the rate limiter from Redis.
    assert.ok((await keysUnder(redis, keyPrefix)).length > 0, 'the Redis limiter wrote its buckets');
  });

  it('answers errors in OpenAI shape, and one runtime serves every invocation of the environment', async () => {
    const unauthorised = await environment.invoke('handler', httpEvent('GET', '/v1/models'));
    const result = unauthorised.result as { statusCode: number; body: string };
    assert.equal(result.statusCode, 401);
    assert.equal((JSON.parse(result.body) as { error: { code: string } }).error.code, 'missing_api_key');
    const models = await environment.invoke('handler', httpEvent('GET', '/v1/models', { headers: auth() }));
    assert.equal((models.result as { statusCode: number }).statusCode, 200);
  });
});

describe('the Lambda package outside its runtime and misconfigured', () => {
  it('imports without the Lambda runtime even when the AWS SDK has set globalThis.awslambda = {}, and says what streaming needs', async () => {
    const script = `
      globalThis.awslambda = {};
      const lambda = await import(${JSON.stringify(join(taskRoot, 'handler.mjs'))});
      const health = await lambda.handler({ rawPath: '/healthz', requestContext: { http: { method: 'GET' } } });
      let streamError = '';
      await lambda.streamHandler({ rawPath: '/healthz', requestContext: { http: { method: 'GET' } } }, process.stdout).catch((error) => (streamError = error.message));
      console.log(JSON.stringify({ health: health.statusCode, streamError }));
      process.exit(0);
    `;
    const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: taskRoot, encoding: 'utf8', env: { PATH: process.env.PATH, ...lambdaEnv }, timeout: 30_000 });
    assert.equal(result.status, 0, result.stderr);
    const report = JSON.parse(result.stdout.trim().split('\n').at(-1)!) as { health: number; streamError: string };
    assert.equal(report.health, 200);
    assert.match(report.streamError, /streamHandler needs the Lambda Node\.js runtime/);
  });

  it('refuses a store that lives in one execution environment, naming the kind, on the first invocation', async () => {
    const configPath = join(root, 'sqlite.yaml');
    writeFileSync(configPath, `store: { kind: sqlite, path: /tmp/switchboard.db }\npools: { sim: { model: sim, instances: [{ url: "http://127.0.0.1:9" }] } }\nroutes: { demo: { pool: sim } }\nagents: { helper: { route: demo } }\nintent: { defaultAgent: helper }\n`);
    const misconfigured = await startLambdaEnvironment(taskRoot, { ...lambdaEnv, SWITCHBOARD_CONFIG: configPath }, []);
    environments.push(misconfigured);
    const answer = await misconfigured.invoke('handler', httpEvent('GET', '/healthz'));
    assert.match(answer.error ?? '', /needs a store shared by every execution environment .*has store\.kind sqlite/);
  });
});
