import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { demoConfig } from '../../src/config/demo-config.js';
import { authHeaders, startTestServer, type TestServer } from '../support/test-server.js';

describe('the history window', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ sessions: { historyWindow: 2 } });
  });
  after(() => server.close());

  it('sends the system prompt, only the last N stored messages and the new message to the model', async () => {
    const created = await fetch(`${server.url}/v1/sessions`, { method: 'POST', headers: authHeaders(server.key) });
    const { id } = (await created.json()) as { id: string };
    const turn = async (content: string) => {
      const response = await fetch(`${server.url}/v1/sessions/${id}/messages`, { method: 'POST', headers: authHeaders(server.key), body: JSON.stringify({ content, agent: 'order-support' }) });
      assert.equal(response.status, 200);
      return (await response.json()) as { usage: { prompt_tokens: number } };
    };
    await turn('first question about order 1');
    await turn('second question about order 2');
    const before = (await (await fetch(`${server.url}/v1/sessions/${id}`, { headers: authHeaders(server.key) })).json()) as { messages: { content: string }[] };
    assert.equal(before.messages.length, 4);
    const content = 'third question, order 3';
    const reply = await turn(content);
    // The simulator counts prompt tokens as ceil(characters / 4) over the messages it received.
    const systemPrompt = demoConfig.agents['order-support']!.systemPrompt!;
    const window = before.messages.slice(-2).map((message) => message.content);
    const expected = Math.ceil([systemPrompt, ...window, content].join('').length / 4);
    assert.equal(reply.usage.prompt_tokens, expected);
    const everything = Math.ceil([systemPrompt, ...before.messages.map((message) => message.content), content].join('').length / 4);
    assert.ok(reply.usage.prompt_tokens < everything);
  });
});
