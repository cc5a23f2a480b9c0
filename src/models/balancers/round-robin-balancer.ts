/** Round robin: each eligible instance in turn, blind to load. The baseline the other strategies must beat. */

import type { InstanceState } from '../instance-state.js';
import type { Balancer } from './balancer.js';

export class RoundRobinBalancer implements Balancer {
  readonly name = 'round-robin';
  #next = 0;

  pick(candidates: readonly InstanceState[]): InstanceState {
    const chosen = candidates[this.#next % candidates.length]!;
    this.#next = (this.#next + 1) % 1_000_000_007;
    return chosen;
  }
}
