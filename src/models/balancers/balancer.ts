/** The interface of a balancing strategy: pick one instance among the pool's eligible ones. */

import type { InstanceState } from '../instance-state.js';
import type { PromptSource } from './prompt-prefix-hasher.js';

/** What a strategy may know about the call; built once per call, not per attempt. */
export interface BalanceRequest {
  /** The session id, or the configured affinity header's value. */
  affinityKey: string | undefined;
  /** The router's clock at this pick, in milliseconds. */
  now: number;
  /** The call's tools and messages, read by the prefix-aware strategy; absent outside the router (tests, tools). */
  prompt?: PromptSource;
}

export interface Balancer {
  readonly name: string;
  /**
   * `candidates` is never empty and holds only instances that may take a call now (breaker,
   * Retry-After, capacity and saturation already checked). O(candidates), no allocation.
   */
  pick(candidates: readonly InstanceState[], request: BalanceRequest): InstanceState;
}
