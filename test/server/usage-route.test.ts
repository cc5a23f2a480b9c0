import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { authHeaders, readSse, startTestServer, type TestServer } from '../support/test-server.js';

/** The demo pool's prices: $0.15 per million input tokens, $0.60 per million output tokens. */
const cost = (prompt: number, completion: number) => (prompt * 0.15 + completion * 0.6) / 1_000_000;

interface UsageBody {
  object: string;
  tenant: string;
  data: { route: string; pool: string; model: string; requests: number; prompt_tokens: number; completion_tokens: number; cost_usd: number }[];
}

describe('usage and cost', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  const usage = async (query = '', key = server.key) => fetch(`${server.url}/v1/usage${query}`, { headers: authHeaders(key) });

  /** Ledger writes are not awaited by the request that makes them; wait until `count` requests are in. */
  async function settledUsage(count: number, query = ''): Promise<UsageBody> {
    const deadline = Date.now() + 5_000;
    for (;;) {
      const body = (await (await usage(query)).json()) as UsageBody;
      const requests = body.data.reduce((sum, row) => sum + row.requests, 0);
      if (requests >= count || Date.now() > deadline) return body;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  it('records each completion and turn with its tokens and cost, per route, pool and model, for the caller\'s tenant only', async () => {
    const startedAt = Date.now();
    let promptTokens = 0;
    let completionTokens = 0;
    const whole = (await (await fetch(`${server.url}/v1/chat/completions`, { method: 'POST', headers: authHeaders(server.key), body: JSON.stringify({ model: 'demo', messages: [{ role: 'user', content: 'hello there' }] }) })).json()) as { usage: { prompt_tokens: number; completion_tokens: number } };
    promptTokens += whole.usage.prompt_tokens;
    completionTokens += whole.usage.completion_tokens;

    const streamed = await fetch(`${server.url}/v1/chat/completions`, { method: 'POST', headers: authHeaders(server.key), body: JSON.stringify({ model: 'demo', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'hi' }] }) });
    assert.ok(streamed.headers.get('x-switchboard-rule'), 'the decision is in the headers');
    const usageChunk = (await readSse(streamed)).map((event) => event.data).filter((data) => data.includes('"usage"')).map((data) => JSON.parse(data) as { usage: { prompt_tokens: number; completion_tokens: number } })[0]!;
    promptTokens += usageChunk.usage.prompt_tokens;
    completionTokens += usageChunk.usage.completion_tokens;

    const session = (await (await fetch(`${server.url}/v1/sessions`, { method: 'POST', headers: authHeaders(server.key), body: '{}' })).json()) as { id: string };
    const turn = (await (await fetch(`${server.url}/v1/sessions/${session.id}/messages`, { method: 'POST', headers: authHeaders(server.key), body: JSON.stringify({ content: 'where is my order 12?' }) })).json()) as { usage: { prompt_tokens: number; completion_tokens: number } };
    promptTokens += turn.usage.prompt_tokens;
    completionTokens += turn.usage.completion_tokens;

    // The turn looked the order up: two model calls (the tool call, then the answer), each a ledger row.
    const body = await settledUsage(4);
    assert.equal(body.object, 'usage');
    assert.equal(body.tenant, 'tenant-a');
    assert.equal(body.data.length, 1);
    const row = body.data[0]!;
    assert.deepEqual({ route: row.route, pool: row.pool, model: row.model, requests: row.requests }, { route: 'demo', pool: 'simulator', model: 'switchboard-sim', requests: 4 });
    assert.equal(row.prompt_tokens, promptTokens);
    assert.equal(row.completion_tokens, completionTokens);
    assert.ok(Math.abs(row.cost_usd - cost(promptTokens, completionTokens)) < 1e-12, `${row.cost_usd}`);

    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    const counted = Number(/switchboard_cost_usd_total\{tenant="tenant-a",pool="simulator"\} ([0-9.e-]+)/.exec(metrics)?.[1]);
    assert.ok(Math.abs(counted - cost(promptTokens, completionTokens)) < 1e-12, `metric ${counted}`);

    // A window that ends before the calls holds none of them.
    assert.deepEqual(((await (await usage(`?until=${startedAt}`)).json()) as UsageBody).data, []);
    assert.equal(((await (await usage(`?since=${startedAt}`)).json()) as UsageBody).data[0]!.requests, 4);

    const { key: otherKey } = await server.runtime.store.keys.create({ tenant: 'tenant-b' });
    const other = (await (await usage('', otherKey)).json()) as UsageBody;
    assert.deepEqual({ tenant: other.tenant, data: other.data }, { tenant: 'tenant-b', data: [] });
  });

  it('refuses a bad window and an unauthenticated caller', async () => {
    const bad = await usage('?since=yesterday');
    assert.equal(bad.status, 400);
    assert.deepEqual(((await bad.json()) as { error: { code: string; param: string } }).error.code, 'invalid_request');
    assert.equal((await usage('?until=1.5')).status, 400);
    assert.equal((await fetch(`${server.url}/v1/usage`)).status, 401);
  });
});
