import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import type { ConfigInput } from '../../src/config/config-schema.js';
import { parseConfig } from '../../src/config/load-config.js';
import { startLlmSimulator, type LlmSimulator, type LlmSimulatorOptions } from '../../src/lab/llm-simulator.js';
import { createRuntime, type Runtime } from '../../src/app/runtime.js';
import { startHttpServer, type SwitchboardServer } from '../../src/server/http-server.js';
import { authHeaders, readSse, type SseEventRecord } from '../support/test-server.js';
import { closedLoopbackPort } from '../support/closed-port.js';

/** A loopback port with nothing listening: connections to it are refused. */
async function closedPortUrl(): Promise<string> {
  return `http://127.0.0.1:${await closedLoopbackPort()}`;
}

const fastAnswers: LlmSimulatorOptions = { ttftMs: 20, itlMs: 2, outputTokens: 12 };
const retry = { attempts: 4, baseDelayMs: 5, maxDelayMs: 50 };
// Generous: a healthy simulator answers in ~50 ms, but on a loaded 2-core machine 32 concurrent
// turns can wait far longer, and a deadline a healthy answer can miss makes the test measure the machine.
const timeouts = { firstTokenMs: 3_000, totalMs: 10_000 };

describe('router resilience over real simulators and a real server', () => {
  const simulators: Record<string, LlmSimulator> = {};
  let down: string;
  let downToo: string;
  let runtime: Runtime;
  let server: SwitchboardServer;
  let key: string;
  let dataDir: string;
  const logLines: Record<string, unknown>[] = [];

  before(async () => {
    const start = (options: LlmSimulatorOptions, seed: number) => startLlmSimulator({ ...fastAnswers, ...options, seed });
    simulators.healthy = await start({}, 1);
    simulators.flaky = await start({ errorRate: 0.5 }, 2);
    simulators.stalled = await start({ stallMs: 20_000 }, 3);
    simulators.cutter = await start({ disconnectRate: 1, outputTokens: 30 }, 4);
    simulators.backup = await start({}, 5);
    simulators.breaker = await start({ errorRate: 1 }, 6);
    simulators.small = await start({ maxNumSeqs: 1, ttftMs: 600 }, 7);
    simulators.claude = await start({}, 8);
    down = await closedPortUrl();
    downToo = await closedPortUrl();
    const config: ConfigInput = {
      logging: { level: 'debug' },
      auth: { cacheTtlMs: 0 },
      pools: {
        faulty: { model: 'sim', instances: [{ url: down }, { url: simulators.flaky!.url }, { url: simulators.stalled!.url }, { url: simulators.healthy!.url }], balancer: 'round-robin', retry, timeouts },
        backup: { model: 'sim', instances: [{ url: simulators.backup!.url }], prices: { inputPerMillionTokens: 1, outputPerMillionTokens: 2 } },
        cutting: { model: 'sim', instances: [{ url: simulators.cutter!.url }], retry, timeouts },
        // totalMs is far above the stall: only the header deadline can send these calls on before the stall ends.
        stalling: { model: 'sim', instances: [{ url: simulators.stalled!.url }], retry: { attempts: 2, baseDelayMs: 5, maxDelayMs: 5 }, timeouts: { firstTokenMs: 3_000, totalMs: 60_000 } },
        dead: { model: 'sim', instances: [{ url: down }, { url: downToo }], retry, timeouts },
        'dead-too': { model: 'sim', instances: [{ url: downToo }], retry, timeouts },
        breaker: { model: 'sim', instances: [{ url: simulators.breaker!.url }], retry: { attempts: 1 }, breaker: { minimumCalls: 3, failureRate: 0.5, openMs: 600 } },
        'self-hosted': {
          model: 'sim',
          instances: [{ url: simulators.small!.url }],
          engine: 'vllm',
          balancer: 'queue-aware',
          metrics: { intervalMs: 50, staleAfterMs: 1_000 },
          saturation: { maxWaiting: 0 },
          timeouts: { firstTokenMs: 5_000 },
        },
        external: { provider: 'anthropic', model: 'claude-sim', instances: [{ url: simulators.claude!.url }], apiKey: 'sk-test', prices: { inputPerMillionTokens: 3, outputPerMillionTokens: 15 } },
      },
      routes: {
        faulty: { pool: 'faulty' },
        cutting: { pool: 'cutting', fallbacks: ['backup'] },
        stalling: { pool: 'stalling', fallbacks: ['backup'] },
        dead: { pool: 'dead', fallbacks: ['backup'] },
        'all-dead': { pool: 'dead', fallbacks: ['dead-too'] },
        breaker: { pool: 'breaker', fallbacks: ['backup'] },
        hybrid: { pool: 'external', rules: [{ name: 'critical-flows', when: { agents: ['checkout'] }, pool: 'self-hosted', fallbacks: ['external'] }] },
      },
      agents: {
        faulty: { route: 'faulty' },
        cutting: { route: 'cutting' },
        dead: { route: 'dead' },
        'all-dead': { route: 'all-dead' },
        breaker: { route: 'breaker' },
        checkout: { route: 'hybrid', maxTokens: 8 },
        chat: { route: 'hybrid', maxTokens: 8 },
      },
      intent: { defaultAgent: 'faulty' },
    };
    dataDir = mkdtempSync(join(tmpdir(), 'switchboard-router-'));
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString('utf8').split('\n')) if (line) logLines.push(JSON.parse(line) as Record<string, unknown>);
        done();
      },
    });
    runtime = await createRuntime(parseConfig(config), { dataDir, logger: pino({ level: 'debug' }, sink), defaultMetrics: false });
    server = await startHttpServer(runtime, { port: 0, host: '127.0.0.1' });
    key = (await runtime.store.keys.create({ tenant: 'tenant-r', role: 'user', tier: 'pro' })).key;
  });

  after(async () => {
    await server.shutdown(1_000);
    await runtime.close();
    await Promise.all(Object.values(simulators).map((simulator) => simulator.close()));
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** One turn on a fresh session (turns on one session are serialised by design). */
  async function turn(agent: string, stream: boolean): Promise<{ status: number; body?: Record<string, any>; events?: SseEventRecord[] }> {
    const created = await fetch(`${server.url}/v1/sessions`, { method: 'POST', headers: authHeaders(key), body: '{}' });
    const { id } = (await created.json()) as { id: string };
    const response = await fetch(`${server.url}/v1/sessions/${id}/messages`, { method: 'POST', headers: authHeaders(key), body: JSON.stringify({ content: 'Where is my order 12345?', agent, stream }) });
    if (stream && response.status === 200) return { status: response.status, events: await readSse(response) };
    return { status: response.status, body: (await response.json()) as Record<string, any> };
  }

  it('loses no turn to an instance that is down, one failing half its calls and one stalling before its first token', async () => {
    const results = await Promise.all([...Array.from({ length: 16 }, () => turn('faulty', false)), ...Array.from({ length: 16 }, () => turn('faulty', true))]);
    for (const result of results) {
      assert.equal(result.status, 200, JSON.stringify(result.body));
      if (result.events) {
        assert.deepEqual(result.events.filter((event) => event.event === 'error'), []);
        const done = JSON.parse(result.events.at(-1)!.data) as { route: { instance: string } };
        assert.equal(result.events.at(-1)!.event, 'done');
        assert.ok(['faulty-3', 'faulty-1'].includes(done.route.instance), done.route.instance);
      } else {
        assert.ok(['faulty-3', 'faulty-1'].includes(result.body!.route.instance), 'replies name the instance (healthy or flaky), not its URL');
      }
    }
    const replies = results.map((result) => result.body?.route ?? JSON.parse(result.events!.at(-1)!.data).route) as { attempts: number }[];
    assert.ok(replies.some((route) => route.attempts > 1), 'some turns needed retries');
    // Every fault was met, so the test proves something.
    assert.ok(simulators.flaky!.stats().injectedErrors > 0);
    assert.ok(simulators.stalled!.stats().received > 0);
  });

  it('gives a non-streamed call firstTokenMs for the response headers, so a stalled instance sends it on to the fallback, not totalMs later', async () => {
    const stalledBefore = simulators.stalled!.stats().received;
    const response = await fetch(`${server.url}/v1/chat/completions`, { method: 'POST', headers: authHeaders(key), body: JSON.stringify({ model: 'stalling', messages: [{ role: 'user', content: 'hi' }] }) });
    const body = (await response.json()) as { choices: { message: { content: string } }[] };
    assert.equal(response.status, 200, JSON.stringify(body));
    assert.equal(response.headers.get('x-switchboard-pool'), 'backup', 'both attempts on the stalled instance hit the header deadline');
    assert.equal(simulators.stalled!.stats().received - stalledBefore, 2);
    const timeouts = logLines.filter((line) => line.modelRoute === 'stalling' && /^no response headers from .* within 3000 ms$/.test(String(line.err)));
    assert.equal(timeouts.length, 2, JSON.stringify(logLines.filter((line) => line.level === 40).slice(-4)));
  });

  it('ends a stream cut after tokens reached the client with the SSE error event, and never falls back then', async () => {
    const backupBefore = simulators.backup!.stats().received;
    const result = await turn('cutting', true);
    assert.equal(result.status, 200);
    const names = result.events!.map((event) => event.event);
    assert.equal(names[0], 'intent');
    assert.ok(names.includes('delta'), names.join(','));
    assert.equal(names.at(-1), 'error');
    assert.ok(!names.includes('done'));
    const error = JSON.parse(result.events!.at(-1)!.data) as { error: { code: string } };
    assert.equal(error.error.code, 'upstream_error');

    // The chat completions stream ends the same way: an error chunk, no [DONE].
    const response = await fetch(`${server.url}/v1/chat/completions`, { method: 'POST', headers: authHeaders(key), body: JSON.stringify({ model: 'cutting', stream: true, messages: [{ role: 'user', content: 'hi' }] }) });
    const chunks = (await readSse(response)).map((event) => event.data);
    assert.ok(chunks.some((chunk) => chunk.includes('"content"')));
    assert.match(chunks.at(-1)!, /"error"/);
    assert.ok(!chunks.includes('[DONE]'));
    assert.equal(simulators.backup!.stats().received, backupBefore, 'no fallback after the first token');
  });

  it('falls back to the next pool when a whole pool is down, and fails only when every pool is', async () => {
    const result = await turn('dead', false);
    assert.equal(result.status, 200);
    assert.equal(result.body!.route.pool, 'backup');
    assert.equal(result.body!.route.instance, 'backup-0');

    const failed = await turn('all-dead', false);
    assert.ok(failed.status === 502 || failed.status === 503, String(failed.status));
    assert.match((failed.body as { error: { code: string } }).error.code, /^(upstream_error|no_healthy_upstream)$/);
  });

  it('opens a breaker after failures, shows it on /metrics, lets a probe through after the open time and closes', async () => {
    const stateOf = async () => {
      const text = await (await fetch(`${server.url}/metrics`)).text();
      const match = /switchboard_upstream_breaker_state\{pool="breaker",instance="breaker-0"\} (\d)/.exec(text);
      return match ? Number(match[1]) : undefined;
    };
    assert.equal(await stateOf(), 0);
    // The simulator answers 429 (with Retry-After: 1), 500 or 503 at random; a 429 cools the
    // instance down, and turns in a cool-down skip it without a call the breaker could count.
    // So failing turns go on until the breaker has seen its minimum of calls and opened.
    let opened = false;
    for (let index = 0; index < 15 && !opened; index++) {
      assert.equal((await turn('breaker', false)).body!.route.pool, 'backup');
      opened = (await stateOf()) === 2;
      if (!opened) await new Promise((resolve) => setTimeout(resolve, 200));
    }
    assert.ok(opened, 'the breaker opened after repeated failures');
    const receivedWhileOpen = simulators.breaker!.stats().received;
    assert.equal((await turn('breaker', false)).body!.route.pool, 'backup');
    assert.equal(simulators.breaker!.stats().received, receivedWhileOpen, 'an open breaker lets nothing through');

    simulators.breaker!.configure({ errorRate: 0 });
    // Past the open time (600 ms) and past the cool-down of a 429 (Retry-After: 1) that may have been the
    // call that opened the breaker: both started before this wait, so a slow machine only adds to it.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const probe = await turn('breaker', false);
    assert.equal(probe.body!.route.pool, 'breaker', 'the half-open probe went to the instance and succeeded');
    assert.equal(await stateOf(), 0);
  });

  it('routes by rule to the self-hosted pool, overflows to the external API when it is saturated, and explains each decision', async () => {
    const critical = await turn('checkout', false);
    assert.equal(critical.status, 200);
    assert.deepEqual({ rule: critical.body!.route.rule, pool: critical.body!.route.pool }, { rule: 'critical-flows', pool: 'self-hosted' });

    const simple = await turn('chat', true);
    const done = JSON.parse(simple.events!.at(-1)!.data) as { route: { rule: string; pool: string; instance: string }; usage: { prompt_tokens: number } };
    assert.deepEqual({ rule: done.route.rule, pool: done.route.pool, instance: done.route.instance }, { rule: 'default', pool: 'external', instance: 'external-0' });
    assert.ok(done.usage.prompt_tokens > 0, 'Anthropic usage came back through the adapter');

    // Fill the one-slot engine: its queue shows in the next scrape and the critical flow overflows.
    const filler = new AbortController();
    const direct = Array.from({ length: 3 }, () =>
      fetch(`${simulators.small!.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"messages":[{"role":"user","content":"x"}],"max_tokens":2}', signal: filler.signal }).catch(() => undefined),
    );
    const deadline = Date.now() + 3_000;
    while (runtime.current.router.pools.get('self-hosted')!.instances[0]!.waiting === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    const overflow = await turn('checkout', false);
    assert.deepEqual({ rule: overflow.body!.route.rule, pool: overflow.body!.route.pool }, { rule: 'critical-flows', pool: 'external' });
    filler.abort();
    await Promise.all(direct);

    const routed = logLines.filter((line) => line.msg === 'model call routed');
    assert.ok(routed.some((line) => line.rule === 'critical-flows' && line.pool === 'external' && line.instance === 'external-0' && line.route === 'hybrid'));
  });
});
