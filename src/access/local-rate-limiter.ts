/** Token buckets in this process's memory: exact for one process, per process when there are several (use the Redis limiter then). */

import { refilledLevel, secondsUntilOne, type RateDecision, type RateLimiter, type RateLimits } from './rate-limiter.js';

interface Bucket {
  level: number;
  refilledAt: number;
  capacity: number;
}

interface TenantBuckets {
  requests?: Bucket;
  tokens?: Bucket;
}

/** Past this many tenants, buckets that are full again are forgotten: they would start full anyway. */
const maxTrackedTenants = 100_000;

export class LocalRateLimiter implements RateLimiter {
  readonly #tenants = new Map<string, TenantBuckets>();

  constructor(private readonly now: () => number = Date.now) {}

  #refill(bucket: Bucket | undefined, capacity: number, now: number): Bucket {
    if (bucket === undefined) return { level: capacity, refilledAt: now, capacity };
    bucket.level = refilledLevel(bucket.level, now - bucket.refilledAt, capacity);
    bucket.refilledAt = now;
    bucket.capacity = capacity;
    return bucket;
  }

  async admit(tenant: string, limits: RateLimits): Promise<RateDecision> {
    if (limits.requestsPerMinute <= 0 && limits.tokensPerMinute <= 0) return { allowed: true };
    const now = this.now();
    let buckets = this.#tenants.get(tenant);
    if (buckets === undefined) {
      if (this.#tenants.size >= maxTrackedTenants) this.#sweep(now);
      buckets = {};
      this.#tenants.set(tenant, buckets);
    }
    if (limits.tokensPerMinute > 0) {
      buckets.tokens = this.#refill(buckets.tokens, limits.tokensPerMinute, now);
      if (buckets.tokens.level <= 0) return { allowed: false, limit: 'tokens', retryAfterSeconds: secondsUntilOne(buckets.tokens.level, limits.tokensPerMinute) };
    }
    if (limits.requestsPerMinute > 0) {
      buckets.requests = this.#refill(buckets.requests, limits.requestsPerMinute, now);
      if (buckets.requests.level < 1) return { allowed: false, limit: 'requests', retryAfterSeconds: secondsUntilOne(buckets.requests.level, limits.requestsPerMinute) };
      buckets.requests.level -= 1;
    }
    return { allowed: true };
  }

  async chargeTokens(tenant: string, tokens: number): Promise<void> {
    const bucket = this.#tenants.get(tenant)?.tokens;
    if (bucket === undefined || !(tokens > 0)) return;
    this.#refill(bucket, bucket.capacity, this.now());
    bucket.level -= tokens;
  }

  #sweep(now: number): void {
    const isFull = (bucket: Bucket | undefined) => bucket === undefined || refilledLevel(bucket.level, now - bucket.refilledAt, bucket.capacity) >= bucket.capacity;
    for (const [tenant, buckets] of this.#tenants) if (isFull(buckets.requests) && isFull(buckets.tokens)) this.#tenants.delete(tenant);
  }

  async close(): Promise<void> {
    this.#tenants.clear();
  }
}
