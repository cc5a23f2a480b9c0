/**
 * Shadow traffic over real HTTP: a share of the route's calls is mirrored to a candidate pool
 * once the real answer is under way, its answers never reach the caller, its usage is charged to
 * the tenant, its spend is capped (mirroring stops at the cap), and its numbers sit beside the
 * live pool's.
 */

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { authHeaders, startTestServer, type TestServer } from '../support/test-server.js';
import { eventually, getJson, newSession, turn, twoPoolConfig, type ExperimentBody } from './experiment-fixtures.js';

describe('shadow traffic', () => {
  let server: TestServer;
  const cap = 0.05;

  before(async () => {
    const config = twoPoolConfig({ 'shadow-v2': { routes: ['assistant'], shadow: { pool: 'v2', share: 1, maxSpendUsd: cap, maxConcurrency: 2 } } });
    // The candidate is priced so that a few calls reach the cap.
    config.pools!.v2!.prices = { inputPerMillionTokens: 1000, outputPerMillionTokens: 1000 };
    server = await startTestServer(config);
  });
  after(() => server.close());

  const chat = async (stream: boolean) => {
    const response = await fetch(`${server.url}/v1/chat/completions`, {
      method: 'POST',
      headers: authHeaders(server.key),
      body: JSON.stringify({ model: 'assistant', stream, messages: [{ role: 'user', content: 'hello' }] }),
    });
    const text = await response.text();
    return { status: response.status, pool: response.headers.get('x-switchboard-pool'), text };
  };

  it('mirrors calls to the candidate, answers only from the live pool, and stops at the spend cap', async () => {
    const candidate = server.runtime.simulators[1]!;
    const engine = () => server.runtime.current.experiments;
    for (let index = 0; index < 4; index++) {
      const answer = await chat(index % 2 === 1);
      assert.equal(answer.status, 200);
      assert.equal(answer.pool, 'v1', 'the caller gets the live answer');
    }
    const streamedTurn = await turn(server.url, server.key, await newSession(server.url, server.key), { stream: true });
    assert.equal(streamedTurn.body.route.pool, 'v1');
    await eventually(async () => (candidate.stats().received > 0 ? true : undefined), 'a mirrored call to reach the candidate');
    // Keep the traffic coming until the shadow has spent its cap; then mirroring stops.
    await eventually(async () => {
      await chat(false);
      return engine().monitor.stateOf('shadow-v2').stopped.shadow;
    }, 'the spend cap to stop the shadow');
    await eventually(async () => (engine().mirror.inFlight === 0 ? true : undefined), 'the last mirrored calls to end');
    const received = candidate.stats().received;
    for (let index = 0; index < 6; index++) assert.equal((await chat(false)).pool, 'v1');
    assert.equal(candidate.stats().received, received, 'no call is mirrored after the cap');

    await engine().flush();
    const view = (await getJson<ExperimentBody>(`${server.url}/v1/experiments/shadow-v2`, server.key)).body;
    assert.equal(view.mode, 'shadow');
    assert.equal(view.variants.find((variant) => variant.name === 'shadow')!.stopped!.by, 'spend cap');
    assert.equal(view.shadow!.mirroring, false);
    // Spent at most the cap plus what the calls already running when it was reached cost (2 at most, ~0.03 each here).
    assert.ok(view.shadow!.spent_usd >= cap && view.shadow!.spent_usd < cap + 2 * 0.05, `spent ${view.shadow!.spent_usd}`);
    const live = view.variants.find((variant) => variant.name === 'live')!;
    const shadow = view.variants.find((variant) => variant.name === 'shadow')!;
    for (const metric of ['latency_ms', 'ttft_ms', 'tokens', 'cost_usd', 'error_rate']) {
      assert.ok(live.metrics[metric]!.count > 0 && shadow.metrics[metric]!.count > 0, `both sides have ${metric}`);
    }
    assert.ok(view.comparisons.some((comparison) => comparison.variant === 'shadow' && comparison.metric === 'cost_usd'));
    assert.equal(view.srm.applicable, false);
    // The mirrored calls were charged like any call: they are in the tenant's usage, on the candidate pool.
    const usage = await getJson<{ data: { pool: string; requests: number }[] }>(`${server.url}/v1/usage`, server.key);
    assert.equal(usage.body.data.find((row) => row.pool === 'v2')?.requests, shadow.metrics.tokens!.count);
  });
});
