import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { appendHistoryWindow } from '../../src/agents/history-window.js';
import type { ChatMessage } from '../../src/chat/chat-types.js';
import type { StoredMessage } from '../../src/stores/store-types.js';
import { authHeaders, startTestServer, type TestServer } from '../support/test-server.js';

const systemPrompt = 'You answer briefly.';

describe('the history window', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({
      sessions: { historyWindow: 2 },
      agents: {
        plain: { route: 'demo', systemPrompt },
        orders: {
          route: 'demo',
          tools: [{ kind: 'http', name: 'lookup_order', description: 'Look up an order.', parameters: { type: 'object', properties: { order_id: { type: 'string', pattern: '^[0-9]{3,9}$' } }, required: ['order_id'] }, url: 'demo-orders://orders/lookup' }],
        },
      },
      intent: { defaultAgent: 'plain' },
    });
  });
  after(() => server.close());

  async function newSession(): Promise<string> {
    const created = await fetch(`${server.url}/v1/sessions`, { method: 'POST', headers: authHeaders(server.key) });
    return ((await created.json()) as { id: string }).id;
  }

  async function turn(id: string, agent: string, content: string) {
    const response = await fetch(`${server.url}/v1/sessions/${id}/messages`, { method: 'POST', headers: authHeaders(server.key), body: JSON.stringify({ content, agent }) });
    assert.equal(response.status, 200, await response.clone().text());
    return (await response.json()) as { usage: { prompt_tokens: number }; tool_calls: unknown[] };
  }

  it('sends the system prompt, only the last N stored messages and the new message to the model', async () => {
    const id = await newSession();
    await turn(id, 'plain', 'first question about order 1');
    await turn(id, 'plain', 'second question about order 2');
    const before = (await (await fetch(`${server.url}/v1/sessions/${id}`, { headers: authHeaders(server.key) })).json()) as { messages: { content: string }[] };
    assert.equal(before.messages.length, 4);
    const content = 'third question, order 3';
    const reply = await turn(id, 'plain', content);
    // The simulator counts prompt tokens as ceil(characters / 4) over the messages it received.
    const window = before.messages.slice(-2).map((message) => message.content);
    const expected = Math.ceil([systemPrompt, ...window, content].join('').length / 4);
    assert.equal(reply.usage.prompt_tokens, expected);
    const everything = Math.ceil([systemPrompt, ...before.messages.map((message) => message.content), content].join('').length / 4);
    assert.ok(reply.usage.prompt_tokens < everything);
  });

  it('never starts inside a tool exchange: a window that would begin at a tool result starts after it', async () => {
    const id = await newSession();
    // Stored: user, assistant (the call), tool (the result), assistant. A window of 2 would begin at the result,
    // which the model's API refuses without its call (the simulator answers 400 to that, as OpenAI does).
    assert.equal((await turn(id, 'orders', 'where is my order 4321?')).tool_calls.length, 1);
    assert.equal((await turn(id, 'orders', 'and my order 8765?')).tool_calls.length, 1);
  });

  it('keeps a call with its results and drops results whose call fell out of the window', () => {
    const call = (id: string): StoredMessage => ({ role: 'assistant', content: '', toolCalls: [{ id, type: 'function', function: { name: 'lookup_order', arguments: '{}' } }], at: 1 });
    const result = (id: string): StoredMessage => ({ role: 'tool', content: `result ${id}`, toolCallId: id, at: 1 });
    const history: StoredMessage[] = [
      { role: 'user', content: 'u1', at: 1 },
      call('a'),
      result('a'),
      { role: 'assistant', content: 'a1', at: 1 },
      { role: 'user', content: 'u2', at: 1 },
      { role: 'assistant', content: '', toolCalls: [...call('b').toolCalls!, ...call('c').toolCalls!], at: 1 },
      result('b'),
      result('c'),
      { role: 'assistant', content: 'a2', at: 1 },
    ];
    const roles = (window: number) => {
      const into: ChatMessage[] = [];
      appendHistoryWindow(into, history, window);
      return into.map((message) => message.toolCallId ?? message.content);
    };
    assert.deepEqual(roles(4), ['', 'b', 'c', 'a2']);
    // Starting at b's or c's result would orphan them: the window begins after the exchange.
    assert.deepEqual(roles(3), ['a2']);
    assert.deepEqual(roles(2), ['a2']);
    assert.deepEqual(roles(5), ['u2', '', 'b', 'c', 'a2']);
    const into: ChatMessage[] = [];
    appendHistoryWindow(into, history, 4);
    assert.deepEqual(into[0]!.toolCalls!.map((made) => made.id), ['b', 'c']);
    assert.equal('at' in into[0]!, false);
  });
});
