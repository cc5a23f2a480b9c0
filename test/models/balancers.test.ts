import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Balancer } from '../../src/models/balancers/balancer.js';
import { LeastOutstandingBalancer } from '../../src/models/balancers/least-outstanding-balancer.js';
import { PrefixAwareBalancer } from '../../src/models/balancers/prefix-aware-balancer.js';
import { PowerOfTwoBalancer } from '../../src/models/balancers/power-of-two-balancer.js';
import { QueueAwareBalancer } from '../../src/models/balancers/queue-aware-balancer.js';
import { RoundRobinBalancer } from '../../src/models/balancers/round-robin-balancer.js';
import { SessionAffinityBalancer } from '../../src/models/balancers/session-affinity-balancer.js';
import { WeightedBalancer } from '../../src/models/balancers/weighted-balancer.js';
import type { InstanceState } from '../../src/models/instance-state.js';
import { makeInstance, seededRandom } from './instance-fixtures.js';

const queueOptions = { queueWeight: 1, kvCacheWeight: 0.5, inFlightWeight: 0.01, maxWaiting: 5, maxKvCacheUsage: 0.8 };
const prefixOptions = { ...queueOptions, queueWeight: 2, kvCacheWeight: 2, prefixWeight: 3, blockCharacters: 64, maxBlocks: 64, lruBlocks: 1_000, overloadRatio: 1.5, overloadGap: 16 };
/** A prompt per call: a shared system prompt, so the prefix-aware strategy has blocks to match. */
const contractPrompt = (index: number) => ({ messages: [{ role: 'system' as const, content: 'You answer questions about orders. '.repeat(8) }, { role: 'user' as const, content: `question ${index}` }] });

function counts(balancer: Balancer, candidates: InstanceState[], picks: number, now = 0, key?: string): number[] {
  const tally = candidates.map(() => 0);
  for (let index = 0; index < picks; index++) tally[candidates.indexOf(balancer.pick(candidates, { affinityKey: key, now }))]!++;
  return tally;
}

describe('every balancer (contract)', () => {
  const factories: [string, (instances: InstanceState[]) => Balancer][] = [
    ['round-robin', () => new RoundRobinBalancer()],
    ['weighted', (instances) => new WeightedBalancer(instances.length)],
    ['least-outstanding', () => new LeastOutstandingBalancer()],
    ['power-of-two', () => new PowerOfTwoBalancer(seededRandom(3))],
    ['queue-aware', () => new QueueAwareBalancer(queueOptions)],
    ['session-affinity', (instances) => new SessionAffinityBalancer(instances, { overloadRatio: 2, overloadGap: 8 })],
    ['prefix-aware', (instances) => new PrefixAwareBalancer(instances.length, prefixOptions)],
  ];
  for (const [name, create] of factories) {
    it(`${name} picks only among the candidates it is given and handles a single one`, () => {
      const instances = [0, 1, 2, 3].map((index) => makeInstance(index));
      const balancer = create(instances);
      const candidates = [instances[1]!, instances[3]!];
      for (let index = 0; index < 50; index++) {
        const chosen = balancer.pick(candidates, { affinityKey: `session-${index}`, now: 0, prompt: index % 2 === 0 ? contractPrompt(index) : undefined });
        assert.ok(candidates.includes(chosen), `${name} chose ${chosen.url}`);
      }
      assert.equal(balancer.pick([instances[2]!], { affinityKey: 'x', now: 0 }), instances[2]);
      assert.equal(balancer.pick([instances[0]!], { affinityKey: 'x', now: 0, prompt: contractPrompt(1) }), instances[0]);
    });
  }
});

describe('round robin and weighted', () => {
  it('round robin gives each instance the same share whatever its load', () => {
    const instances = [0, 1, 2].map((index) => makeInstance(index));
    instances[0]!.inFlight = 100;
    assert.deepEqual(counts(new RoundRobinBalancer(), instances, 300), [100, 100, 100]);
  });

  it('weighted follows the weights exactly over a cycle and spreads the heavy instance out', () => {
    const instances = [makeInstance(0, { weight: 5 }), makeInstance(1, { weight: 1 }), makeInstance(2, { weight: 1 })];
    const balancer: Balancer = new WeightedBalancer(3);
    const sequence = Array.from({ length: 7 }, () => balancer.pick(instances, { affinityKey: undefined, now: 0 }).index);
    assert.deepEqual([0, 1, 2].map((index) => sequence.filter((chosen) => chosen === index).length), [5, 1, 1]);
    // Smooth: the light instances are not both at the end.
    assert.notDeepEqual(sequence.slice(5), [1, 2]);
    assert.deepEqual(counts(balancer, instances, 700), [500, 100, 100]);
  });
});

