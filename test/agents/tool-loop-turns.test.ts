import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { demoOrder } from '../../src/lab/demo-order-service.js';
import { authHeaders, readSse, startTestServer, testConfig, type TestServer } from '../support/test-server.js';

interface Reply {
  message: { content: string };
  steps: number;
  tool_calls: { id: string; name: string; arguments: string; ok: boolean; duration_ms: number; summary: string }[];
  timings: Record<string, number>;
  version: number;
}

interface StoredSession {
  version: number;
  messages: { role: string; content: string; tool_calls?: { id: string; function: { name: string; arguments: string } }[]; tool_call_id?: string }[];
}

describe('turns that call tools (the zero-config demo order lookup)', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  async function newSession(): Promise<string> {
    const created = await fetch(`${server.url}/v1/sessions`, { method: 'POST', headers: authHeaders(server.key) });
    return ((await created.json()) as { id: string }).id;
  }

  async function session(id: string): Promise<StoredSession> {
    return (await (await fetch(`${server.url}/v1/sessions/${id}`, { headers: authHeaders(server.key) })).json()) as StoredSession;
  }

  it('looks the order up over HTTP, answers from the result and commits the call and its result with the turn', async () => {
    const id = await newSession();
    const response = await fetch(`${server.url}/v1/sessions/${id}/messages`, { method: 'POST', headers: authHeaders(server.key), body: JSON.stringify({ content: 'Where is my order 48213?' }) });
    assert.equal(response.status, 200);
    const reply = (await response.json()) as Reply;
    assert.equal(reply.steps, 2);
    assert.equal(reply.tool_calls.length, 1);
    const [call] = reply.tool_calls;
    assert.equal(call!.name, 'lookup_order');
    assert.equal(call!.ok, true);
    assert.deepEqual(JSON.parse(call!.arguments), { order_id: '48213' });
    const order = demoOrder('48213')!;
    // The demo service's answer reached the model: the summary is its body, and the simulator's text uses it.
    assert.deepEqual(JSON.parse(call!.summary), order);
    assert.ok(reply.message.content.includes(String(order.status)), reply.message.content);
    assert.ok(typeof reply.timings.tools === 'number' && typeof reply.timings['run-agent'] === 'number');
    assert.ok(response.headers.get('server-timing')!.includes('tools;dur='));

    const stored = await session(id);
    assert.equal(stored.version, 1);
    assert.deepEqual(stored.messages.map((message) => message.role), ['user', 'assistant', 'tool', 'assistant']);
    assert.equal(stored.messages[1]!.tool_calls![0]!.id, call!.id);
    assert.equal(stored.messages[2]!.tool_call_id, call!.id);
    assert.deepEqual(JSON.parse(stored.messages[2]!.content), order);
    assert.equal(stored.messages[3]!.content, reply.message.content);
  });

  it('streams tool_call and tool_result events, then the text, then done with the steps and the calls', async () => {
    const id = await newSession();
    const response = await fetch(`${server.url}/v1/sessions/${id}/messages`, { method: 'POST', headers: authHeaders(server.key), body: JSON.stringify({ content: 'Where is my order 77120?', stream: true }) });
    assert.equal(response.status, 200);
    const events = await readSse(response);
    const names = events.map((event) => event.event);
    const toolCall = names.indexOf('tool_call');
    const toolResult = names.indexOf('tool_result');
    const firstDelta = names.indexOf('delta');
    assert.equal(names[0], 'intent');
    assert.ok(toolCall > 0 && toolResult > toolCall && firstDelta > toolResult, names.join(','));
    assert.equal(names.at(-1), 'done');
    const called = JSON.parse(events[toolCall]!.data) as { id: string; name: string; arguments: string };
    assert.equal(called.name, 'lookup_order');
    assert.deepEqual(JSON.parse(called.arguments), { order_id: '77120' });
    const result = JSON.parse(events[toolResult]!.data) as { id: string; ok: boolean; duration_ms: number; summary: string };
    assert.equal(result.id, called.id);
    assert.equal(result.ok, true);
    assert.deepEqual(JSON.parse(result.summary), demoOrder('77120'));
    const done = JSON.parse(events.at(-1)!.data) as Reply;
    assert.equal(done.steps, 2);
    assert.equal(done.tool_calls[0]!.id, called.id);
    const text = events.filter((event) => event.event === 'delta').map((event) => (JSON.parse(event.data) as { text: string }).text).join('');
    const stored = await session(id);
    assert.deepEqual(stored.messages.map((message) => message.role), ['user', 'assistant', 'tool', 'assistant']);
    assert.equal(stored.messages[3]!.content, text);
  });

  it('sends later turns the earlier tool call with its result, and the model accepts the history', async () => {
    const id = await newSession();
    const turn = async (content: string) => {
      const response = await fetch(`${server.url}/v1/sessions/${id}/messages`, { method: 'POST', headers: authHeaders(server.key), body: JSON.stringify({ content, agent: 'order-support' }) });
      assert.equal(response.status, 200, await response.clone().text());
      return (await response.json()) as Reply;
    };
    await turn('Where is my order 1234?');
    const second = await turn('And what about order 5678?');
    assert.equal(second.version, 2);
    assert.equal(second.tool_calls[0]!.name, 'lookup_order');
    assert.equal((await session(id)).messages.length, 8);
  });
});

describe('the tool loop over an Anthropic-format backend', () => {
  let server: TestServer;
  before(async () => {
    const { demoConfig } = await import('../../src/config/demo-config.js');
    server = await startTestServer({
      pools: { ...demoConfig.pools, claude: { provider: 'anthropic', model: 'claude-sim', instances: [{ url: 'simulator://1' }] } },
      routes: { ...demoConfig.routes, claude: { pool: 'claude' } },
      agents: { ...testConfig().agents, 'order-support': { ...testConfig().agents['order-support']!, route: 'claude' } },
    });
  });
  after(() => server.close());

  it('runs tool_use and tool_result blocks through the loop, streamed and not', async () => {
    for (const stream of [false, true]) {
      const created = await fetch(`${server.url}/v1/sessions`, { method: 'POST', headers: authHeaders(server.key) });
      const { id } = (await created.json()) as { id: string };
      const response = await fetch(`${server.url}/v1/sessions/${id}/messages`, { method: 'POST', headers: authHeaders(server.key), body: JSON.stringify({ content: 'Where is my order 31415?', stream }) });
      assert.equal(response.status, 200);
      const reply = stream ? (JSON.parse((await readSse(response)).at(-1)!.data) as Reply) : ((await response.json()) as Reply);
      assert.equal(reply.steps, 2, `stream ${stream}`);
      assert.equal(reply.tool_calls[0]!.name, 'lookup_order');
      assert.match(reply.tool_calls[0]!.id, /^toolu_/);
      assert.deepEqual(JSON.parse(reply.tool_calls[0]!.arguments), { order_id: '31415' });
      assert.deepEqual(JSON.parse(reply.tool_calls[0]!.summary), demoOrder('31415'));
    }
  });
});
