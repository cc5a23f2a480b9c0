import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ChatMessage, ToolDefinition } from '../../src/chat/chat-types.js';
import { startLlmSimulator, type LlmSimulator } from '../../src/lab/llm-simulator.js';
import { PrefixAwareBalancer, type PrefixAwareOptions } from '../../src/models/balancers/prefix-aware-balancer.js';
import { PrefixBlockLru } from '../../src/models/balancers/prefix-block-lru.js';
import { PromptPrefixHasher, type PromptSource } from '../../src/models/balancers/prompt-prefix-hasher.js';
import { ModelPool } from '../../src/models/model-pool.js';
import { ModelRouter } from '../../src/models/model-router.js';
import { makeInstance, poolConfig, routerConfig, seededRandom } from './instance-fixtures.js';

const options: PrefixAwareOptions = {
  prefixWeight: 3,
  queueWeight: 2,
  kvCacheWeight: 2,
  inFlightWeight: 0.01,
  maxWaiting: 5,
  maxKvCacheUsage: 0.8,
  blockCharacters: 64,
  maxBlocks: 64,
  lruBlocks: 10_000,
  overloadRatio: 1.5,
  overloadGap: 16,
};

const system = (tenant: string) => `You are the assistant of ${tenant}. Answer briefly and cite the policy. `.repeat(20);

function chat(tenant: string, ...turns: string[]): PromptSource {
  const messages: ChatMessage[] = [{ role: 'system', content: system(tenant) }];
  turns.forEach((text, index) => messages.push({ role: index % 2 === 0 ? 'user' : 'assistant', content: text }));
  return { messages };
}

function hashes(hasher: PromptPrefixHasher, prompt: PromptSource): number[] {
  return [...hasher.blocks.subarray(0, hasher.hash(prompt))];
}

const lookupTool = (description: string): ToolDefinition => ({
  name: 'lookup_order',
  description,
  parameters: { type: 'object', properties: { order_id: { type: 'string', minLength: 5 } }, required: ['order_id'] },
});

describe('prompt prefix hashing', () => {
  const hasher = new PromptPrefixHasher(64, 64);

  it('hashes only full blocks, each role boundary one unit, and stops at maxBlocks', () => {
    assert.equal(hasher.hash({ messages: [{ role: 'user', content: 'x'.repeat(62) }] }), 0, '63 units: no full block');
    assert.equal(hasher.hash({ messages: [{ role: 'user', content: 'x'.repeat(63) }] }), 1);
    assert.equal(hasher.hash({ messages: [{ role: 'user', content: 'x'.repeat(64 * 100) }] }), 64);
    assert.equal(new PromptPrefixHasher(64, 3).hash({ messages: [{ role: 'user', content: 'x'.repeat(1000) }] }), 3);
  });

  it('gives equal prompts equal hashes and prompts sharing a prefix the same leading blocks only', () => {
    const first = hashes(hasher, chat('acme', 'Where is my order?'));
    assert.deepEqual(hashes(hasher, chat('acme', 'Where is my order?')), first);
    const other = hashes(hasher, chat('acme', 'Tell me what the red shirt costs, and whether I can pay in instalments.'));
    const shared = Math.floor((1 + system('acme').length + 1) / 64);
    assert.deepEqual(other.slice(0, shared), first.slice(0, shared));
    assert.notEqual(other[shared], first[shared]);
    // One changed character at the start changes every block after it: the chain folds in what came before.
    const shifted = hashes(hasher, { messages: [{ role: 'system', content: `X${system('acme').slice(1)}` }, { role: 'user', content: 'Where is my order?' }] });
    for (let index = 0; index < shared; index++) assert.notEqual(shifted[index], first[index]);
    assert.equal(new Set(first).size, first.length);
  });

  it('a longer conversation extends the chain of a shorter one, however its texts fall on block edges', () => {
    const random = seededRandom(7);
    for (let trial = 0; trial < 50; trial++) {
      const turns = Array.from({ length: 6 }, (_, index) => `t${trial}-${index} `.repeat(1 + Math.floor(random() * 40)));
      const shorter = hashes(hasher, chat('acme', ...turns.slice(0, 3)));
      const longer = hashes(hasher, chat('acme', ...turns));
      assert.ok(longer.length >= shorter.length);
      assert.deepEqual(longer.slice(0, shorter.length), shorter, `trial ${trial}`);
    }
  });

  it('counts roles, message boundaries, tools and their schemas, walked in key order', () => {
    const content = 'a'.repeat(200);
    const asUser = hashes(hasher, { messages: [{ role: 'user', content }] });
    assert.notEqual(hashes(hasher, { messages: [{ role: 'assistant', content }] })[0], asUser[0]);
    const split = hashes(hasher, { messages: [{ role: 'user', content: content.slice(0, 100) }, { role: 'user', content: content.slice(100) }] });
    assert.equal(split[0], asUser[0], 'the first block ends before the split');
    assert.notEqual(split[2], asUser[2]);
    const withTool = (tool: ToolDefinition) => hashes(hasher, { tools: [tool], messages: [{ role: 'user', content }] });
    const base = withTool(lookupTool('Finds an order by its id.'));
    assert.deepEqual(withTool(lookupTool('Finds an order by its id.')), base, 'equal schemas in other objects hash the same');
    assert.notDeepEqual(withTool(lookupTool('Finds an order by its number.')), base);
    const tighter = lookupTool('Finds an order by its id.');
    tighter.parameters = { type: 'object', properties: { order_id: { type: 'string', minLength: 6 } }, required: ['order_id'] };
    assert.notDeepEqual(withTool(tighter), base, 'a number inside the schema counts');
    assert.notDeepEqual(hashes(hasher, { messages: [{ role: 'user', content }] }), base);
  });

  it('refuses a bad block size or block limit by name', () => {
    assert.throws(() => new PromptPrefixHasher(0, 10), /blockCharacters/);
    assert.throws(() => new PromptPrefixHasher(64, 1.5), /maxBlocks/);
    assert.throws(() => new PrefixBlockLru(0), /capacity/);
  });
});

