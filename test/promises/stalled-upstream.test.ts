/**
 * A non-streamed call honours `timeouts.firstTokenMs`: an instance that stalls before its first
 * token is given up at that deadline (and its request aborted), not after `totalMs`, so the
 * fallback answers. Without it this test would wait for the ten-minute `totalMs`; its own timeout
 * turns that into a failure. No assertion reads a clock.
 */

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startLlmSimulator, type LlmSimulator } from '../../src/lab/llm-simulator.js';
import { authHeaders, startTestServer, type TestServer } from '../support/test-server.js';

describe('a stalled upstream and a non-streamed call', () => {
  let stalled: LlmSimulator;
  let healthy: LlmSimulator;
  let server: TestServer;
  before(async () => {
    stalled = await startLlmSimulator({ ttftMs: 1, itlMs: 1, outputTokens: 3, stallMs: 3_600_000 });
    healthy = await startLlmSimulator({ ttftMs: 1, itlMs: 1, outputTokens: 3 });
    const timeouts = { firstTokenMs: 300, totalMs: 600_000 };
    server = await startTestServer({
      simulator: undefined,
      pools: {
        main: { model: 'sim', instances: [{ url: stalled.url }], retry: { attempts: 1 }, timeouts },
        spare: { model: 'sim', instances: [{ url: healthy.url }], timeouts },
      },
      routes: { demo: { pool: 'main', fallbacks: ['spare'] } },
      agents: { helper: { route: 'demo' } },
      intent: { defaultAgent: 'helper' },
    });
  });
  after(async () => {
    await server.close();
    await stalled.close();
    await healthy.close();
  });

  it('gives the stalled instance up at the first-token deadline and falls back', { timeout: 60_000 }, async () => {
    const response = await fetch(`${server.url}/v1/chat/completions`, {
      method: 'POST',
      headers: authHeaders(server.key),
      body: JSON.stringify({ model: 'demo', messages: [{ role: 'user', content: 'hello' }], max_tokens: 3 }),
    });
    assert.equal(response.status, 200, await response.clone().text());
    const body = (await response.json()) as { choices: { message: { content: string } }[]; usage: { completion_tokens: number } };
    assert.match(body.choices[0]!.message.content, /^\[simulated\]/);
    assert.equal(body.usage.completion_tokens, 3);
    assert.equal(stalled.stats().received, 1);
    assert.equal(healthy.stats().received, 1);
    // The stalled backend's request was aborted, so it stops working on it.
    while (stalled.stats().clientAborts === 0) await new Promise((resolve) => setTimeout(resolve, 5));
  });
});
