/**
 * Experiments over real HTTP, real SQLite and the built-in simulators: sticky assignment written
 * into each turn, variants' pools and models on turns and chat completions, statistics in the
 * store, feedback counted once, admin actions by role, and every bad input refused by name.
 */

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ConfigError, parseConfig } from '../../src/config/load-config.js';
import { authHeaders, startTestServer, testConfig, type TestServer } from '../support/test-server.js';
import { eventually, getJson, modelExperiment, newSession, postJson, turn, twoPoolConfig, type ExperimentBody } from './experiment-fixtures.js';

describe('experiments over HTTP', () => {
  let server: TestServer;
  let userKey: string;
  let otherTenantKey: string;

  before(async () => {
    server = await startTestServer(twoPoolConfig({ 'model-v2': modelExperiment({ guardrails: [{ metric: 'error_rate', max: 0.5 }] }) }));
    ({ key: userKey } = await server.runtime.store.keys.create({ tenant: 'tenant-a', role: 'user' }));
    ({ key: otherTenantKey } = await server.runtime.store.keys.create({ tenant: 'tenant-b', role: 'user' }));
  });
  after(() => server.close());

  const describeExperiment = async () => {
    await server.runtime.current.experiments.flush();
    return (await getJson<ExperimentBody>(`${server.url}/v1/experiments/model-v2`, server.key)).body;
  };

  it('assigns each session a sticky variant, serves it from the variant\'s pool and writes it into the turn', async () => {
    const seen = new Map<string, string>();
    for (let index = 0; index < 30; index++) {
      const session = await newSession(server.url, server.key);
      const first = await turn(server.url, server.key, session, { stream: index % 2 === 0 });
      assert.equal(first.status, 200, JSON.stringify(first.body));
      assert.match(first.body.turn_id, /^turn_[A-Za-z0-9_-]{16}$/);
      assert.equal(first.body.experiments.length, 1);
      const [assigned] = first.body.experiments;
      assert.equal(assigned!.experiment, 'model-v2');
      assert.equal(assigned!.counted, true);
      assert.equal(first.body.route.pool, assigned!.variant === 'candidate' ? 'v2' : 'v1');
      const second = await turn(server.url, server.key, session);
      assert.equal(second.body.experiments[0]!.variant, assigned!.variant, 'the variant sticks to the session');
      seen.set(session, assigned!.variant);
    }
    const variants = new Set(seen.values());
    assert.deepEqual([...variants].sort(), ['candidate', 'control'], 'both variants get sessions');
    const body = await describeExperiment();
    const requests = Object.fromEntries(body.variants.map((variant) => [variant.name, variant.requests]));
    const expected = { control: 0, candidate: 0 };
    for (const variant of seen.values()) expected[variant as keyof typeof expected] += 2;
    assert.deepEqual(requests, expected);
    const candidate = body.variants.find((variant) => variant.name === 'candidate')!;
    assert.equal(candidate.metrics.latency_ms!.count, expected.candidate);
    assert.equal(candidate.metrics.error_rate!.mean, 0);
    assert.ok(candidate.metrics.cost_usd!.mean > 0, 'cost is counted from the pool prices');
    assert.ok(candidate.metrics.tokens!.mean > 0);
    assert.equal(candidate.metrics.fallback_rate!.mean, 0);
    assert.equal(body.srm.applicable, true);
    assert.deepEqual(body.srm.observed, expected);
    // The candidate's calls went upstream under its own model name.
    const usage = await getJson<{ data: { pool: string; model: string }[] }>(`${server.url}/v1/usage`, server.key);
    assert.ok(usage.body.data.some((row) => row.pool === 'v2' && row.model === 'model-two-b'), JSON.stringify(usage.body.data));
    assert.ok(!usage.body.data.some((row) => row.pool === 'v2' && row.model === 'model-two'));
  });

  it('assigns chat completions by X-Session-Id, the same variant as the session\'s turns, and counts them', async () => {
    const session = await newSession(server.url, server.key);
    const viaTurn = (await turn(server.url, server.key, session)).body.experiments[0]!.variant;
    for (const stream of [false, true]) {
      const response = await fetch(`${server.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { ...authHeaders(server.key), 'x-session-id': session },
        body: JSON.stringify({ model: 'assistant', stream, messages: [{ role: 'user', content: 'hi' }] }),
      });
      assert.equal(response.status, 200);
      assert.equal(response.headers.get('x-switchboard-experiments'), `model-v2=${viaTurn}`);
      assert.equal(response.headers.get('x-switchboard-pool'), viaTurn === 'candidate' ? 'v2' : 'v1');
      if (stream) {
        await response.arrayBuffer();
        continue;
      }
      // A completion's id takes feedback as a turn's does.
      const { id } = (await response.json()) as { id: string };
      const feedback = await eventually(async () => {
        const reply = await postJson<{ counted_for: unknown[] }>(`${server.url}/v1/feedback`, server.key, { turn_id: id, metric: 'thumbs_up', value: true });
        return reply.status === 201 ? reply : undefined;
      }, 'the completion to be kept for feedback');
      assert.deepEqual(feedback.body.counted_for, [{ experiment: 'model-v2', variant: viaTurn }]);
    }
    const unassigned = await fetch(`${server.url}/v1/chat/completions`, {
      method: 'POST',
      headers: authHeaders(server.key),
      body: JSON.stringify({ model: 'assistant', messages: [{ role: 'user', content: 'hi' }] }),
    });
    assert.equal(unassigned.status, 200);
    assert.equal(unassigned.headers.get('x-switchboard-experiments'), null, 'a session-unit experiment needs a session');
    const bad = await fetch(`${server.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { ...authHeaders(server.key), 'x-session-id': 'x'.repeat(300) },
      body: JSON.stringify({ model: 'assistant', messages: [{ role: 'user', content: 'hi' }] }),
    });
    assert.equal(bad.status, 400);
    assert.equal(((await bad.json()) as { error: { param: string } }).error.param, 'X-Session-Id');
  });

  it('counts feedback once per turn and metric for the turn\'s variant, by turn id, completion id or session', async () => {
    const session = await newSession(server.url, server.key);
    const answer = await turn(server.url, server.key, session);
    const variant = answer.body.experiments[0]!.variant;
    const before = (await describeExperiment()).variants.find((one) => one.name === variant)!.metrics['feedback.thumbs_up']?.count ?? 0;
    const posted = await eventually(async () => {
      const reply = await postJson<{ duplicate: boolean; counted_for: unknown[] }>(`${server.url}/v1/feedback`, server.key, { turn_id: answer.body.turn_id, metric: 'thumbs_up', value: true, comment: 'nice' });
      return reply.status === 201 ? reply : undefined;
    }, 'the turn to be kept for feedback');
    assert.equal(posted.body.duplicate, false);
    assert.deepEqual(posted.body.counted_for, [{ experiment: 'model-v2', variant }]);
    const again = await postJson<{ duplicate: boolean; value: number }>(`${server.url}/v1/feedback`, server.key, { turn_id: answer.body.turn_id, metric: 'thumbs_up', value: false });
    assert.equal(again.status, 200);
    assert.equal(again.body.duplicate, true);
    assert.equal(again.body.value, 1, 'the first value stands');
    const rating = await postJson(`${server.url}/v1/feedback`, server.key, { session_id: session, metric: 'rating', value: 4 });
    assert.equal(rating.status, 201);
    const after = (await describeExperiment()).variants.find((one) => one.name === variant)!;
    assert.equal(after.metrics['feedback.thumbs_up']!.count, before + 1);
    assert.ok(after.metrics['feedback.rating']!.count >= 1);
    // Another tenant cannot see or score the turn.
    const foreign = await postJson<{ error: { code: string } }>(`${server.url}/v1/feedback`, otherTenantKey, { turn_id: answer.body.turn_id, metric: 'thumbs_up', value: true });
    assert.equal(foreign.status, 404);
    assert.equal(foreign.body.error.code, 'turn_not_found');
  });

  it('refuses bad feedback by name and changes nothing', async () => {
    const cases: [unknown, number, string][] = [
      [{ turn_id: 'turn_nope', metric: 'thumbs_up', value: true }, 404, 'turn_not_found'],
      [{ session_id: 'no-such-session', metric: 'thumbs_up', value: true }, 404, 'session_not_found'],
      [{ turn_id: 'a', session_id: 'b', metric: 'thumbs_up', value: true }, 400, 'invalid_request'],
      [{ metric: 'thumbs_up', value: true }, 400, 'invalid_request'],
      [{ turn_id: 'a', metric: 'Thumbs Up', value: true }, 400, 'invalid_request'],
      [{ turn_id: 'a', metric: 'thumbs_up', value: 'yes' }, 400, 'invalid_request'],
      [{ turn_id: 'a', metric: 'thumbs_up', value: true, extra: 1 }, 400, 'invalid_request'],
    ];
    for (const [body, status, code] of cases) {
      const reply = await postJson<{ error: { code: string; message: string } }>(`${server.url}/v1/feedback`, server.key, body);
      assert.equal(reply.status, status, JSON.stringify(body));
      assert.equal(reply.body.error.code, code, reply.body.error.message);
    }
  });

  it('lists experiments and describes one; unknown names are 404', async () => {
    const list = await getJson<{ data: { name: string; mode: string; status: string }[] }>(`${server.url}/v1/experiments`, userKey);
    assert.equal(list.status, 200);
    assert.deepEqual(list.body.data.map(({ name, mode }) => ({ name, mode })), [{ name: 'model-v2', mode: 'fixed' }]);
    const missing = await getJson<{ error: { code: string } }>(`${server.url}/v1/experiments/nope`, userKey);
    assert.equal(missing.status, 404);
    assert.equal(missing.body.error.code, 'experiment_not_found');
  });

  it('admin actions: by role only, refusing unknown variants and bad weights, and taking effect on the next request', async () => {
    const url = `${server.url}/v1/experiments/model-v2`;
    const denied = await postJson<{ error: { code: string } }>(`${url}/stop`, userKey, {});
    assert.equal(denied.status, 403);
    assert.equal(denied.body.error.code, 'permission_denied');
    const refusals: [string, unknown, number, string][] = [
      ['/v1/experiments/nope/stop', {}, 404, 'experiment_not_found'],
      ['/v1/experiments/model-v2/promote', { variant: 'nope' }, 404, 'variant_not_found'],
      ['/v1/experiments/model-v2/stop', { variant: 'control' }, 400, 'invalid_request'],
      ['/v1/experiments/model-v2/ramp', { weights: { control: 0.5, candidate: 0.4 } }, 400, 'invalid_request'],
      ['/v1/experiments/model-v2/ramp', { weights: { control: 1.2, candidate: -0.2 } }, 400, 'invalid_request'],
      ['/v1/experiments/model-v2/ramp', { weights: { control: 1 } }, 400, 'invalid_request'],
      ['/v1/experiments/model-v2/ramp', { weights: { control: 0.5, nope: 0.5 } }, 404, 'variant_not_found'],
      ['/v1/experiments/model-v2/ramp', { step: 1 }, 400, 'invalid_request'],
      ['/v1/experiments/model-v2/ramp', {}, 400, 'invalid_request'],
    ];
    const before = await getJson<ExperimentBody>(url, server.key);
    for (const [path, body, status, code] of refusals) {
      const reply = await postJson<{ error: { code: string; message: string } }>(`${server.url}${path}`, server.key, body);
      assert.equal(reply.status, status, `${path} ${JSON.stringify(body)}: ${JSON.stringify(reply.body)}`);
      assert.equal(reply.body.error.code, code, reply.body.error.message);
    }
    assert.deepEqual((await getJson<ExperimentBody>(url, server.key)).body.history, before.body.history, 'refused actions change nothing');

    const weighted = await postJson<ExperimentBody>(`${url}/ramp`, server.key, { weights: { control: 1, candidate: 0 } });
    assert.equal(weighted.status, 200);
    assert.deepEqual(weighted.body.variants.map((variant) => [variant.name, variant.weight]), [['candidate', 0], ['control', 1]]);
    for (let index = 0; index < 6; index++) {
      const answer = await turn(server.url, server.key, await newSession(server.url, server.key));
      assert.equal(answer.body.experiments[0]!.variant, 'control');
    }
    const stopped = await postJson<ExperimentBody>(`${url}/stop`, server.key, { variant: 'candidate', reason: 'testing' });
    assert.equal(stopped.body.variants.find((variant) => variant.name === 'candidate')!.stopped!.by, 'admin');
    const promoteStopped = await postJson<{ error: { code: string } }>(`${url}/promote`, server.key, { variant: 'candidate' });
    assert.equal(promoteStopped.status, 409);
    assert.equal(promoteStopped.body.error.code, 'experiment_not_running');
    const all = await postJson<ExperimentBody>(`${url}/stop`, server.key, {});
    assert.equal(all.body.status, 'stopped');
    const answer = await turn(server.url, server.key, await newSession(server.url, server.key));
    assert.deepEqual(answer.body.experiments.map(({ variant, counted }) => ({ variant, counted })), [{ variant: 'control', counted: false }]);
    const late = await postJson<{ error: { code: string } }>(`${url}/ramp`, server.key, { weights: { control: 0.5, candidate: 0.5 } });
    assert.equal(late.status, 409);
    assert.equal(late.body.error.code, 'experiment_not_running');
  });
});

describe('experiment config', () => {
  function problems(experiments: unknown): string[] {
    try {
      parseConfig({ ...testConfig(), ...twoPoolConfig(experiments as never) });
    } catch (error) {
      if (error instanceof ConfigError) return error.problems;
      throw error;
    }
    return [];
  }

  it('names the field of every bad experiment', () => {
    const weights = problems({ e: { routes: ['assistant'], variants: { a: { weight: 0.5 }, b: { weight: 0.4 } } } });
    assert.ok(weights.some((problem) => problem.startsWith('experiments.e.variants: the variants\' weights sum to 0.9')), weights.join('\n'));
    assert.ok(problems({ e: { routes: ['assistant'], variants: { a: { weight: -0.5 }, b: { weight: 1.5 } } } }).some((problem) => problem.startsWith('experiments.e.variants.a.weight')));
    assert.ok(problems({ e: { routes: ['nope'], variants: { a: { weight: 0.5 }, b: { weight: 0.5 } } } }).includes('experiments.e.routes.0: unknown route "nope"'));
    assert.ok(problems({ e: { routes: ['assistant'], variants: { a: { weight: 0.5 }, b: { weight: 0.5, pool: 'nope' } } } }).includes('experiments.e.variants.b.pool: unknown pool "nope"'));
    assert.ok(problems({ e: { routes: ['assistant'], variants: { a: { weight: 1 } } } }).some((problem) => problem.startsWith('experiments.e.variants: an experiment needs at least two variants')));
    assert.ok(problems({ e: { routes: ['assistant'], variants: { a: { weight: 0.5 }, b: { weight: 0.5 } }, ramp: { variant: 'a', steps: [0.1, 0.5] } } }).includes('experiments.e.ramp.variant: the ramped variant is not the control'));
    assert.ok(problems({ e: { routes: ['assistant'], variants: { a: { weight: 0.5 }, b: { weight: 0.5 } }, ramp: { variant: 'b', steps: [0.5, 0.1] } } }).includes('experiments.e.ramp.steps.1: steps must increase'));
    assert.ok(problems({ e: { routes: ['assistant'], variants: { a: { weight: 0.5 }, b: { weight: 0.5 } }, guardrails: [{ metric: 'error_rate' }] } }).some((problem) => problem.startsWith('experiments.e.guardrails.0')));
    assert.ok(problems({ e: { routes: ['assistant'], variants: { a: { weight: 0.5 }, b: { weight: 0.5 } }, primaryMetric: { name: 'speed' } } }).some((problem) => problem.startsWith('experiments.e.primaryMetric.name')));
    const overlapping = problems({
      one: { routes: ['assistant'], variants: { a: { weight: 0.5 }, b: { weight: 0.5, pool: 'v2' } } },
      two: { agents: ['helper'], variants: { a: { weight: 0.5 }, b: { weight: 0.5, pool: 'v1' } } },
    });
    assert.ok(overlapping.some((problem) => problem.startsWith('experiments.two.layer: "one" and "two" both change pool')), overlapping.join('\n'));
    assert.deepEqual(
      problems({
        one: { layer: 'models', routes: ['assistant'], variants: { a: { weight: 0.5 }, b: { weight: 0.5, pool: 'v2' } }, traffic: 0.5 },
        two: { layer: 'models', agents: ['helper'], variants: { a: { weight: 0.5 }, b: { weight: 0.5, pool: 'v1' } }, traffic: 0.5 },
      }),
      [],
      'experiments in one layer may change the same fields',
    );
    assert.ok(
      problems({
        one: { layer: 'models', routes: ['assistant'], variants: { a: { weight: 0.5 }, b: { weight: 0.5 } }, traffic: 0.7 },
        two: { layer: 'models', routes: ['assistant'], variants: { a: { weight: 0.5 }, b: { weight: 0.5 } }, traffic: 0.7 },
      }).includes('experiments.two.traffic: the traffic of layer "models" sums past 1'),
    );
  });
});
