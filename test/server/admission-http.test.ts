import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { authHeaders, startTestServer, type TestServer } from '../support/test-server.js';

describe('admission control over HTTP', () => {
  let server: TestServer;
  before(async () => {
    // Slow simulators so that admitted requests stay in flight while the others arrive.
    server = await startTestServer({
      simulator: { instances: 2, ttftMs: 400, itlMs: 5, outputTokens: 5 },
      limits: { maxInFlight: 3, maxQueued: 2, queueTimeoutMs: 5_000 },
    });
  });
  after(() => server.close());

  it('serves up to the cap plus the queue and refuses the rest at once with 503 and Retry-After', async () => {
    const body = JSON.stringify({ model: 'demo', messages: [{ role: 'user', content: 'hi' }] });
    const send = async () => {
      const started = performance.now();
      const response = await fetch(`${server.url}/v1/chat/completions`, { method: 'POST', headers: authHeaders(server.key), body });
      const text = await response.text();
      return { status: response.status, retryAfter: response.headers.get('retry-after'), ms: performance.now() - started, text };
    };
    // One request first, so the upstream client is loaded and the burst measures admission only.
    assert.equal((await send()).status, 200);
    const results = await Promise.all(Array.from({ length: 12 }, send));
    const served = results.filter((result) => result.status === 200);
    const refused = results.filter((result) => result.status === 503);
    assert.equal(served.length, 5, JSON.stringify(results.map((result) => result.status)));
    assert.equal(refused.length, 7);
    const fastestServed = Math.min(...served.map((result) => result.ms));
    for (const result of refused) {
      assert.equal(result.retryAfter, '1');
      assert.equal(JSON.parse(result.text).error.code, 'server_overloaded');
      // Refused at once: before even the fastest admitted request got its 400 ms backend answer.
      assert.ok(result.ms < fastestServed, `refusal took ${result.ms.toFixed(0)} ms, the fastest served request ${fastestServed.toFixed(0)} ms`);
    }
    // Queued ones waited for a slot: they finish after the first wave.
    const slowest = Math.max(...served.map((result) => result.ms));
    assert.ok(slowest >= 700, `queued requests should wait for a slot, slowest took ${slowest.toFixed(0)} ms`);
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    assert.match(metrics, /switchboard_requests_total\{route="\/v1\/chat\/completions",code="503",model_route=""\} 7\n/);
    assert.match(metrics, /switchboard_inflight_requests 0/);
  });
});
