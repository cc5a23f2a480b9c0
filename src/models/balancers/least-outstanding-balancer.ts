/** Least outstanding: the instance with the fewest calls in flight from this router per unit of weight; ties rotate. */

import type { InstanceState } from '../instance-state.js';
import type { Balancer } from './balancer.js';

/** The candidate with the lowest `load`, scanning from a rotating start so equal loads share the calls. */
export function leastLoaded(candidates: readonly InstanceState[], start: number): InstanceState {
  const count = candidates.length;
  let best = candidates[start % count]!;
  for (let step = 1; step < count; step++) {
    const instance = candidates[(start + step) % count]!;
    if (instance.load < best.load) best = instance;
  }
  return best;
}

export class LeastOutstandingBalancer implements Balancer {
  readonly name = 'least-outstanding';
  #next = 0;

  pick(candidates: readonly InstanceState[]): InstanceState {
    this.#next = (this.#next + 1) % 1_000_000_007;
    return leastLoaded(candidates, this.#next);
  }
}
