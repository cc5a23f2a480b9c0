/** Swapping generations: new requests take the new one at once, requests in flight finish on the one they started on, which then closes. */

import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { createRuntime, type Runtime } from '../../src/app/runtime.js';
import type { ConfigInput } from '../../src/config/config-schema.js';
import { parseConfig } from '../../src/config/load-config.js';
import { startHttpServer, type SwitchboardServer } from '../../src/server/http-server.js';
import { startCaptureServer, type CaptureServer } from '../models/capture-server.js';
import { authHeaders } from '../support/test-server.js';

function chunk(content: string): string {
  return `data: ${JSON.stringify({ id: 'x', object: 'chat.completion.chunk', created: 0, model: 'm1', choices: [{ index: 0, delta: { content }, finish_reason: null }] })}\n\n`;
}

const agents = { helper: { route: 'assistant', systemPrompt: 'Help.' } };

function configWith(pools: ConfigInput['pools'], routes: ConfigInput['routes'], agentRoute: string): ConfigInput {
  return {
    // In memory: a default SQLite store would leave ./data in the checkout, and the next `npm start` would print no admin key.
    store: { kind: 'memory' },
    logging: { level: 'silent' },
    auth: { cacheTtlMs: 0 },
    simulator: { instances: 1, ttftMs: 5, itlMs: 1, outputTokens: 4, seed: 3 },
    pools,
    routes,
    agents: { helper: { ...agents.helper, route: agentRoute } },
    intent: { defaultAgent: 'helper' },
  };
}

describe('generations', () => {
  let upstream: CaptureServer;
  let held: ServerResponse | undefined;
  let heldArrived: () => void;
  const arrived = new Promise<void>((resolve) => (heldArrived = resolve));
  let runtime: Runtime;
  let server: SwitchboardServer;
  let key: string;

  before(async () => {
    // An upstream that answers only when the test says so: the stream is in flight exactly as long as the test wants.
    upstream = await startCaptureServer((_request, response) => {
      held = response;
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write(chunk('Hello'));
      heldArrived();
    });
    const first = configWith({ v1: { model: 'm1', instances: [{ url: upstream.url }] } }, { assistant: { pool: 'v1' } }, 'assistant');
    runtime = await createRuntime(parseConfig(first), { logger: pino({ level: 'silent' }), defaultMetrics: false });
    server = await startHttpServer(runtime, { port: 0, host: '127.0.0.1' });
    ({ key } = await runtime.store.keys.create({ tenant: 'swap', role: 'admin' }));
  });
  after(async () => {
    await server.shutdown(1_000);
    await runtime.close();
    await upstream.close();
  });

  it('swaps to a new generation while a stream on the old one finishes on it, then closes the old one', async () => {
    const streaming = await fetch(`${server.url}/v1/chat/completions`, {
      method: 'POST',
      headers: authHeaders(key),
      body: JSON.stringify({ model: 'assistant', stream: true, messages: [{ role: 'user', content: 'hi' }] }),
    });
    assert.equal(streaming.status, 200);
    assert.equal(streaming.headers.get('x-switchboard-pool'), 'v1');
    await arrived;
    const reader = streaming.body!.getReader();
    let text = '';
    while (!text.includes('Hello')) text += new TextDecoder().decode((await reader.read()).value);

    const old = runtime.current;
    assert.equal(old.number, 1);
    assert.equal(old.held, 1, 'the stream holds the first generation');
    const second = configWith({ v2: { model: 'switchboard-sim', instances: [{ url: 'simulator://0' }] } }, { 'assistant-v2': { pool: 'v2' } }, 'assistant-v2');
    const next = await runtime.swap(parseConfig(second));
    assert.equal(next.number, 2);
    assert.equal(runtime.current, next);
    assert.ok(old.retired);
    assert.equal(old.closed, false, 'not closed while a request still holds it');

    // New requests see the new generation at once.
    const models = (await (await fetch(`${server.url}/v1/models`, { headers: authHeaders(key) })).json()) as { data: { id: string }[] };
    assert.deepEqual(models.data.map((model) => model.id), ['assistant-v2', 'agent:auto', 'agent:helper']);
    const answered = await fetch(`${server.url}/v1/chat/completions`, { method: 'POST', headers: authHeaders(key), body: JSON.stringify({ model: 'assistant-v2', messages: [{ role: 'user', content: 'hi' }] }) });
    assert.equal(answered.status, 200);
    assert.equal(answered.headers.get('x-switchboard-pool'), 'v2');
    const gone = await fetch(`${server.url}/v1/chat/completions`, { method: 'POST', headers: authHeaders(key), body: JSON.stringify({ model: 'assistant', messages: [{ role: 'user', content: 'hi' }] }) });
    assert.equal(gone.status, 404);
    await gone.arrayBuffer();

    // The old stream ends on the old generation's pool, intact; then the old generation closes.
    const retired = old.retire();
    held!.write(chunk(' world'));
    held!.write(`data: ${JSON.stringify({ id: 'x', object: 'chat.completion.chunk', created: 0, model: 'm1', choices: [{ index: 0, delta: {}, finish_reason: 'stop' }], usage: { prompt_tokens: 3, completion_tokens: 2 } })}\n\n`);
    held!.end('data: [DONE]\n\n');
    for (;;) {
      const step = await reader.read();
      if (step.done) break;
      text += new TextDecoder().decode(step.value);
    }
    const contents = text
      .split('\n\n')
      .filter((frame) => frame.startsWith('data: {'))
      .map((frame) => (JSON.parse(frame.slice(6)) as { choices: { delta?: { content?: string } }[] }).choices[0]?.delta?.content ?? '')
      .join('');
    assert.equal(contents, 'Hello world');
    assert.match(text, /data: \[DONE\]\n\n$/);
    await retired;
    assert.equal(old.held, 0);
    assert.equal(old.closed, true);
    assert.equal(next.closed, false);
  });

  it('keeps serving on the current generation when the new one cannot be built', async () => {
    const current = runtime.current;
    const broken = parseConfig(configWith({ v3: { model: 'm3', instances: [{ url: 'http://127.0.0.1:1' }] } }, { 'assistant-v3': { pool: 'v3' } }, 'assistant-v3'));
    // Past validation, as a config that validates but cannot be built: an instance URL the HTTP client refuses.
    broken.pools.v3!.instances[0]!.url = 'http://';
    await assert.rejects(runtime.swap(broken));
    assert.equal(runtime.current, current);
    assert.equal(current.retired, false);
    const models = (await (await fetch(`${server.url}/v1/models`, { headers: authHeaders(key) })).json()) as { data: { id: string }[] };
    assert.deepEqual(models.data.map((model) => model.id), ['assistant-v2', 'agent:auto', 'agent:helper']);
  });
});
