/**
 * What an operator sees: a request id on every response, one access log line per request, warnings
 * for upstream failures, breaker changes and fallbacks, metrics by model route, and clients that
 * see an instance's name, never its URL or its raw error body. Log lines are read from the real
 * logger's output stream.
 */

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { createRuntime, type Runtime } from '../../src/app/runtime.js';
import { parseConfig } from '../../src/config/load-config.js';
import { startHttpServer, type SwitchboardServer } from '../../src/server/http-server.js';
import { createLogger } from '../../src/telemetry/logger.js';
import { authHeaders } from '../support/test-server.js';

type LogLine = Record<string, unknown> & { level: number; msg: string };

/** Everything the real logger writes, one JSON object a line. */
class LogCapture extends Writable {
  readonly lines: LogLine[] = [];
  #partial = '';
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    const text = this.#partial + chunk.toString('utf8');
    const parts = text.split('\n');
    this.#partial = parts.pop()!;
    for (const part of parts) if (part.trim() !== '') this.lines.push(JSON.parse(part) as LogLine);
    done();
  }
}

const secretBody = 'database at 10.9.8.7 exploded; stack: at Object.<anonymous> (/srv/engine.py:12)';
const warn = 40;
const info = 30;

describe('operations: request ids, logs, metrics and what clients see', () => {
  let upstream: Server;
  let upstreamUrl: string;
  let runtime: Runtime;
  let server: SwitchboardServer;
  let dataDir: string;
  let key: string;
  const logs = new LogCapture();

  before(async () => {
    upstream = createServer((request, response) => {
      request.resume();
      response.writeHead(503, { 'content-type': 'text/plain' }).end(secretBody);
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
    dataDir = mkdtempSync(join(tmpdir(), 'switchboard-operations-'));
    const config = parseConfig(
      {
        simulator: { instances: 1, ttftMs: 1, itlMs: 1, outputTokens: 4, seed: 3 },
        pools: {
          broken: {
            model: 'm',
            instances: [{ url: upstreamUrl, name: 'gpu-a' }],
            retry: { attempts: 2, baseDelayMs: 0, maxDelayMs: 0 },
            // Opens after the two failing requests below (two attempts each), before the fallback request.
            breaker: { minimumCalls: 4, failureRate: 0.5, openMs: 600_000 },
          },
          sim: { model: 'switchboard-sim', instances: [{ url: 'simulator://0' }] },
        },
        routes: { r: { pool: 'broken', fallbacks: ['sim'] }, 'only-broken': { pool: 'broken' } },
        agents: { helper: { route: 'r', intent: 'help' } },
        intent: { defaultAgent: 'helper' },
        logging: { level: 'info' },
        auth: { cacheTtlMs: 0 },
        server: { metricsKey: '${METRICS_KEY}' },
      },
      '(test)',
      { METRICS_KEY: 'scrape-secret' },
    );
    runtime = await createRuntime(config, { dataDir, logger: createLogger('info', logs), defaultMetrics: false });
    server = await startHttpServer(runtime, { port: 0, host: '127.0.0.1' });
    ({ key } = await runtime.store.keys.create({ tenant: 'tenant-a', role: 'admin' }));
  });

  after(async () => {
    await server.shutdown(1_000);
    await runtime.close();
    await new Promise<void>((resolve) => upstream.close(() => resolve()));
    rmSync(dataDir, { recursive: true, force: true });
  });

  const chat = (model: string, stream = false, headers: Record<string, string> = {}) =>
    fetch(`${server.url}/v1/chat/completions`, { method: 'POST', headers: { ...authHeaders(key), ...headers }, body: JSON.stringify({ model, stream, messages: [{ role: 'user', content: 'hi' }] }) });

  it('gives every response an x-request-id, keeping an incoming one', async () => {
    const health = await fetch(`${server.url}/healthz`);
    assert.match(health.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/);
    const missing = await fetch(`${server.url}/nowhere`, { headers: { 'x-request-id': 'caller-chose-this-1' } });
    assert.equal(missing.status, 404);
    assert.equal(missing.headers.get('x-request-id'), 'caller-chose-this-1');
    // An id that could forge log lines or headers is replaced, not echoed.
    const odd = await fetch(`${server.url}/healthz`, { headers: { 'x-request-id': 'x'.repeat(300) } });
    assert.match(odd.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/);
  });

  it('answers an upstream 5xx with the instance name and a summary, keeping URL and raw body for the log', async () => {
    for (const stream of [false, true]) {
      const response = await chat('only-broken', stream);
      const text = await response.text();
      assert.equal(response.status, 502, text);
      assert.match(text, /gpu-a/);
      assert.match(text, /503/);
      assert.doesNotMatch(text, /127\.0\.0\.1|10\.9\.8\.7|engine\.py/);
      for (const [name, value] of response.headers) assert.doesNotMatch(value, /127\.0\.0\.1/, `header ${name}`);
    }
    const failures = logs.lines.filter((line) => line.level === warn && line.msg === 'upstream attempt failed');
    assert.ok(failures.length >= 2, JSON.stringify(logs.lines));
    assert.equal(failures[0]!.url, upstreamUrl);
    assert.equal(failures[0]!.instance, 'gpu-a');
    assert.equal(failures[0]!.status, 503);
    assert.match(String(failures[0]!.body), /10\.9\.8\.7/);
    const opened = logs.lines.find((line) => line.level === warn && line.msg === 'circuit breaker changed' && line.state === 'open');
    assert.ok(opened, JSON.stringify(logs.lines));
    assert.equal(opened.instance, 'gpu-a');
  });

  it('logs one access line per request and a warning on fallback; headers and replies name instances', async () => {
    const response = await chat('r', false, { 'x-request-id': 'req-fallback-1' });
    assert.equal(response.status, 200, await response.clone().text());
    assert.equal(response.headers.get('x-switchboard-instance'), 'sim-0');
    await response.text();
    const access = logs.lines.filter((line) => line.msg === 'request' && line.requestId === 'req-fallback-1');
    assert.equal(access.length, 1, JSON.stringify(logs.lines));
    const line = access[0]!;
    assert.equal(line.level, info);
    assert.equal(line.method, 'POST');
    assert.equal(line.route, '/v1/chat/completions');
    assert.equal(line.status, 200);
    assert.equal(line.tenant, 'tenant-a');
    assert.equal(typeof line.durationMs, 'number');
    assert.equal(line.modelRoute, 'r');
    assert.equal(line.pool, 'sim');
    assert.equal(line.attempts, 1);
    const fellBack = logs.lines.find((entry) => entry.level === warn && entry.msg === 'fell back to the next pool' && entry.modelRoute === 'r');
    assert.ok(fellBack, JSON.stringify(logs.lines.filter((entry) => entry.level === warn)));
    assert.equal(fellBack.from, 'broken');
    assert.equal(fellBack.to, 'sim');

    const session = (await (await fetch(`${server.url}/v1/sessions`, { method: 'POST', headers: authHeaders(key), body: '{}' })).json()) as { id: string };
    const turn = await fetch(`${server.url}/v1/sessions/${session.id}/messages`, { method: 'POST', headers: authHeaders(key), body: JSON.stringify({ content: 'hello' }) });
    const reply = (await turn.json()) as { route: { instance: string; pool: string } };
    assert.equal(turn.status, 200, JSON.stringify(reply));
    assert.deepEqual([reply.route.pool, reply.route.instance], ['sim', 'sim-0']);
  });

  it('counts by model route and keeps /metrics behind its key', async () => {
    assert.equal((await fetch(`${server.url}/metrics`)).status, 401);
    assert.equal((await fetch(`${server.url}/metrics`, { headers: { authorization: 'Bearer wrong' } })).status, 401);
    const scraped = await fetch(`${server.url}/metrics`, { headers: { authorization: 'Bearer scrape-secret' } });
    assert.equal(scraped.status, 200);
    const text = await scraped.text();
    const has = (pattern: RegExp) => assert.match(text, pattern);
    has(/^switchboard_requests_total\{route="\/v1\/chat\/completions",code="200",model_route="r"\} [1-9]/m);
    has(/^switchboard_requests_total\{route="\/v1\/chat\/completions",code="502",model_route="only-broken"\} 2/m);
    has(/^switchboard_upstream_retries_total\{model_route="only-broken",pool="broken"\} [1-9]/m);
    has(/^switchboard_fallbacks_total\{model_route="r",from="broken",to="sim"\} [1-9]/m);
    has(/^switchboard_upstream_breaker_transitions_total\{pool="broken",instance="gpu-a",state="open"\} 1/m);
    has(/^switchboard_tokens_total\{tenant="tenant-a",pool="sim",model="switchboard-sim",direction="output"\} [1-9]/m);
    has(/^switchboard_turns_total\{agent="helper",intent="help"\} 1/m);
    assert.doesNotMatch(text, /127\.0\.0\.1/, 'metrics name instances, not URLs');
  });
});
