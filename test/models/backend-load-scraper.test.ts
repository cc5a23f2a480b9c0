import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { startLlmSimulator, type LlmSimulator } from '../../src/lab/llm-simulator.js';
import { BackendLoadScraper } from '../../src/models/backend-load-scraper.js';
import { engineMetricNames, readEngineLoad } from '../../src/models/engine-metrics.js';
import { ModelRouter } from '../../src/models/model-router.js';
import { poolConfig, routerConfig } from './instance-fixtures.js';

const vllmText = `# HELP vllm:num_requests_running Number of requests in model execution batches.
# TYPE vllm:num_requests_running gauge
vllm:num_requests_running{model_name="a",engine="0"} 7
vllm:num_requests_running{model_name="b",engine="0"} 3
vllm:num_requests_waiting{model_name="a"} 4 1712345678000
vllm:num_requests_waiting_total 99
vllm:gpu_cache_usage_perc{model_name="a"} 0.25
vllm:gpu_cache_usage_perc{model_name="b",label="with } brace"} 0.5
`;

describe('engine metrics', () => {
  it('reads vLLM load: sums queues over label sets, takes the highest KV usage, falls back to the older KV name', () => {
    assert.deepEqual(readEngineLoad(vllmText, engineMetricNames.vllm), { waiting: 4, running: 10, kvCacheUsage: 0.5 });
    const both = `${vllmText}vllm:kv_cache_usage_perc{model_name="a"} 0.9\n`;
    assert.equal(readEngineLoad(both, engineMetricNames.vllm)!.kvCacheUsage, 0.9, 'the newer name wins when present');
  });

  it('reads SGLang and TGI names', () => {
    const sglang = 'sglang:num_queue_reqs{model_name="m"} 12\nsglang:num_running_reqs{model_name="m"} 30\nsglang:token_usage{model_name="m"} 0.62\n';
    assert.deepEqual(readEngineLoad(sglang, engineMetricNames.sglang), { waiting: 12, running: 30, kvCacheUsage: 0.62 });
    const tgi = '# TYPE tgi_queue_size gauge\ntgi_queue_size 3\ntgi_batch_current_size 16\n';
    assert.deepEqual(readEngineLoad(tgi, engineMetricNames.tgi), { waiting: 3, running: 16, kvCacheUsage: 0 });
  });

  it('gives nothing when the queue metric is missing or garbled', () => {
    assert.equal(readEngineLoad('vllm:num_requests_running 3\n', engineMetricNames.vllm), undefined);
    assert.equal(readEngineLoad('vllm:num_requests_waiting NaNx\n', engineMetricNames.vllm), undefined);
    assert.equal(readEngineLoad('', engineMetricNames.tgi), undefined);
  });
});

describe('backend load scraper', () => {
  let simulator: LlmSimulator;
  let sglang: Server;
  let sglangUrl: string;
  let sglangQueue = 2;
  let sglangHealthy = true;

  before(async () => {
    simulator = await startLlmSimulator({ ttftMs: 400, itlMs: 20, outputTokens: 40, maxNumSeqs: 2, seed: 3 });
    sglang = createServer((request, response) => {
      if (!sglangHealthy || request.url !== '/custom/metrics') {
        response.writeHead(sglangHealthy ? 404 : 500).end('no');
        return;
      }
      response.end(`sglang:num_queue_reqs ${sglangQueue}\nsglang:num_running_reqs 5\nsglang:token_usage 0.4\n`);
    });
    await new Promise<void>((resolve) => sglang.listen(0, '127.0.0.1', resolve));
    sglangUrl = `http://127.0.0.1:${(sglang.address() as AddressInfo).port}`;
  });
  after(async () => {
    await simulator.close();
    await new Promise((resolve) => sglang.close(resolve));
  });

  it('scrapes a vLLM-named endpoint and a configured SGLang one on their timers, and lets stale numbers saturate an instance', async () => {
    const config = routerConfig(
      {
        vllm: poolConfig({ instances: [{ url: simulator.url }], engine: 'vllm', balancer: 'queue-aware', metrics: { intervalMs: 50, staleAfterMs: 300 } }),
        sglang: poolConfig({ instances: [{ url: 'http://unused.invalid', metricsUrl: `${sglangUrl}/custom/metrics` }], engine: 'sglang', metrics: { intervalMs: 50, staleAfterMs: 300 } }),
        api: poolConfig({ instances: [{ url: 'http://api.invalid' }] }),
      },
      { r: { pool: 'vllm' } },
    );
    const router = new ModelRouter(config, (url) => url);
    const scraper = new BackendLoadScraper(router.pools.values(), { now: () => router.now() });
    try {
      await scraper.start();
      const vllmInstance = router.pools.get('vllm')!.instances[0]!;
      const sglangInstance = router.pools.get('sglang')!.instances[0]!;
      assert.equal(sglangInstance.waiting, 2);
      assert.equal(sglangInstance.kvCacheUsage, 0.4);
      assert.equal(vllmInstance.isSaturated(router.now()), false);

      // Load the simulator past its two slots: the queue shows up in the next scrapes.
      const calls = Array.from({ length: 6 }, () =>
        fetch(`${simulator.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"messages":[{"role":"user","content":"hi"}]}' }),
      );
      const deadline = Date.now() + 5_000;
      while (vllmInstance.waiting < 4 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      assert.equal(vllmInstance.waiting, 4);
      assert.equal(vllmInstance.running, 2);
      await Promise.all(calls.map(async (call) => (await call).arrayBuffer()));

      sglangQueue = 9;
      await new Promise((resolve) => setTimeout(resolve, 200));
      assert.equal(sglangInstance.waiting, 9);
      assert.equal(sglangInstance.isSaturated(router.now()), true, 'a queue over maxWaiting saturates');

      sglangHealthy = false;
      sglangQueue = 0;
      await new Promise((resolve) => setTimeout(resolve, 450));
      assert.equal(sglangInstance.isStale(router.now()), true);
      assert.equal(sglangInstance.isSaturated(router.now()), true, 'stale metrics count as saturated');
      assert.equal(router.pools.get('api')!.instances[0]!.isSaturated(router.now()), false, 'a pool without an engine is never scraped nor saturated');
    } finally {
      await scraper.close();
      await router.close();
    }
  });
});