describe('least outstanding', () => {
  it('sends each call to the instance with the fewest in flight per unit of weight', () => {
    const instances = [makeInstance(0), makeInstance(1), makeInstance(2, { weight: 4 })];
    instances[0]!.inFlight = 3;
    instances[1]!.inFlight = 1;
    instances[2]!.inFlight = 6; // 1.5 per unit of weight
    const balancer: Balancer = new LeastOutstandingBalancer();
    assert.equal(balancer.pick(instances, { affinityKey: undefined, now: 0 }), instances[1]);
  });

  it('keeps in-flight counts level as calls are dispatched and rotates between equals', () => {
    const instances = [0, 1, 2].map((index) => makeInstance(index));
    const balancer: Balancer = new LeastOutstandingBalancer();
    for (let index = 0; index < 30; index++) balancer.pick(instances, { affinityKey: undefined, now: 0 }).onDispatch();
    assert.deepEqual(instances.map((instance) => instance.inFlight), [10, 10, 10]);
  });
});

describe('power of two choices over peak EWMA', () => {
  it('avoids an instance whose first tokens are slow, and comes back to it as its record decays', () => {
    const instances = [0, 1, 2, 3].map((index) => makeInstance(index));
    for (const instance of instances) instance.onDispatch();
    instances.forEach((instance, index) => instance.onFirstToken(index === 0 ? 2_000 : 100, 0));
    const balancer = new PowerOfTwoBalancer(seededRandom(11));
    const early = counts(balancer, instances, 400, 0);
    // The slow one wins only when both choices are it, which never happens: it is never picked while its record is fresh.
    assert.equal(early[0], 0);
    // Two minutes on, the fast instances have fresh samples while the slow one's record has decayed away.
    for (const instance of instances.slice(1)) {
      instance.onDispatch();
      instance.onFirstToken(100, 120_000);
    }
    const later = counts(balancer, instances, 400, 120_000);
    assert.ok(later[0]! > 50, `after decay the slow instance is tried again: ${later}`);
  });

  it('weighs in-flight calls: a busy fast instance loses to an idle one', () => {
    const [busy, idle] = [makeInstance(0), makeInstance(1)];
    busy.onDispatch();
    busy.onFirstToken(100, 0);
    idle.onDispatch();
    idle.onFirstToken(150, 0);
    idle.onEnd(200, 'ok', true, 0);
    busy.inFlight = 10;
    assert.equal(new PowerOfTwoBalancer(seededRandom(1)).pick([busy, idle], { affinityKey: undefined, now: 0 }), idle);
  });

  it('is deterministic for a given random source', () => {
    const instances = [0, 1, 2, 3, 4].map((index) => makeInstance(index));
    const run = () => Array.from({ length: 20 }, () => new PowerOfTwoBalancer(seededRandom(5)).pick(instances, { affinityKey: undefined, now: 0 }).index);
    assert.deepEqual(run(), run());
  });
});

