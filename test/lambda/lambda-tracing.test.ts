import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../support/cli.js';
import { oneSimulatorConfigYaml } from '../support/one-simulator-config.js';
import { startOtlpReceiver, type OtlpReceiver } from '../support/otlp-receiver.js';
import { connectTestRedis, deleteKeysUnder, testRedisUrl, uniqueKeyPrefix } from '../support/redis-test-server.js';

const bundle = fileURLToPath(new URL('../../lambda/handler.mjs', import.meta.url));

/**
 * A fresh Lambda environment in a child process: after each invocation returns it prints a line
 * and waits for the test's "next", so the test looks at the receiver at the moment Lambda would
 * freeze the environment. The batch delay is a minute: only the handler's flush can have sent
 * the spans by then.
 */
const script = (key: string) => `
  import { createInterface } from 'node:readline';
  import { Writable } from 'node:stream';
  globalThis.awslambda = {
    streamifyResponse: (handler) => handler,
    HttpResponseStream: { from(stream, metadata) { stream.write(JSON.stringify(metadata)); stream.write(Buffer.alloc(8)); return stream; } },
  };
  const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
  const returned = async (step, status) => { process.stdout.write(JSON.stringify({ step, status }) + '\\n'); await lines.next(); };
  const event = (method, path, body, headers = {}) => ({
    version: '2.0', routeKey: '$default', rawPath: path, rawQueryString: '',
    headers: { 'content-type': 'application/json', host: 'abc.lambda-url.us-east-1.on.aws', authorization: 'Bearer ${key}', ...headers },
    requestContext: { http: { method, path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'test' }, requestId: 'r1', routeKey: '$default', stage: '$default', timeEpoch: 0 },
    body: body === undefined ? undefined : Buffer.from(body).toString('base64'), isBase64Encoded: true,
  });
  const context = { getRemainingTimeInMillis: () => 30000 };
  const lambda = await import(${JSON.stringify(bundle)});
  const created = await lambda.handler(event('POST', '/v1/sessions', '{}', { traceparent: '00-${'a'.repeat(32)}-${'b'.repeat(16)}-01' }), context);
  await returned('session', created.statusCode);
  const session = JSON.parse(created.body).id;
  class Sink extends Writable { _write(_chunk, _encoding, callback) { callback(); } }
  await lambda.streamHandler(event('POST', '/v1/sessions/' + session + '/messages', JSON.stringify({ content: 'hi', stream: true }), { traceparent: '00-${'c'.repeat(32)}-${'d'.repeat(16)}-01' }), new Sink(), context);
  await returned('turn', 200);
  process.exit(0);
`;

describe('the Lambda handler exports its spans before the invocation returns', () => {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-lambda-tracing-'));
  const configPath = join(dir, 'config.yaml');
  const keyPrefix = uniqueKeyPrefix('lambda-tracing');
  let receiver: OtlpReceiver;
  let key: string;
  before(async () => {
    receiver = await startOtlpReceiver();
    // Lambda refuses a store of its own per environment (SQLite, memory): a shared Redis, as a deployment would use.
    writeFileSync(configPath, oneSimulatorConfigYaml(`telemetry: { tracing: { scheduledDelayMs: 60000 } }\nstore: { kind: redis, url: "${testRedisUrl}", keyPrefix: "${keyPrefix}" }\n`));
    key = runCli(['keys', 'create', '--tenant', 'lambda', '--config', configPath, '--data-dir', dir]).stdout.trim();
  });
  after(async () => {
    await receiver.close();
    const redis = await connectTestRedis();
    await deleteKeysUnder(redis, keyPrefix);
    redis.disconnect();
    rmSync(dir, { recursive: true, force: true });
  });

  it('flushes after a buffered and after a streamed invocation', async () => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script(key)], {
      env: { ...process.env, SWITCHBOARD_CONFIG: configPath, SWITCHBOARD_DATA_DIR: dir, OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' },
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    const seen: Record<string, string[]> = {};
    try {
      for await (const line of createInterface({ input: child.stdout })) {
        const { step, status } = JSON.parse(line) as { step: string; status: number };
        assert.ok(status === 200 || status === 201, `${step} answered ${status}`);
        seen[step] = receiver.spans.map((span) => `${span.traceId.slice(0, 1)} ${span.name}`);
        child.stdin.write('next\n');
      }
    } finally {
      child.kill();
    }
    assert.equal(await exited, 0);
    assert.ok(seen.session?.includes('a POST /v1/sessions'), `the buffered invocation's span was exported when it returned: ${JSON.stringify(seen.session)}`);
    for (const name of ['POST /v1/sessions/{id}/messages', 'run-agent', 'chat sim', 'POST']) {
      assert.ok(seen.turn?.includes(`c ${name}`), `the streamed invocation's "${name}" span was exported when it returned: ${JSON.stringify(seen.turn)}`);
    }
  });
});
