/**
 * Upstream client errors stay client errors: an upstream 400 (context_length_exceeded) reaches the
 * official SDK as the same 400 with the upstream's message, is tried once (no Switchboard retry, no
 * SDK retry), and neither counts as an upstream failure nor moves the instance's breaker.
 */

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import OpenAI from 'openai';
import { startLlmSimulator, type LlmSimulator } from '../../src/lab/llm-simulator.js';
import { isSwitchboardError } from '../../src/errors.js';
import { toClientError } from '../../src/models/calling/client-error.js';
import { UpstreamError } from '../../src/models/upstream-error.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

describe('upstream client errors', () => {
  let simulator: LlmSimulator;
  let server: TestServer;
  let client: OpenAI;
  before(async () => {
    simulator = await startLlmSimulator({ ttftMs: 1, itlMs: 1, outputTokens: 4, maxModelLen: 64 });
    server = await startTestServer({
      simulator: undefined,
      pools: { sim: { model: 'sim', instances: [{ url: simulator.url }], retry: { attempts: 3 } } },
      routes: { demo: { pool: 'sim' } },
      agents: { helper: { route: 'demo' } },
      intent: { defaultAgent: 'helper' },
    });
    // The SDK's own default: it retries 408, 409, 429 and 5xx twice.
    client = new OpenAI({ apiKey: server.key, baseURL: `${server.url}/v1`, maxRetries: 2 });
  });
  after(async () => {
    await server.close();
    await simulator.close();
  });

  it('answers an upstream 400 context_length_exceeded as a 400 with its message, once, without touching the breaker', async () => {
    const before = simulator.stats().received;
    const long = 'a long prompt '.repeat(100);
    await assert.rejects(
      client.chat.completions.create({ model: 'demo', messages: [{ role: 'user', content: long }], max_tokens: 8 }),
      (error: unknown) => {
        assert.ok(error instanceof OpenAI.BadRequestError, String(error));
        assert.equal(error.status, 400);
        assert.equal(error.type, 'invalid_request_error');
        assert.equal(error.code, 'upstream_invalid_request');
        assert.match(error.message, /maximum context length is 64 tokens/);
        assert.match(error.message, /context_length_exceeded/);
        // The instance's address stays out of what the client sees.
        assert.doesNotMatch(error.message, /127\.0\.0\.1/);
        return true;
      },
    );
    assert.equal(simulator.stats().received - before, 1, 'one upstream call: neither Switchboard nor the SDK retried');
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    const failures = metrics.split('\n').filter((line) => /^switchboard_upstream_failures_total\{[^}]*\} [1-9]/.test(line));
    assert.deepEqual(failures, [], 'no upstream failure counted');
    const instance = server.runtime.current.router.pools.get('sim')!.instances[0]!;
    assert.equal(instance.failures, 0, 'no failure counted against the instance (its breaker is fed the same outcome)');
  });

  it('maps upstream 404 and 422 to the same status and an OpenAI error type, with the upstream message', () => {
    for (const [status, code] of [
      [404, 'upstream_not_found'],
      [422, 'upstream_unprocessable'],
    ] as const) {
      const upstream = new UpstreamError('status', 'http://10.0.0.1:8000', `http://10.0.0.1:8000 answered ${status}`, {
        status,
        body: JSON.stringify({ error: { message: `upstream says ${status}`, type: 'invalid_request_error', code: 'x' } }),
      });
      assert.equal(upstream.retryable, false);
      assert.equal(upstream.instanceFault, false);
      const answered = toClientError(upstream);
      assert.ok(isSwitchboardError(answered));
      assert.equal(answered.status, status);
      assert.equal(answered.code, code);
      assert.equal(answered.type, 'invalid_request_error');
      assert.match(answered.message, new RegExp(`upstream says ${status}`));
      assert.doesNotMatch(answered.message, /10\.0\.0\.1/);
    }
  });

  it('retrieves one model by id (the SDK\'s models.retrieve), and 404s an unknown one', async () => {
    const model = await client.models.retrieve('demo');
    assert.equal(model.id, 'demo');
    assert.equal(model.object, 'model');
    await assert.rejects(client.models.retrieve('nope'), (error: unknown) => error instanceof OpenAI.NotFoundError && /nope/.test(error.message));
  });
});
