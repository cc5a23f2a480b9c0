/**
 * Queue-aware (the Gateway API inference extension's idea): the pool has already filtered
 * saturated instances out; the rest are scored by their engine's queue and KV-cache usage
 * from the latest scrape, with the router's own in-flight calls as a small tie-breaker.
 */

import type { InstanceState } from '../instance-state.js';
import type { Balancer, BalanceRequest } from './balancer.js';

export interface QueueAwareOptions {
  queueWeight: number;
  kvCacheWeight: number;
  inFlightWeight: number;
  /** The saturation limits, which scale the scores to "fraction of the way to saturated". */
  maxWaiting: number;
  maxKvCacheUsage: number;
}

/** Added to a stale instance's score: it is picked only when nothing fresh is left. */
const stalePenalty = 1_000;

export class QueueAwareBalancer implements Balancer {
  readonly name = 'queue-aware';
  readonly #options: QueueAwareOptions;
  readonly #queueScale: number;
  readonly #kvScale: number;
  #next = 0;

  constructor(options: QueueAwareOptions) {
    this.#options = options;
    this.#queueScale = options.queueWeight / Math.max(1, options.maxWaiting);
    this.#kvScale = options.kvCacheWeight / Math.max(0.01, options.maxKvCacheUsage);
  }

  score(instance: InstanceState, now: number): number {
    const score = instance.estimatedWaiting() * this.#queueScale + instance.kvCacheUsage * this.#kvScale + instance.load * this.#options.inFlightWeight;
    return instance.isStale(now) ? score + stalePenalty : score;
  }

  pick(candidates: readonly InstanceState[], request: BalanceRequest): InstanceState {
    const count = candidates.length;
    this.#next = (this.#next + 1) % 1_000_000_007;
    let best = candidates[this.#next % count]!;
    let bestScore = this.score(best, request.now);
    for (let step = 1; step < count; step++) {
      const instance = candidates[(this.#next + step) % count]!;
      const score = this.score(instance, request.now);
      if (score < bestScore) {
        best = instance;
        bestScore = score;
      }
    }
    return best;
  }
}
