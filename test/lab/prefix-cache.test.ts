import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startLlmSimulator, type LlmSimulator } from '../../src/lab/llm-simulator.js';
import { PrefixCache } from '../../src/lab/prefix-cache.js';
import { promptBoundary, PromptParts } from '../../src/lab/prompt-blocks.js';
import { SimulatedEngine, type EngineSettings, type SequenceListener } from '../../src/lab/simulated-engine.js';
import { SeededRandom } from '../../src/stats/seeded-random.js';
import { ManualClock } from './manual-clock.js';
import { getText, metricValue, post } from './simulator-client.js';

function prompt(...messages: [number, string][]): PromptParts {
  const parts = new PromptParts();
  for (const [role, text] of messages) {
    parts.boundary(role);
    parts.text(text);
  }
  return parts;
}

const range = (from: number, count: number): number[] => Array.from({ length: count }, (_, index) => from + index);

describe('prompt blocks', () => {
  test('a token is four characters; only full blocks are hashed', () => {
    const parts = prompt([promptBoundary.system, 'x'.repeat(130)]);
    assert.equal(parts.tokens, 33);
    assert.equal(parts.blockHashes(16).length, 2, '130 characters hold two blocks of 64');
    assert.equal(parts.blockHashes(8).length, 4);
    assert.equal(parts.blockHashes(16, 1).length, 1);
  });

  test('prompts that share a prefix share its blocks; each block depends on all before it', () => {
    const system = 'You are a shopping assistant. '.repeat(10);
    const first = prompt([promptBoundary.system, system], [promptBoundary.user, 'Where is my order?']).blockHashes(4);
    const second = prompt([promptBoundary.system, system], [promptBoundary.user, 'What is the price of the red shirt?']).blockHashes(4);
    const shared = Math.floor(system.length / 16);
    assert.deepEqual(second.slice(0, shared), first.slice(0, shared));
    assert.notEqual(second[shared], first[shared]);
    // The same 16 characters after a different history hash differently: the chain folds in the blocks before.
    const shifted = prompt([promptBoundary.system, 'X'.repeat(16) + system.slice(16)]).blockHashes(4);
    assert.notEqual(shifted[0], first[0]);
    assert.notEqual(shifted[1], first[1]);
    assert.equal(new Set(first).size, first.length);
  });

  test('message boundaries and roles count, without taking room', () => {
    const split = prompt([promptBoundary.system, 'a'.repeat(40)], [promptBoundary.user, 'b'.repeat(24)]);
    const moved = prompt([promptBoundary.system, 'a'.repeat(40) + 'b'.repeat(4)], [promptBoundary.user, 'b'.repeat(20)]);
    const role = prompt([promptBoundary.system, 'a'.repeat(40)], [promptBoundary.assistant, 'b'.repeat(24)]);
    assert.equal(split.characters, moved.characters);
    assert.notEqual(split.blockHashes(16)[0], moved.blockHashes(16)[0]);
    assert.notEqual(split.blockHashes(16)[0], role.blockHashes(16)[0]);
    assert.deepEqual(split.blockHashes(16), prompt([promptBoundary.system, 'a'.repeat(40)], [promptBoundary.user, 'b'.repeat(24)]).blockHashes(16));
  });
});

describe('prefix cache LRU', () => {
  test('leading hits stop at the first miss and respect the limit', () => {
    const cache = new PrefixCache(16, 100);
    cache.touch([1, 2, 3, 4]);
    assert.equal(cache.leadingHits([1, 2, 3, 4, 5], 10), 4);
    assert.equal(cache.leadingHits([1, 2, 9, 4], 10), 2);
    assert.equal(cache.leadingHits([9, 1, 2], 10), 0);
    assert.equal(cache.leadingHits([1, 2, 3, 4], 3), 3);
  });

  test('eviction drops least recently used blocks, a prompt tail before its head', () => {
    const cache = new PrefixCache(16, 50);
    cache.touch(range(1, 40));
    cache.touch(range(201, 40));
    cache.trim(Infinity);
    assert.equal(cache.size, 50);
    assert.equal(cache.evictedTotal, 30);
    assert.equal(cache.leadingHits(range(1, 40), 40), 10, 'the first prompt keeps its first ten blocks');
    assert.equal(cache.leadingHits(range(201, 40), 40), 40);
    // Touching the first prompt again makes it the newest: now the second loses its tail.
    cache.touch(range(1, 10));
    cache.trim(20);
    assert.equal(cache.leadingHits(range(1, 40), 40), 10);
    assert.equal(cache.leadingHits(range(201, 40), 40), 10);
  });
});

