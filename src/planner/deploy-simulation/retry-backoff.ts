/** The client's answer to a 429: exponential backoff with full jitter, up to a number of attempts. */

import type { RandomSource } from '../../stats/seeded-random.js';

export interface RetryPolicy {
  /** First retry waits up to this long. */
  baseMs: number;
  /** No wait exceeds this. */
  capMs: number;
  /** Attempts in all, the first included; after the last 429 the request fails. */
  maxAttempts: number;
}

/** Wait before retry number `attempt` (1 for the first retry): uniform in [0, min(cap, base × 2^(attempt−1))). */
export function retryDelayMs(policy: RetryPolicy, attempt: number, random: RandomSource): number {
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** Math.min(attempt - 1, 30));
  return random.next() * ceiling;
}