describe('queue-aware', () => {
  function scraped(index: number, waiting: number, running: number, kv: number) {
    const instance = makeInstance(index, { scraped: true });
    instance.updateLoad(waiting, running, kv, 0);
    return instance;
  }

  it('prefers the shortest engine queue, then the lowest KV-cache usage', () => {
    const balancer = new QueueAwareBalancer(queueOptions);
    const queued = scraped(0, 4, 8, 0.1);
    const fullCache = scraped(1, 0, 8, 0.7);
    const free = scraped(2, 0, 8, 0.2);
    assert.equal(balancer.pick([queued, fullCache, free], { affinityKey: undefined, now: 100 }), free);
    assert.equal(balancer.pick([queued, fullCache], { affinityKey: undefined, now: 100 }), fullCache);
  });

  it('counts its own calls sent since the scrape into a non-empty queue, so one scrape does not herd every call to one instance', () => {
    const balancer = new QueueAwareBalancer({ ...queueOptions, inFlightWeight: 0 });
    const a = scraped(0, 1, 8, 0);
    const b = scraped(1, 2, 8, 0);
    const chosen: number[] = [];
    for (let index = 0; index < 6; index++) {
      const instance = balancer.pick([a, b], { affinityKey: undefined, now: 50 });
      instance.onDispatch();
      chosen.push(instance.index);
    }
    assert.ok(chosen.includes(1), `both instances get calls: ${chosen}`);
    assert.equal(a.estimatedWaiting() + b.estimatedWaiting(), 3 + 6);
  });

  it('learns an engine\'s batch limit from a scrape with a queue, and counts calls beyond it as queued before the next scrape', () => {
    const small = scraped(0, 0, 2, 0);
    small.onDispatch();
    small.onDispatch();
    assert.equal(small.estimatedWaiting(), 0, 'no limit known yet');
    small.updateLoad(3, 4, 0, 10);
    small.updateLoad(0, 4, 0, 20);
    assert.equal(small.estimatedWaiting(), 0, 'full, no queue');
    small.onDispatch();
    small.onDispatch();
    assert.equal(small.estimatedWaiting(), 2, 'two calls past the four slots');
    small.onEnd(100, 'ok', false, 30);
    assert.equal(small.estimatedWaiting(), 1);
  });

  it('ranks an instance with stale metrics last', () => {
    const balancer = new QueueAwareBalancer(queueOptions);
    const stale = scraped(0, 0, 0, 0);
    const fresh = scraped(1, 3, 8, 0.5);
    fresh.updateLoad(3, 8, 0.5, 5_000);
    assert.equal(balancer.pick([stale, fresh], { affinityKey: undefined, now: 5_100 }), fresh);
  });

  it('marks instances saturated by queue, by KV cache and by stale metrics', () => {
    const instance = makeInstance(0, { scraped: true, maxWaiting: 5, maxKvCacheUsage: 0.8, staleAfterMs: 1_000 });
    assert.equal(instance.isSaturated(0), true, 'never scraped');
    instance.updateLoad(5, 10, 0.5, 0);
    assert.equal(instance.isSaturated(500), false);
    instance.updateLoad(6, 10, 0.5, 0);
    assert.equal(instance.isSaturated(500), true, 'queue');
    instance.updateLoad(0, 10, 0.85, 0);
    assert.equal(instance.isSaturated(500), true, 'KV cache');
    instance.updateLoad(0, 10, 0.1, 0);
    assert.equal(instance.isSaturated(1_001), true, 'stale');
    assert.equal(makeInstance(1).isSaturated(10_000), false, 'an unscraped instance is never saturated');
  });
});

describe('session affinity', () => {
  it('sends a session to the same instance every time and spreads sessions over all instances', () => {
    const instances = [0, 1, 2, 3].map((index) => makeInstance(index));
    const balancer = new SessionAffinityBalancer(instances, { overloadRatio: 2, overloadGap: 8 });
    const homes = new Map<string, number>();
    for (let session = 0; session < 400; session++) {
      const key = `session-${session}`;
      const first = balancer.pick(instances, { affinityKey: key, now: 0 }).index;
      for (let repeat = 0; repeat < 3; repeat++) assert.equal(balancer.pick(instances, { affinityKey: key, now: 0 }).index, first);
      homes.set(key, first);
    }
    const perInstance = [0, 1, 2, 3].map((index) => [...homes.values()].filter((home) => home === index).length);
    for (const share of perInstance) assert.ok(share > 60 && share < 140, `uneven spread: ${perInstance}`);
  });

  it('moves only the sessions of an instance that leaves', () => {
    const instances = [0, 1, 2, 3].map((index) => makeInstance(index));
    const balancer = new SessionAffinityBalancer(instances, { overloadRatio: 2, overloadGap: 8 });
    const without = instances.filter((instance) => instance.index !== 2);
    let moved = 0;
    for (let session = 0; session < 400; session++) {
      const key = `s${session}`;
      const before = balancer.pick(instances, { affinityKey: key, now: 0 });
      const after = balancer.pick(without, { affinityKey: key, now: 0 });
      if (before.index !== 2) assert.equal(after, before);
      else moved++;
    }
    assert.ok(moved > 0);
  });

  it('overrides the preferred instance only when it is much busier than the least loaded one', () => {
    const instances = [0, 1, 2].map((index) => makeInstance(index));
    const balancer = new SessionAffinityBalancer(instances, { overloadRatio: 2, overloadGap: 8 });
    const home = balancer.preferred(instances, 'conversation-42');
    home.inFlight = 8;
    for (const other of instances) if (other !== home) other.inFlight = 2;
    assert.equal(balancer.pick(instances, { affinityKey: 'conversation-42', now: 0 }), home, 'a gap of 6 is tolerated');
    home.inFlight = 30;
    const moved = balancer.pick(instances, { affinityKey: 'conversation-42', now: 0 });
    assert.notEqual(moved, home);
    assert.equal(moved.inFlight, 2);
  });

  it('without a key behaves as least outstanding', () => {
    const instances = [0, 1, 2].map((index) => makeInstance(index));
    instances[0]!.inFlight = 5;
    instances[1]!.inFlight = 1;
    instances[2]!.inFlight = 5;
    const balancer = new SessionAffinityBalancer(instances, { overloadRatio: 2, overloadGap: 8 });
    assert.equal(balancer.pick(instances, { affinityKey: undefined, now: 0 }), instances[1]);
  });
});
