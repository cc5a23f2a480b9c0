/**
 * The rate limiter shared by every Switchboard instance, over the Redis store's token buckets.
 * It fails open: a Redis outage costs the limits for a while, not every turn.
 */

import type { Redis } from 'ioredis';
import { RedisRateBuckets } from '../stores/redis/index.js';
import type { RateDecision, RateLimiter, RateLimits } from './rate-limiter.js';

export interface RedisRateLimiterOptions {
  keyPrefix: string;
  /**
   * Called when Redis cannot answer. The limiter then lets the request through (fails open):
   * a Redis outage should cost the limits for a while, not every turn.
   */
  onError?: (error: Error) => void;
  /** Closes the connection on close(); false when the caller shares it. */
  ownsConnection?: boolean;
}

export class RedisRateLimiter implements RateLimiter {
  readonly #buckets: RedisRateBuckets;

  constructor(
    private readonly redis: Redis,
    private readonly options: RedisRateLimiterOptions,
  ) {
    this.#buckets = new RedisRateBuckets(redis, options.keyPrefix);
  }

  async admit(tenant: string, limits: RateLimits): Promise<RateDecision> {
    if (limits.requestsPerMinute <= 0 && limits.tokensPerMinute <= 0) return { allowed: true };
    try {
      return await this.#buckets.take(tenant, limits.requestsPerMinute, limits.tokensPerMinute);
    } catch (error) {
      this.options.onError?.(error as Error);
      return { allowed: true };
    }
  }

  async chargeTokens(tenant: string, tokens: number): Promise<void> {
    if (!(tokens > 0)) return;
    try {
      await this.#buckets.charge(tenant, tokens);
    } catch (error) {
      this.options.onError?.(error as Error);
    }
  }

  async close(): Promise<void> {
    if (this.options.ownsConnection !== false && this.redis.status !== 'end') await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
