import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { demoConfig } from '../../src/config/demo-config.js';
import { authHeaders, startTestServer, type TestServer } from '../support/test-server.js';

interface WireRequest {
  tools?: { function: { name: string } }[];
  tool_choice?: unknown;
  messages: { role: string }[];
}

describe('the tool loop\'s step limit and token budget, as the model sees them', () => {
  let server: TestServer;
  let target = '';
  const seen: WireRequest[] = [];
  // A recording relay in front of the built-in simulator: what Switchboard sent the model is what it got.
  const relay = createServer(async (request, response) => {
    let body = '';
    for await (const chunk of request) body += chunk;
    seen.push(JSON.parse(body) as WireRequest);
    const upstream = await fetch(`${target}${request.url}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    response.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/json' });
    response.end(Buffer.from(await upstream.arrayBuffer()));
  });
  before(async () => {
    await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
    const relayUrl = `http://127.0.0.1:${(relay.address() as AddressInfo).port}`;
    const lookup = demoConfig.agents['order-support']!.tools!;
    server = await startTestServer({
      pools: { ...demoConfig.pools, recorded: { provider: 'openai', model: 'switchboard-sim', instances: [{ url: relayUrl }] } },
      routes: { ...demoConfig.routes, recorded: { pool: 'recorded' } },
      agents: {
        free: { route: 'recorded', tools: lookup },
        'one-step': { route: 'recorded', tools: lookup, limits: { maxSteps: 1 } },
        frugal: { route: 'recorded', tools: lookup, limits: { maxTotalTokens: 1 } },
      },
      intent: { defaultAgent: 'free' },
    });
    target = server.runtime.simulators[0]!.url;
  });
  after(async () => {
    await server.close();
    relay.closeAllConnections();
    await new Promise<void>((resolve) => relay.close(() => resolve()));
  });

  async function turn(agent: string): Promise<{ steps: number; tool_calls: unknown[] }> {
    seen.length = 0;
    const created = await fetch(`${server.url}/v1/sessions`, { method: 'POST', headers: authHeaders(server.key) });
    const { id } = (await created.json()) as { id: string };
    const response = await fetch(`${server.url}/v1/sessions/${id}/messages`, { method: 'POST', headers: authHeaders(server.key), body: JSON.stringify({ content: 'where is my order 1234?', agent }) });
    assert.equal(response.status, 200);
    return (await response.json()) as { steps: number; tool_calls: unknown[] };
  }

  it('offers the tools with the model free to call them, then hands back the result', async () => {
    const reply = await turn('free');
    assert.equal(reply.steps, 2);
    assert.deepEqual(seen.map((request) => [request.tools?.map((tool) => tool.function.name), request.tool_choice]), [
      [['lookup_order'], undefined],
      [['lookup_order'], undefined],
    ]);
    assert.deepEqual(seen[1]!.messages.map((message) => message.role), ['system', 'user', 'assistant', 'tool']);
  });

  it('at the step limit shows the tools but forbids a call (tool_choice none)', async () => {
    const reply = await turn('one-step');
    assert.equal(reply.steps, 1);
    assert.deepEqual(seen.map((request) => request.tool_choice), ['none']);
  });

  it('once the token budget is spent, the next call may not call tools', async () => {
    const reply = await turn('frugal');
    assert.equal(reply.tool_calls.length, 1);
    assert.deepEqual(seen.map((request) => request.tool_choice), [undefined, 'none']);
  });
});
