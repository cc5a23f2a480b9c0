/** The clients behind the simulated requests: each counts its attempts and answers a 429 with a backoff, until its last attempt. */

import type { RandomSource } from '../../stats/seeded-random.js';
import { retryDelayMs, type RetryPolicy } from './retry-backoff.js';

export class RetryingClients {
  /** Every 429 answered, retries included. */
  throttleResponses = 0;
  private readonly attempts: Uint32Array;

  constructor(
    requests: number,
    private readonly policy: RetryPolicy,
    private readonly random: RandomSource,
  ) {
    this.attempts = new Uint32Array(requests);
  }

  /** Request `request` is sent (again). */
  attempt(request: number): void {
    this.attempts[request]!++;
  }

  /** `request` was answered 429 at `nowMs`: when it is sent again, or NaN when that was its last attempt. */
  retryAt(request: number, nowMs: number): number {
    this.throttleResponses++;
    const attempts = this.attempts[request]!;
    if (attempts >= this.policy.maxAttempts) return Number.NaN;
    return nowMs + retryDelayMs(this.policy, attempts, this.random);
  }
}