describe('prefix block LRU', () => {
  const chain = (...values: number[]) => Int32Array.from(values);

  it('matches leading blocks only, up to the first one it was not sent', () => {
    const lru = new PrefixBlockLru(100);
    lru.touch(chain(1, 2, 3, 4), 4);
    assert.equal(lru.matchedBlocks(chain(1, 2, 3, 4, 5), 5), 4);
    assert.equal(lru.matchedBlocks(chain(1, 2, 9, 4), 4), 2);
    assert.equal(lru.matchedBlocks(chain(9, 1, 2), 3), 0);
    assert.equal(lru.matchedBlocks(chain(1, 2, 3, 4), 2), 2, 'only the count given is looked at');
  });

  it('evicts least recently used blocks, a prompt tail before its head', () => {
    const lru = new PrefixBlockLru(6);
    lru.touch(chain(1, 2, 3, 4), 4);
    lru.touch(chain(11, 12, 13, 14), 4);
    assert.equal(lru.size, 6);
    assert.equal(lru.matchedBlocks(chain(1, 2, 3, 4), 4), 2, 'the older prompt keeps its head');
    assert.equal(lru.matchedBlocks(chain(11, 12, 13, 14), 4), 4);
    lru.touch(chain(1, 2), 2);
    lru.touch(chain(21, 22), 2);
    assert.equal(lru.matchedBlocks(chain(1, 2), 2), 2, 'touched again, so kept');
    assert.equal(lru.matchedBlocks(chain(11, 12, 13, 14), 4), 2);
  });
});

