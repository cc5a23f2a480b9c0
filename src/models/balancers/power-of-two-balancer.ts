/**
 * Power of two choices over a peak-EWMA score (Finagle, linkerd): two random instances, the
 * one with the lower (time to first output × (in flight + 1)) / weight wins. A slow instance
 * is avoided at once and retried as its record decays.
 */

import type { InstanceState } from '../instance-state.js';
import type { Balancer, BalanceRequest } from './balancer.js';

export function peakEwmaCost(instance: InstanceState, now: number): number {
  // +1 ms keeps an instance with no samples yet comparable by its in-flight count.
  return ((instance.peakTtftMs(now) + 1) * (instance.inFlight + 1)) / instance.weight;
}

export class PowerOfTwoBalancer implements Balancer {
  readonly name = 'power-of-two';
  readonly #random: () => number;

  constructor(random: () => number) {
    this.#random = random;
  }

  pick(candidates: readonly InstanceState[], request: BalanceRequest): InstanceState {
    const count = candidates.length;
    if (count === 1) return candidates[0]!;
    const first = Math.min(count - 1, Math.floor(this.#random() * count));
    let second = Math.min(count - 2, Math.floor(this.#random() * (count - 1)));
    if (second >= first) second++;
    const a = candidates[first]!;
    const b = candidates[second]!;
    return peakEwmaCost(b, request.now) < peakEwmaCost(a, request.now) ? b : a;
  }
}