class FirstToken implements SequenceListener {
  at: number | undefined;
  finished = false;
  constructor(private readonly clock: ManualClock) {}
  onToken(index: number): void {
    if (index === 0) this.at = this.clock.now();
  }
  onFinish(): void {
    this.finished = true;
  }
}

function engineWithCache(cache: PrefixCache, overrides: Partial<EngineSettings> = {}): { engine: SimulatedEngine; clock: ManualClock } {
  const clock = new ManualClock();
  const settings: EngineSettings = { ttftMs: 100, itlMs: 10, stallMs: 0, maxNumSeqs: 8, batchSlowdown: 0, jitter: 0, kvCapacityTokens: 100_000, prefillTokensPerSecond: 1000, ...overrides };
  return { engine: new SimulatedEngine(settings, new SeededRandom(1), clock, cache), clock };
}

/** Runs one sequence to its end on the manual clock; returns its TTFT in ms. */
function ttftOf(engine: SimulatedEngine, clock: ManualClock, promptTokens: number, blocks: number[]): number {
  const listener = new FirstToken(clock);
  const submittedAt = clock.now();
  engine.submit(listener, promptTokens, 2, 0.5, blocks);
  clock.advanceTo(clock.now() + 100_000);
  assert.ok(listener.finished);
  return listener.at! - submittedAt;
}

