import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Agent } from 'node:http';
import { startLlmSimulator } from '../../src/lab/llm-simulator.js';
import { post } from './simulator-client.js';

test('2,000 concurrent streams at itl 20 ms all complete, in bounded time and CPU', async () => {
  const streams = 2000;
  const outputTokens = 20;
  const instance = await startLlmSimulator({ maxNumSeqs: streams, ttftMs: 200, itlMs: 20, outputTokens });
  const agent = new Agent({ keepAlive: true, maxSockets: Infinity });
  try {
    const startedAt = performance.now();
    const cpuBefore = process.cpuUsage();
    const body = { model: 'm', messages: [{ role: 'user', content: 'load' }], stream: true };
    const responses = await Promise.all(Array.from({ length: streams }, () => post(instance.url, '/v1/chat/completions', body, { agent })));
    const elapsedMs = performance.now() - startedAt;
    const cpu = process.cpuUsage(cpuBefore);
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
    // Ideal is ~0.8 s (200 ms TTFT + 19 steps of up to 30 ms); the bound leaves room for a loaded 2-core machine.
    assert.ok(elapsedMs < 30_000, `took ${Math.round(elapsedMs)} ms`);
    const cpuMs = (cpu.user + cpu.system) / 1000;
    // Client and server share this process; this catches a per-token timer or per-step allocation blow-up, not small regressions.
    assert.ok(cpuMs < 20_000, `used ${Math.round(cpuMs)} ms of CPU for ${streams * outputTokens} streamed tokens`);
  } finally {
    agent.destroy();
    await instance.close();
  }
});
