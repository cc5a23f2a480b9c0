/**
 * Prefix-cache-aware (llm-d's approximate prefix scorer, SGLang's cache-aware router): the prompt is hashed
 * in blocks as a chain, each instance remembers the blocks it was sent, and an instance's prefix score is
 * the share of the prompt's leading blocks it holds. Combined with the queue-aware score (queue and KV
 * usage), weighted: cost = queue-aware score − prefixWeight × matched share. The lowest cost wins.
 *
 * The overload escape: an instance far busier than the least loaded candidate (by both a ratio and a gap,
 * SGLang's rule) gets no prefix credit, so a warm cache never piles calls onto a saturated instance; the
 * pool has already taken saturated engines out of the candidates.
 */

import type { InstanceState } from '../instance-state.js';
import type { Balancer, BalanceRequest } from './balancer.js';
import { PrefixBlockLru } from './prefix-block-lru.js';
import { PromptPrefixHasher } from './prompt-prefix-hasher.js';
import { QueueAwareBalancer, type QueueAwareOptions } from './queue-aware-balancer.js';

export interface PrefixAwareOptions extends QueueAwareOptions {
  /** Weight of the prefix score (matched share of the prompt's blocks, 0 to 1). */
  prefixWeight: number;
  /** Characters per hashed block (about four per token). */
  blockCharacters: number;
  /** Blocks hashed per prompt at most: the tail of a very long prompt is not looked at. */
  maxBlocks: number;
  /** Blocks remembered per instance; about the engine's KV capacity in tokens × 4 / blockCharacters. */
  lruBlocks: number;
  /** An instance loaded more than this multiple of the least loaded candidate... */
  overloadRatio: number;
  /** ...and by more than this many calls in flight per unit of weight gets no prefix credit. */
  overloadGap: number;
}

export class PrefixAwareBalancer implements Balancer {
  readonly name = 'prefix-aware';
  readonly #options: PrefixAwareOptions;
  readonly #queue: QueueAwareBalancer;
  readonly #hasher: PromptPrefixHasher;
  /** One LRU per instance, by the instance's index in its pool. */
  readonly #lrus: PrefixBlockLru[];
  #next = 0;

  constructor(instanceCount: number, options: PrefixAwareOptions) {
    this.#options = options;
    this.#queue = new QueueAwareBalancer(options);
    this.#hasher = new PromptPrefixHasher(options.blockCharacters, options.maxBlocks);
    this.#lrus = Array.from({ length: instanceCount }, () => new PrefixBlockLru(options.lruBlocks));
  }

  /** The blocks the router remembers sending this instance; for tests and docs. */
  lruOf(instance: Pick<InstanceState, 'index'>): PrefixBlockLru {
    return this.#lrus[instance.index]!;
  }

  pick(candidates: readonly InstanceState[], request: BalanceRequest): InstanceState {
    const count = candidates.length;
    const hasher = this.#hasher;
    const blocks = request.prompt === undefined ? 0 : hasher.hash(request.prompt);
    this.#next = (this.#next + 1) % 1_000_000_007;
    let chosen = candidates[this.#next % count]!;
    if (count > 1) {
      const { overloadRatio, overloadGap, prefixWeight } = this.#options;
      let leastLoad = Number.POSITIVE_INFINITY;
      for (const instance of candidates) if (instance.load < leastLoad) leastLoad = instance.load;
      const creditPerBlock = blocks === 0 ? 0 : prefixWeight / blocks;
      let bestCost = Number.POSITIVE_INFINITY;
      for (let step = 0; step < count; step++) {
        const instance = candidates[(this.#next + step) % count]!;
        let cost = this.#queue.score(instance, request.now);
        const overloaded = instance.load - leastLoad > overloadGap && instance.load > overloadRatio * leastLoad;
        if (creditPerBlock > 0 && !overloaded) cost -= creditPerBlock * this.#lrus[instance.index]!.matchedBlocks(hasher.blocks, blocks);
        if (cost < bestCost) {
          chosen = instance;
          bestCost = cost;
        }
      }
    }
    if (blocks > 0) this.#lrus[chosen.index]!.touch(hasher.blocks, blocks);
    return chosen;
  }
}
