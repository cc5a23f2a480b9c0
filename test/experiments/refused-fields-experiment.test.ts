/**
 * A chat completion refused for a field its variant's pool cannot honour is the client's error, not the variant's:
 * it gets its 400 naming the field, and the variant's error rate (and the guardrail on it) does not count it.
 */

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { authHeaders, startTestServer, type TestServer } from '../support/test-server.js';
import { getJson, modelExperiment, twoPoolConfig, type ExperimentBody } from './experiment-fixtures.js';

describe('a field refused by the variant\'s pool in an experiment', () => {
  let server: TestServer;
  before(async () => {
    const config = twoPoolConfig({ 'model-v2': modelExperiment({ guardrails: [{ metric: 'error_rate', max: 0.2 }] }) });
    // The candidate's pool speaks Anthropic's Messages API (the simulator serves it on /v1/messages), which has no seed.
    config.pools!.v2 = { ...config.pools!.v2!, provider: 'anthropic' };
    server = await startTestServer(config);
  });
  after(() => server.close());

  it('answers 400 naming the field on the candidate, 200 on the control, and counts no error for either', async () => {
    const statuses: Record<string, number[]> = { control: [], candidate: [] };
    for (let index = 0; index < 24; index++) {
      const response = await fetch(`${server.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { ...authHeaders(server.key), 'x-session-id': `session-${index}` },
        body: JSON.stringify({ model: 'assistant', seed: 7, max_tokens: 4, stream: index % 2 === 0, messages: [{ role: 'user', content: 'hi' }] }),
      });
      const variant = /model-v2=(\w+)/.exec(response.headers.get('x-switchboard-experiments') ?? '')?.[1];
      assert.ok(variant === 'control' || variant === 'candidate', `variant header on ${response.status}`);
      if (response.status === 400) assert.equal(((await response.json()) as { error: { param: string } }).error.param, 'seed');
      else await response.arrayBuffer();
      statuses[variant]!.push(response.status);
    }
    assert.ok(statuses.candidate!.length > 0 && statuses.control!.length > 0, JSON.stringify(statuses));
    assert.ok(statuses.candidate!.every((status) => status === 400), JSON.stringify(statuses));
    assert.ok(statuses.control!.every((status) => status === 200), JSON.stringify(statuses));
    await server.runtime.current.experiments.flush();
    const body = (await getJson<ExperimentBody>(`${server.url}/v1/experiments/model-v2`, server.key)).body;
    const candidate = body.variants.find((variant) => variant.name === 'candidate')!;
    assert.equal(candidate.metrics.error_rate?.mean ?? 0, 0, JSON.stringify(candidate.metrics));
    assert.equal(candidate.active, true, 'the guardrail on error_rate did not stop the candidate');
  });
});
