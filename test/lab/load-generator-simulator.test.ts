import { test } from 'node:test';
import assert from 'node:assert/strict';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { startLlmSimulator } from '../../src/lab/llm-simulator.js';
import { runLoad } from '../../src/lab/load-generator.js';

/** The value of an unlabelled-or-labelled Prometheus sample whose name starts the line. */
function sample(metricsText: string, name: string): number {
  const line = metricsText.split('\n').find((candidate) => candidate.startsWith(`${name}{`) || candidate.startsWith(`${name} `));
  assert.ok(line, `metric ${name} missing`);
  return Number(line.slice(line.lastIndexOf(' ') + 1));
}

test('against the LLM simulator: mean TTFT and ITL match the configured ones and the simulator\'s own account', async () => {
  const outputTokens = 20;
  // No batch slowdown, so every step takes the configured ITL whatever the batch size.
  const simulator = await startLlmSimulator({ ttftMs: 150, itlMs: 15, outputTokens, maxNumSeqs: 64, batchSlowdown: 0, jitter: 0.1, seed: 3, port: 0 });
  const loopDelay = monitorEventLoopDelay({ resolution: 5 });
  try {
    loopDelay.enable();
    const result = await runLoad({ url: simulator.url, mode: 'chat', stream: true, loop: { kind: 'closed', concurrency: 8 }, requests: 40 });
    loopDelay.disable();
    assert.equal(result.ok, 40, JSON.stringify(result.errorsByKind));
    assert.equal(result.tokens.perRequestMean, outputTokens);
    const ttft = result.latencyMs.ttft!;
    const itl = result.latencyMs.itl!;
    // The simulator paces tokens with timers in this same process: a busy machine makes them
    // late, never early, so the upper bounds grow with the worst event-loop delay seen.
    const worstDelayMs = loopDelay.max / 1e6;
    assert.ok(ttft.mean >= 135 && ttft.mean <= 150 * 1.1 + 40 + 2 * worstDelayMs, `TTFT mean ${ttft.mean} (loop delay ≤ ${worstDelayMs} ms)`);
    assert.ok(itl.mean >= 13.5 && itl.mean <= 15 * 1.1 + 4 + worstDelayMs / 2, `ITL mean ${itl.mean} (loop delay ≤ ${worstDelayMs} ms)`);

    // The simulator's own histograms time the same requests from arrival to first and last token.
    const metrics = await (await fetch(`${simulator.url}/metrics`)).text();
    const count = sample(metrics, 'vllm:time_to_first_token_seconds_count');
    assert.equal(count, 40);
    const serverTtftMs = (sample(metrics, 'vllm:time_to_first_token_seconds_sum') / count) * 1000;
    const serverE2eMs = (sample(metrics, 'vllm:e2e_request_latency_seconds_sum') / count) * 1000;
    const serverItlMs = (serverE2eMs - serverTtftMs) / (outputTokens - 1);
    // The client sees the same tokens a little later (loopback, its own reads), never earlier.
    assert.ok(ttft.mean >= serverTtftMs - 1 && ttft.mean <= serverTtftMs + 10 + 2 * worstDelayMs, `TTFT mean ${ttft.mean} vs simulator ${serverTtftMs}`);
    assert.ok(Math.abs(itl.mean - serverItlMs) <= 1 + (2 * worstDelayMs) / (outputTokens - 1), `ITL mean ${itl.mean} vs simulator ${serverItlMs}`);
  } finally {
    loopDelay.disable();
    await simulator.close();
  }
});

test('against the LLM simulator: injected errors are counted by status', async () => {
  const simulator = await startLlmSimulator({ ttftMs: 20, itlMs: 2, outputTokens: 5, errorRate: 0.3, seed: 11, port: 0 });
  try {
    const result = await runLoad({ url: simulator.url, mode: 'chat', loop: { kind: 'closed', concurrency: 10 }, requests: 100 });
    assert.equal(result.ok + result.errors, 100);
    assert.equal(result.errors, simulator.stats().injectedErrors);
    assert.ok(result.errors >= 15 && result.errors <= 45, `errors ${result.errors}`);
    const kinds = Object.keys(result.errorsByKind);
    assert.ok(kinds.length > 0 && kinds.every((kind) => ['429', '500', '503'].includes(kind)), kinds.join());
    assert.equal(Object.values(result.errorsByKind).reduce((sum, total) => sum + total, 0), result.errors);
  } finally {
    await simulator.close();
  }
});
