import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Agent } from 'node:http';
import { startLlmSimulator } from '../../src/lab/llm-simulator.js';
import { post } from './simulator-client.js';

// Its time and CPU are the benchmark's to measure (the simulator runs in every bench scenario); this test checks that nothing is lost at this width.
test('2,000 concurrent streams at itl 20 ms all complete, every token delivered, nothing left running', async () => {
  const streams = 2000;
  const outputTokens = 20;
  const instance = await startLlmSimulator({ maxNumSeqs: streams, ttftMs: 200, itlMs: 20, outputTokens });
  const agent = new Agent({ keepAlive: true, maxSockets: Infinity });
  try {
    const body = { model: 'm', messages: [{ role: 'user', content: 'load' }], stream: true };
    const responses = await Promise.all(Array.from({ length: streams }, () => post(instance.url, '/v1/chat/completions', body, { agent })));
    let tokens = 0;
    for (const response of responses) {
      assert.equal(response.status, 200);
      assert.ok(response.complete && response.body.endsWith('data: [DONE]\n\n'));
      tokens += response.body.split('"delta":{"content":"').length - 1;
    }
    assert.equal(tokens, streams * outputTokens);
    const stats = instance.stats();
    assert.deepEqual([stats.completed, stats.running, stats.waiting], [streams, 0, 0]);
    assert.ok(stats.peakRunning <= streams);
  } finally {
    agent.destroy();
    await instance.close();
  }
});