describe('prefix cache in the engine', () => {
  test('TTFT falls with the cached leading tokens: prefill is paid per uncached token', () => {
    const { engine, clock } = engineWithCache(new PrefixCache(16, 1000));
    // 1 ms per prompt token: TTFT = 100 ms + uncached tokens.
    assert.equal(ttftOf(engine, clock, 640, range(1, 40)), 100 + 640);
    assert.deepEqual([engine.prefixCacheQueriesTotal, engine.prefixCacheHitsTotal], [640, 0]);
    // The same 40 blocks and 10 more: 640 tokens come from the cache.
    assert.equal(ttftOf(engine, clock, 800, [...range(1, 40), ...range(101, 10)]), 100 + 160);
    assert.deepEqual([engine.prefixCacheQueriesTotal, engine.prefixCacheHitsTotal], [1440, 640]);
    // A prompt that is all cached still computes its last block, as vLLM does.
    assert.equal(ttftOf(engine, clock, 640, range(1, 40)), 100 + 16);
    assert.deepEqual([engine.prefixCacheQueriesTotal, engine.prefixCacheHitsTotal], [2080, 1264]);
    // A different first block shares nothing, however much follows.
    assert.equal(ttftOf(engine, clock, 640, [999, ...range(2, 39)]), 100 + 640);
  });

  test('the capacity bounds the cache: least recently used prefixes go first', () => {
    const { engine, clock } = engineWithCache(new PrefixCache(16, 50));
    ttftOf(engine, clock, 640, range(1, 40));
    ttftOf(engine, clock, 640, range(201, 40));
    assert.equal(engine.prefixCache!.size, 50);
    assert.equal(ttftOf(engine, clock, 640, range(1, 40)), 100 + 640 - 10 * 16, 'ten head blocks of the older prompt survived');
  });

  test('KV memory held by running sequences evicts cached blocks as usage grows', () => {
    const { engine, clock } = engineWithCache(new PrefixCache(16, 1000), { kvCapacityTokens: 1000 });
    ttftOf(engine, clock, 640, range(1, 40));
    // While the 640-token prompt ran, 360 tokens of KV were free: 22 blocks stayed, the head of the prompt.
    assert.equal(engine.prefixCache!.size, 22);
    assert.equal(ttftOf(engine, clock, 640, range(1, 40)), 100 + 640 - 22 * 16);
    // The second run shares the 22 cached blocks instead of holding them again: only its 288 new tokens are its
    // own, so 712 tokens of KV stay free and all 40 blocks fit.
    const cache = engine.prefixCache!;
    assert.equal(cache.size, 40);
    // A long decode fills KV block by block and trims the cache as it goes: at its start 800 free tokens hold 50 of
    // the 40 + 12 blocks, and at its last new block (688 generated) 1000 − 200 − 688 = 112 free tokens hold 7.
    const evictedBefore = cache.evictedTotal;
    const decoding = new FirstToken(clock);
    engine.submit(decoding, 200, 700, 0.5, range(501, 12));
    assert.equal(cache.size, 50);
    clock.advanceTo(clock.now() + 100_000);
    assert.ok(decoding.finished);
    assert.equal(cache.size, 7);
    assert.equal(cache.evictedTotal - evictedBefore, 45);
  });

  test('a cached prefix is shared in KV memory: a second sequence on it fits beside the first', () => {
    const { engine, clock } = engineWithCache(new PrefixCache(16, 1000), { kvCapacityTokens: 1000 });
    const first = new FirstToken(clock);
    const second = new FirstToken(clock);
    engine.submit(first, 640, 2, 0.5, range(1, 40));
    // The first holds 640 tokens; 22 of its blocks stay cached. The second needs only its 288 uncached tokens.
    engine.submit(second, 640, 2, 0.5, range(1, 40));
    assert.equal(engine.runningCount, 2, 'both run: 640 + 288 fit in 1000');
    assert.ok(engine.kvCacheUsage < 0.93 && engine.kvCacheUsage > 0.92, `usage ${engine.kvCacheUsage}`);
    clock.advanceTo(clock.now() + 100_000);
    assert.deepEqual([first.at, second.at], [740, 388]);
  });

  test('shared prefill: prefills take turns on the engine, so a cached prompt also spares the ones behind it', async () => {
    const submitAll = (engine: SimulatedEngine, clock: ManualClock, prompts: [number, number[]][]): number[] => {
      const listeners = prompts.map(() => new FirstToken(clock));
      prompts.forEach(([tokens, blocks], index) => engine.submit(listeners[index]!, tokens, 2, 0.5, blocks));
      clock.advanceTo(clock.now() + 100_000);
      return listeners.map((listener) => listener.at!);
    };
    // 1 ms per uncached token; three 640-token prompts arrive together.
    const alone = engineWithCache(new PrefixCache(16, 1000));
    assert.deepEqual(submitAll(alone.engine, alone.clock, [[640, range(1, 40)], [640, range(101, 40)], [640, range(201, 40)]]), [740, 740, 740], 'each as if alone');
    const shared = engineWithCache(new PrefixCache(16, 1000), { sharedPrefill: true });
    assert.deepEqual(submitAll(shared.engine, shared.clock, [[640, range(1, 40)], [640, range(101, 40)], [640, range(201, 40)]]), [740, 1380, 2020], 'one after the other');
    // The same three again: all but each last block cached, 16 ms each, so the queue of prefills is short.
    const start = shared.clock.now();
    const again = submitAll(shared.engine, shared.clock, [[640, range(1, 40)], [640, range(101, 40)], [640, range(201, 40)]]).map((at) => at - start);
    assert.deepEqual(again, [116, 132, 148]);
    await assert.rejects(startLlmSimulator({ sharedPrefill: 'yes' as unknown as boolean }), /sharedPrefill/);
  });

  test('without prefill cost or cache the engine times prompts as before', () => {
    const clock = new ManualClock();
    const engine = new SimulatedEngine({ ttftMs: 100, itlMs: 10, stallMs: 0, maxNumSeqs: 8, batchSlowdown: 0, jitter: 0, kvCapacityTokens: 100_000 }, new SeededRandom(1), clock);
    assert.equal(ttftOf(engine, clock, 5000, range(1, 300)), 100);
    assert.deepEqual([engine.prefixCacheQueriesTotal, engine.prefixCacheHitsTotal], [0, 0]);
  });
});

