/** Builds the rate limiter `limits.backend` names: local buckets, or Redis ones (ioredis is loaded only then). */

import type { SwitchboardConfig } from '../config/config-schema.js';
import type { Logger } from '../telemetry/logger.js';
import { LocalRateLimiter } from './local-rate-limiter.js';
import type { RateLimiter } from './rate-limiter.js';

/** A failing Redis is logged at most this often, not once per request. */
const errorLogIntervalMs = 10_000;

export async function createRateLimiter(config: Pick<SwitchboardConfig, 'limits' | 'redis' | 'store'>, logger: Pick<Logger, 'warn'>): Promise<RateLimiter> {
  if (config.limits.backend !== 'redis') return new LocalRateLimiter();
  // The schema makes sure one of the two is there.
  const redis = config.redis ?? (config.store.kind === 'redis' ? { url: config.store.url, keyPrefix: config.store.keyPrefix } : undefined);
  if (redis === undefined) throw new Error('limits.backend is redis but neither redis.url nor a redis store is configured');
  const [{ connectRedis }, { RedisRateLimiter }] = await Promise.all([import('../stores/redis/index.js'), import('./redis-rate-limiter.js')]);
  const connection = await connectRedis(redis.url);
  let lastLoggedAt = -Infinity;
  return new RedisRateLimiter(connection, {
    keyPrefix: redis.keyPrefix,
    onError: (error) => {
      const now = Date.now();
      if (now - lastLoggedAt < errorLogIntervalMs) return;
      lastLoggedAt = now;
      logger.warn({ err: error.message }, 'Redis rate limiter unavailable; admitting without rate limits until it answers');
    },
  });
}

/** Whether any tier (or the default) limits tokens, so token charging is wired only when it matters. */
export function limitsTokens(config: Pick<SwitchboardConfig, 'limits'>): boolean {
  return config.limits.tenants.tokensPerMinute > 0 || Object.values(config.limits.tiers).some((tier) => (tier.tokensPerMinute ?? 0) > 0);
}
