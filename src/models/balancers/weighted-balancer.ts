/** Weighted round robin, smooth (nginx's): shares follow the weights and a heavy instance's turns are spread out, not bunched. */

import type { InstanceState } from '../instance-state.js';
import type { Balancer } from './balancer.js';

export class WeightedBalancer implements Balancer {
  readonly name = 'weighted';
  /** Running credit per instance index. */
  readonly #credit: Float64Array;

  constructor(instanceCount: number) {
    this.#credit = new Float64Array(instanceCount);
  }

  pick(candidates: readonly InstanceState[]): InstanceState {
    let total = 0;
    let best = candidates[0]!;
    let bestCredit = Number.NEGATIVE_INFINITY;
    for (const instance of candidates) {
      const credit = (this.#credit[instance.index]! += instance.weight);
      total += instance.weight;
      if (credit > bestCredit) {
        best = instance;
        bestCredit = credit;
      }
    }
    this.#credit[best.index]! -= total;
    return best;
  }
}