describe('prefix cache through the simulator', () => {
  const started: LlmSimulator[] = [];
  after(() => Promise.all(started.map((instance) => instance.close())));

  async function waitFor(condition: () => boolean): Promise<void> {
    const deadline = Date.now() + 5000;
    while (!condition()) {
      if (Date.now() > deadline) assert.fail('condition not met in time');
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  }

  test('a second request with the same long prefix reports cached tokens, a lower TTFT and moves the counters', async () => {
    const clock = new ManualClock();
    // 1 ms per uncached prompt token on a manual clock: the simulator's own TTFT histogram is exact.
    const instance = await startLlmSimulator({ clock, ttftMs: 10, itlMs: 1, jitter: 0, outputTokens: 2, prefillTokensPerSecond: 1000 });
    started.push(instance);
    const system = 'You are the assistant of a shop that sells shirts. '.repeat(40);
    const ask = async (question: string): Promise<{ usage: { prompt_tokens: number; prompt_tokens_details?: { cached_tokens: number } }; ttftSeconds: number }> => {
      const before = metricValue((await getText(instance.url, '/metrics')).body, 'vllm:time_to_first_token_seconds_sum{model_name="switchboard-sim"}');
      const completed = instance.stats().completed;
      const pending = post(instance.url, '/v1/chat/completions', { messages: [{ role: 'system', content: system }, { role: 'user', content: question }] });
      await waitFor(() => instance.stats().running === 1);
      clock.advanceTo(clock.now() + 60_000);
      await waitFor(() => instance.stats().completed === completed + 1);
      const response = await pending;
      assert.equal(response.status, 200, response.body);
      const after = metricValue((await getText(instance.url, '/metrics')).body, 'vllm:time_to_first_token_seconds_sum{model_name="switchboard-sim"}');
      return { usage: (JSON.parse(response.body) as { usage: { prompt_tokens: number } }).usage, ttftSeconds: after - before };
    };
    const first = await ask('Where is my order 48213?');
    assert.equal(first.usage.prompt_tokens_details, undefined, 'nothing cached yet: no details, as before');
    const cachedBlocks = Math.floor(system.length / 64);
    const second = await ask('How much is the red shirt?');
    assert.deepEqual(second.usage.prompt_tokens_details, { cached_tokens: cachedBlocks * 16 });
    assert.ok(Math.abs(first.ttftSeconds - (10 + first.usage.prompt_tokens) / 1000) < 1e-9, `first TTFT ${first.ttftSeconds}`);
    assert.ok(Math.abs(second.ttftSeconds - (10 + second.usage.prompt_tokens - cachedBlocks * 16) / 1000) < 1e-9, `second TTFT ${second.ttftSeconds}`);
    assert.ok(second.ttftSeconds < first.ttftSeconds / 10);
    const metrics = (await getText(instance.url, '/metrics')).body;
    assert.equal(metricValue(metrics, 'vllm:prefix_cache_queries_total{model_name="switchboard-sim"}'), first.usage.prompt_tokens + second.usage.prompt_tokens);
    assert.equal(metricValue(metrics, 'vllm:prefix_cache_hits_total{model_name="switchboard-sim"}'), cachedBlocks * 16);
    assert.match(metrics, /vllm:cache_config_info\{block_size="16",num_gpu_blocks="32768",enable_prefix_caching="True"\} 1/);
  });

  test('prefixCacheBlocks 0 turns caching off: no hits, every prompt prefilled', async () => {
    const instance = await startLlmSimulator({ ttftMs: 1, itlMs: 1, outputTokens: 1, prefixCacheBlocks: 0, prefillTokensPerSecond: 0 });
    started.push(instance);
    const body = { messages: [{ role: 'user', content: 'same long prompt '.repeat(50) }] };
    for (let round = 0; round < 2; round++) {
      const response = await post(instance.url, '/v1/chat/completions', body);
      assert.equal((JSON.parse(response.body) as { usage: { prompt_tokens_details?: unknown } }).usage.prompt_tokens_details, undefined);
    }
    const metrics = (await getText(instance.url, '/metrics')).body;
    assert.equal(metricValue(metrics, 'vllm:prefix_cache_hits_total{model_name="switchboard-sim"}'), 0);
    assert.equal(metricValue(metrics, 'vllm:prefix_cache_queries_total{model_name="switchboard-sim"}'), 0);
    assert.match(metrics, /enable_prefix_caching="False"/);
  });

  test('bad cache options are refused', async () => {
    await assert.rejects(startLlmSimulator({ blockTokens: 0 }), /blockTokens/);
    await assert.rejects(startLlmSimulator({ prefixCacheBlocks: -1 }), /prefixCacheBlocks/);
    await assert.rejects(startLlmSimulator({ prefillTokensPerSecond: Number.NaN }), /prefillTokensPerSecond/);
  });
});
