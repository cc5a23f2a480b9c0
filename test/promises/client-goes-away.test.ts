/**
 * A client that goes away is not an upstream failure: its request is recorded as `client_closed`
 * (status 499), the instance's failure count and breaker are left alone, the upstream request is
 * aborted at once (the simulator counts it cancelled, not completed), and a request that was still
 * waiting in the admission queue leaves it at once.
 */

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startLlmSimulator, type LlmSimulator } from '../../src/lab/llm-simulator.js';
import { authHeaders, startTestServer, type TestServer } from '../support/test-server.js';

/** Waits for a condition an event makes true; the test's own timeout bounds it. */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
}

function metricLines(text: string, name: string): string[] {
  return text.split('\n').filter((line) => line.startsWith(name));
}

describe('a client that goes away', () => {
  let simulator: LlmSimulator;
  let server: TestServer;
  before(async () => {
    // Long answers: a stream is still generating when its client leaves.
    simulator = await startLlmSimulator({ ttftMs: 1, itlMs: 5, outputTokens: 4_000, jitter: 0 });
    server = await startTestServer({
      simulator: undefined,
      pools: { sim: { model: 'sim', instances: [{ url: simulator.url }] } },
      routes: { demo: { pool: 'sim' } },
      agents: { helper: { route: 'demo' } },
      intent: { defaultAgent: 'helper' },
      limits: { maxInFlight: 1, maxQueued: 4, queueTimeoutMs: 600_000 },
    });
  });
  after(async () => {
    await server.close();
    await simulator.close();
  });

  it('is recorded as client_closed, aborts the upstream at once and counts no upstream failure', async () => {
    const controller = new AbortController();
    const response = await fetch(`${server.url}/v1/chat/completions`, {
      method: 'POST',
      headers: authHeaders(server.key),
      body: JSON.stringify({ model: 'demo', stream: true, messages: [{ role: 'user', content: 'tell me everything' }] }),
      signal: controller.signal,
    });
    assert.equal(response.status, 200);
    const reader = response.body!.getReader();
    await reader.read();
    controller.abort();
    await until(() => simulator.stats().clientAborts + simulator.stats().completed >= 1);
    assert.deepEqual({ aborted: simulator.stats().clientAborts, completed: simulator.stats().completed }, { aborted: 1, completed: 0 });
    await until(() => server.runtime.base.admission.inFlight === 0);
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    assert.deepEqual(metricLines(metrics, 'switchboard_upstream_failures_total{'), []);
    assert.deepEqual(metricLines(metrics, 'switchboard_requests_total{route="/v1/chat/completions"'), ['switchboard_requests_total{route="/v1/chat/completions",code="499",model_route="demo"} 1']);
    assert.equal(server.runtime.current.router.pools.get('sim')!.instances[0]!.failures, 0);
  });

  it('leaves the admission queue at once when it disconnects while queued', async () => {
    const admission = server.runtime.base.admission;
    const holder = new AbortController();
    const holding = await fetch(`${server.url}/v1/chat/completions`, {
      method: 'POST',
      headers: authHeaders(server.key),
      body: JSON.stringify({ model: 'demo', stream: true, messages: [{ role: 'user', content: 'hold the slot' }] }),
      signal: holder.signal,
    });
    assert.equal(holding.status, 200);
    const waiter = new AbortController();
    const queued = fetch(`${server.url}/v1/chat/completions`, {
      method: 'POST',
      headers: authHeaders(server.key),
      body: JSON.stringify({ model: 'demo', messages: [{ role: 'user', content: 'wait for a slot' }] }),
      signal: waiter.signal,
    }).catch((error: Error) => error);
    await until(() => admission.queued === 1);
    const { received, completed } = simulator.stats();
    waiter.abort();
    assert.ok((await queued) instanceof Error);
    // The slot is still held: only the disconnect can have emptied the queue.
    await until(() => admission.queued === 0);
    assert.equal(admission.inFlight, 1);
    // Emptied by the disconnect, not by the holder finishing and handing its slot on: the queued request never reached the backend.
    assert.deepEqual({ received: simulator.stats().received, completed: simulator.stats().completed }, { received, completed });
    holder.abort();
    await until(() => admission.inFlight === 0);
  });
});
