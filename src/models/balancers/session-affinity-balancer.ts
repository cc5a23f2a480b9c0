/**
 * Session affinity by rendezvous (highest-random-weight) hashing: a conversation keeps
 * hitting the instance that holds its prefix cache, and losing an instance moves only that
 * instance's sessions. When the preferred instance is much busier than the least loaded
 * one, the call goes to the least loaded instead: a warm cache is not worth a long queue.
 */

import type { InstanceState } from '../instance-state.js';
import type { Balancer, BalanceRequest } from './balancer.js';
import { leastLoaded } from './least-outstanding-balancer.js';

export interface SessionAffinityOptions {
  /** Passed over when its load exceeds this multiple of the least loaded instance's... */
  overloadRatio: number;
  /** ...and exceeds it by more than this many calls per unit of weight. */
  overloadGap: number;
}

/** 32-bit FNV-1a over the string's UTF-16 code units. */
export function hashString(text: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** murmur3's finaliser: spreads the bits of the combined key and instance hashes. */
function mix(value: number): number {
  let hash = value;
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return hash >>> 0;
}

export class SessionAffinityBalancer implements Balancer {
  readonly name = 'session-affinity';
  readonly #options: SessionAffinityOptions;
  /** Hash of each instance's URL, by index: stable across restarts and config reordering. */
  readonly #seeds: Uint32Array;
  #next = 0;

  constructor(instances: readonly Pick<InstanceState, 'url' | 'index'>[], options: SessionAffinityOptions) {
    this.#options = options;
    this.#seeds = new Uint32Array(instances.length);
    for (const instance of instances) this.#seeds[instance.index] = hashString(instance.url);
  }

  /** The instance the key belongs to among the candidates, ignoring load. */
  preferred(candidates: readonly InstanceState[], key: string): InstanceState {
    const keyHash = hashString(key);
    let best = candidates[0]!;
    let bestScore = Number.NEGATIVE_INFINITY;
    for (const instance of candidates) {
      // Weighted rendezvous: weight / -ln(u) with u uniform in (0, 1) gives each instance a share proportional to its weight.
      const uniform = (mix(keyHash ^ this.#seeds[instance.index]!) + 1) / 4_294_967_297;
      const score = instance.weight / -Math.log(uniform);
      if (score > bestScore) {
        best = instance;
        bestScore = score;
      }
    }
    return best;
  }

  pick(candidates: readonly InstanceState[], request: BalanceRequest): InstanceState {
    this.#next = (this.#next + 1) % 1_000_000_007;
    const least = leastLoaded(candidates, this.#next);
    if (request.affinityKey === undefined || request.affinityKey === '') return least;
    const preferred = this.preferred(candidates, request.affinityKey);
    const { overloadRatio, overloadGap } = this.#options;
    const overloaded = preferred.load - least.load > overloadGap && preferred.load > overloadRatio * least.load;
    return overloaded ? least : preferred;
  }
}
