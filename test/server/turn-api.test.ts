import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { authHeaders, readSse, startTestServer, type TestServer } from '../support/test-server.js';

describe('orchestrated turns over HTTP', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  async function createSession(key = server.key): Promise<string> {
    const response = await fetch(`${server.url}/v1/sessions`, { method: 'POST', headers: authHeaders(key), body: '{"metadata":{"channel":"test"}}' });
    assert.equal(response.status, 201);
    const body = (await response.json()) as { id: string; version: number; metadata: Record<string, string> };
    assert.equal(body.version, 0);
    assert.deepEqual(body.metadata, { channel: 'test' });
    return body.id;
  }

  it('runs one turn through every stage and reports intent, agent, route, usage and timings', async () => {
    const id = await createSession();
    const response = await fetch(`${server.url}/v1/sessions/${id}/messages`, { method: 'POST', headers: authHeaders(server.key), body: JSON.stringify({ content: 'Where is my order 12345?' }) });
    assert.equal(response.status, 200);
    const timing = response.headers.get('server-timing') ?? '';
    for (const stage of ['authenticate', 'admit', 'load-session', 'detect-intent', 'select-agent', 'assign-variant', 'run-agent', 'save-session']) {
      assert.match(timing, new RegExp(`${stage};dur=[0-9.]+`), `Server-Timing lacks ${stage}: ${timing}`);
    }
    const reply = (await response.json()) as Record<string, any>;
    assert.equal(reply.version, 1);
    assert.equal(reply.agent, 'order-support');
    assert.equal(reply.intent.name, 'order_support');
    assert.equal(reply.intent.source, 'rules');
    assert.ok(reply.intent.confidence >= 0.5);
    assert.match(reply.message.content, /^\[simulated\]/);
    assert.equal(reply.route.name, 'demo');
    assert.equal(reply.route.pool, 'simulator');
    // The reply names the instance (`<pool>-<index>` by default), never its URL.
    assert.ok(['simulator-0', 'simulator-1'].includes(reply.route.instance), reply.route.instance);
    assert.ok(reply.usage.completion_tokens > 0 && reply.usage.total_tokens === reply.usage.prompt_tokens + reply.usage.completion_tokens);
    assert.ok(reply.timings['run-agent'] > 0);

    const stored = (await (await fetch(`${server.url}/v1/sessions/${id}`, { headers: authHeaders(server.key) })).json()) as Record<string, any>;
    assert.equal(stored.version, 1);
    assert.equal(stored.last_agent, 'order-support');
    assert.deepEqual(stored.messages.map((message: { role: string }) => message.role), ['user', 'assistant']);
    assert.equal(stored.messages[1].content, reply.message.content);
  });

  it('streams a turn as intent, deltas and done, and stores exactly what was streamed', async () => {
    const id = await createSession();
    const response = await fetch(`${server.url}/v1/sessions/${id}/messages`, { method: 'POST', headers: authHeaders(server.key), body: JSON.stringify({ content: 'Can you recommend running shoes?', stream: true }) });
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /text\/event-stream/);
    const events = await readSse(response);
    assert.equal(events[0]!.event, 'intent');
    assert.equal(JSON.parse(events[0]!.data).agent, 'shopping-advice');
    const deltas = events.filter((event) => event.event === 'delta');
    assert.ok(deltas.length > 1);
    const last = events.at(-1)!;
    assert.equal(last.event, 'done');
    const done = JSON.parse(last.data);
    assert.equal(done.version, 1);
    assert.ok(done.timings['save-session'] !== undefined || done.timings['run-agent'] > 0);
    const streamed = deltas.map((event) => JSON.parse(event.data).text).join('');
    const stored = (await (await fetch(`${server.url}/v1/sessions/${id}`, { headers: authHeaders(server.key) })).json()) as Record<string, any>;
    assert.equal(stored.messages[1].content, streamed);
  });

  it('keeps a follow-up with the previous agent and sends the history window to the model', async () => {
    const id = await createSession();
    const first = await fetch(`${server.url}/v1/sessions/${id}/messages`, { method: 'POST', headers: authHeaders(server.key), body: JSON.stringify({ content: 'I want a refund for order 555' }) });
    assert.equal(((await first.json()) as { agent: string }).agent, 'order-support');
    const second = await fetch(`${server.url}/v1/sessions/${id}/messages`, { method: 'POST', headers: authHeaders(server.key), body: JSON.stringify({ content: 'ok thanks, and then?' }) });
    const reply = (await second.json()) as Record<string, any>;
    assert.equal(reply.agent, 'order-support');
    assert.equal(reply.intent.source, 'follow-up');
    assert.equal(reply.version, 2);
    // The second prompt carries the system prompt, the first turn's two messages and the new one.
    assert.ok(reply.usage.prompt_tokens > 20);
  });

  it("hides one tenant's sessions from another tenant's key", async () => {
    const id = await createSession();
    const { key: otherKey } = await server.runtime.store.keys.create({ tenant: 'tenant-b' });
    for (const [method, path, body] of [
      ['GET', `/v1/sessions/${id}`, undefined],
      ['DELETE', `/v1/sessions/${id}`, undefined],
      ['POST', `/v1/sessions/${id}/messages`, '{"content":"hi"}'],
    ] as const) {
      const response = await fetch(`${server.url}${path}`, { method, headers: authHeaders(otherKey), body });
      assert.equal(response.status, 404, `${method} ${path}`);
      assert.equal(((await response.json()) as { error: { code: string } }).error.code, 'session_not_found');
    }
    const still = await fetch(`${server.url}/v1/sessions/${id}`, { headers: authHeaders(server.key) });
    assert.equal(still.status, 200);
  });

  it('deletes a session', async () => {
    const id = await createSession();
    const deleted = await fetch(`${server.url}/v1/sessions/${id}`, { method: 'DELETE', headers: authHeaders(server.key) });
    assert.equal(deleted.status, 200);
    const gone = await fetch(`${server.url}/v1/sessions/${id}`, { headers: authHeaders(server.key) });
    assert.equal(gone.status, 404);
  });

  it('never loses or interleaves messages when turns race on one session', async () => {
    const id = await createSession();
    const attempts = await Promise.all(
      Array.from({ length: 6 }, (_, index) =>
        fetch(`${server.url}/v1/sessions/${id}/messages`, { method: 'POST', headers: authHeaders(server.key), body: JSON.stringify({ content: `question ${index}` }) }),
      ),
    );
    const statuses = attempts.map((response) => response.status);
    assert.ok(statuses.every((status) => status === 200 || status === 409), String(statuses));
    const committed = statuses.filter((status) => status === 200).length;
    assert.ok(committed >= 1);
    for (const response of attempts) {
      if (response.status === 409) assert.equal(((await response.json()) as { error: { code: string } }).error.code, 'session_conflict');
      else await response.arrayBuffer();
    }
    const stored = (await (await fetch(`${server.url}/v1/sessions/${id}`, { headers: authHeaders(server.key) })).json()) as { version: number; messages: { role: string; content: string }[] };
    assert.equal(stored.version, committed);
    assert.equal(stored.messages.length, committed * 2);
    for (let index = 0; index < stored.messages.length; index += 2) {
      assert.equal(stored.messages[index]!.role, 'user');
      assert.equal(stored.messages[index + 1]!.role, 'assistant');
    }
  });

  it('replays a turn retried with the same Idempotency-Key instead of appending it twice', async () => {
    const id = await createSession();
    const send = () =>
      fetch(`${server.url}/v1/sessions/${id}/messages`, { method: 'POST', headers: { ...authHeaders(server.key), 'idempotency-key': 'turn-1' }, body: JSON.stringify({ content: 'where is my order 999?' }) });
    const first = (await (await send()).json()) as { message: { content: string }; version: number };
    const second = (await (await send()).json()) as { message: { content: string }; version: number };
    assert.equal(second.message.content, first.message.content);
    assert.equal(second.version, 1);
    const stored = (await (await fetch(`${server.url}/v1/sessions/${id}`, { headers: authHeaders(server.key) })).json()) as { messages: unknown[] };
    assert.equal(stored.messages.length, 2);
    const reused = await fetch(`${server.url}/v1/sessions/${id}/messages`, { method: 'POST', headers: { ...authHeaders(server.key), 'idempotency-key': 'turn-1' }, body: JSON.stringify({ content: 'something else' }) });
    assert.equal(reused.status, 422);
  });

  it('exposes stage histograms, request counts and token counts on /metrics', async () => {
    const text = await (await fetch(`${server.url}/metrics`)).text();
    for (const stage of ['authenticate', 'load-session', 'detect-intent', 'select-agent', 'assign-variant', 'run-agent', 'save-session']) {
      assert.match(text, new RegExp(`switchboard_stage_duration_seconds_count\\{stage="${stage}"\\} [1-9]`));
    }
    assert.match(text, /switchboard_requests_total\{route="\/v1\/sessions\/:id\/messages",code="200",model_route="demo"\} [1-9]/);
    assert.match(text, /switchboard_inflight_requests 0/);
    assert.match(text, /switchboard_upstream_duration_seconds_count\{pool="simulator",instance="simulator-[01]"\} [1-9]/);
    assert.match(text, /switchboard_upstream_ttft_seconds_count\{pool="simulator"\} [1-9]/);
    assert.match(text, /switchboard_tokens_total\{tenant="tenant-a",pool="simulator",model="switchboard-sim",direction="output"\} [1-9]/);
  });

  it('answers health and readiness', async () => {
    assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
    assert.equal((await fetch(`${server.url}/readyz`)).status, 200);
  });
});