describe('prefix-aware balancer', () => {
  it('sends a tenant back to the instance it went to, and spreads new tenants by load', () => {
    const instances = [0, 1, 2, 3].map((index) => makeInstance(index));
    const balancer = new PrefixAwareBalancer(instances.length, options);
    const homes = new Map<string, number>();
    for (const tenant of ['acme', 'globex', 'initech', 'umbrella']) {
      const chosen = balancer.pick(instances, { affinityKey: undefined, now: 0, prompt: chat(tenant, 'hello') });
      chosen.onDispatch();
      homes.set(tenant, chosen.index);
    }
    assert.equal(new Set(homes.values()).size, 4, `each new tenant goes to an idle instance: ${[...homes.values()]}`);
    for (let turn = 0; turn < 5; turn++) {
      for (const [tenant, home] of homes) assert.equal(balancer.pick(instances, { affinityKey: undefined, now: 0, prompt: chat(tenant, `question ${turn}`) }).index, home, tenant);
    }
    assert.ok(balancer.lruOf(instances[homes.get('acme')!]!).size > 0);
  });

  it('skips an overloaded instance holding the prefix, and comes back to it once the gap closes', () => {
    const [holder, other] = [makeInstance(0), makeInstance(1)];
    const balancer = new PrefixAwareBalancer(2, options);
    const prompt = chat('acme', 'Where is my order?');
    balancer.pick([holder], { affinityKey: undefined, now: 0, prompt });
    assert.ok(balancer.lruOf(holder).size > 0);
    holder.inFlight = 12;
    other.inFlight = 2;
    assert.equal(balancer.pick([holder, other], { affinityKey: undefined, now: 0, prompt: chat('acme', 'And my refund?') }), holder, 'busier, but within the gap: the prefix wins');
    holder.inFlight = 30;
    assert.equal(balancer.pick([holder, other], { affinityKey: undefined, now: 0, prompt: chat('acme', 'And my refund?') }), other, 'far busier than the least loaded: no credit for its prefix');
    // The call that went elsewhere warmed that instance: now both hold the prefix and load decides.
    holder.inFlight = 12;
    assert.equal(balancer.pick([holder, other], { affinityKey: undefined, now: 0, prompt: chat('acme', 'And my refund?') }), other);
  });

  it('weighs an engine queue against the prefix: a long queue outweighs a warm cache', () => {
    const scraped = (index: number, waiting: number) => {
      const instance = makeInstance(index, { scraped: true });
      instance.updateLoad(waiting, 8, 0.2, 0);
      return instance;
    };
    const holder = scraped(0, 0);
    const idle = scraped(1, 0);
    const balancer = new PrefixAwareBalancer(2, options);
    balancer.pick([holder], { affinityKey: undefined, now: 10, prompt: chat('acme', 'hi') });
    assert.equal(balancer.pick([holder, idle], { affinityKey: undefined, now: 10, prompt: chat('acme', 'hello') }), holder);
    // Four waiting cost 2 × 4/5 = 1.6; the shared system prompt is worth 3 × (about 0.97) = 2.9: still the holder.
    holder.updateLoad(4, 8, 0.2, 10);
    assert.equal(balancer.pick([holder, idle], { affinityKey: undefined, now: 10, prompt: chat('acme', 'hello') }), holder);
    // A cold prompt of another tenant goes where the queue is short.
    assert.equal(balancer.pick([holder, idle], { affinityKey: undefined, now: 10, prompt: chat('globex', 'hello') }), idle);
  });

  it('in a pool, a saturated instance holding the prefix gets no call while another can take it', () => {
    const config = routerConfig({ p: poolConfig({ instances: [{ url: 'http://a' }, { url: 'http://b' }], balancer: 'prefix-aware', engine: 'vllm' }) }, { r: { pool: 'p' } });
    const pool = new ModelPool('p', config.pools.p!, { resolveUrl: (url) => url, random: seededRandom(1) });
    const [a, b] = pool.instances as [ReturnType<typeof makeInstance>, ReturnType<typeof makeInstance>];
    a.updateLoad(0, 4, 0.2, 0);
    b.updateLoad(0, 4, 0.2, 0);
    const request = { affinityKey: undefined, now: 10, prompt: chat('acme', 'hi') };
    const home = pool.pick(request, [], false)!;
    const away = home === a ? b : a;
    assert.equal(pool.pick({ ...request, prompt: chat('acme', 'again') }, [], false), home);
    home.updateLoad(6, 4, 0.2, 10);
    assert.equal(pool.pick({ ...request, prompt: chat('acme', 'again') }, [], false), away, 'saturated: more than 5 waiting');
    void pool.close();
  });
});

describe('prefix-aware routing against simulators', () => {
  const simulators: LlmSimulator[] = [];
  before(async () => {
    for (const seed of [1, 2, 3]) simulators.push(await startLlmSimulator({ ttftMs: 5, itlMs: 1, outputTokens: 4, seed }));
  });
  after(async () => {
    await Promise.all(simulators.map((simulator) => simulator.close()));
  });

  it('keeps each tenant on one engine, whose prefix cache then serves the shared system prompt', async () => {
    const config = routerConfig({ p: poolConfig({ instances: simulators.map((simulator) => ({ url: simulator.url })), balancer: 'prefix-aware', engine: 'none' }) }, { r: { pool: 'p' } });
    const router = new ModelRouter(config, (url) => url);
    const seen = new Map<string, Set<string>>();
    for (let turn = 0; turn < 4; turn++) {
      for (const tenant of ['acme', 'globex', 'initech']) {
        const { decision, result } = await router.call('r', { model: '', ...chat(tenant, `question ${turn} from ${tenant}`) }, new AbortController().signal);
        assert.ok(result.usage.promptTokens > 300);
        if (!seen.has(tenant)) seen.set(tenant, new Set());
        seen.get(tenant)!.add(decision.instance!);
      }
    }
    for (const [tenant, instances] of seen) assert.equal(instances.size, 1, `${tenant} went to ${[...instances]}`);
    let hits = 0;
    for (const simulator of simulators) {
      const text = await (await fetch(`${simulator.url}/metrics`)).text();
      hits += Number(/vllm:prefix_cache_hits_total\{[^}]*\} (\d+)/.exec(text)?.[1] ?? 0);
    }
    // Three tenants × three repeat turns, each finding its ~350-token system prompt cached.
    assert.ok(hits >= 9 * 300, `prefix cache hits ${hits}`);
    await router.close();
  });
});
