/**
 * Token buckets in Redis, shared by every Switchboard instance: each decision is one Lua script
 * (EVALSHA), so concurrent requests on any number of processes never spend the same budget twice.
 * Time comes from Redis' own clock, so instances with skewed clocks still agree.
 */

import type { Redis } from 'ioredis';
import { redisKeyNames, type RedisKeyNames } from '../stores/redis/redis-key-names.js';
import { RedisScript } from '../stores/redis/redis-script.js';
import type { RateDecision, RateLimiter, RateLimits } from './rate-limiter.js';

/** Shared by both scripts: the bucket at KEYS[n] refilled to now, at `capacity` per minute. */
const refillFunction = `
-- Redis before 7 replicates scripts verbatim unless told to replicate their effects; TIME needs the latter.
if redis.replicate_commands then redis.replicate_commands() end
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
local function refill(key, capacity)
  local state = redis.call('HMGET', key, 'level', 'at')
  local level = tonumber(state[1])
  if not level then return capacity end
  local elapsed = math.max(0, now - tonumber(state[2]))
  return math.min(capacity, level + elapsed * capacity / 60000)
end
-- Kept until the bucket would be full again (then absent means full), and at least as long as a long call.
local function store(key, level, capacity)
  redis.call('HSET', key, 'level', level, 'at', now, 'capacity', capacity)
  redis.call('PEXPIRE', key, math.max(300000, math.ceil((capacity - level) / capacity * 60000) + 1000))
end
`;

/** KEYS: requests bucket, tokens bucket. ARGV: requests per minute, tokens per minute (0 = no limit). Returns {1} or {0, limit, retry-after seconds}. */
const admitScript = new RedisScript(`${refillFunction}
local requestsPerMinute = tonumber(ARGV[1])
local tokensPerMinute = tonumber(ARGV[2])
if tokensPerMinute > 0 then
  local level = refill(KEYS[2], tokensPerMinute)
  if level <= 0 then return {0, 'tokens', tostring((1 - level) / tokensPerMinute * 60)} end
  store(KEYS[2], level, tokensPerMinute)
end
if requestsPerMinute > 0 then
  local level = refill(KEYS[1], requestsPerMinute)
  if level < 1 then return {0, 'requests', tostring((1 - level) / requestsPerMinute * 60)} end
  store(KEYS[1], level - 1, requestsPerMinute)
end
return {1}
`);

/** KEYS: tokens bucket. ARGV: tokens used. Only a bucket that exists (the tenant has a token limit) is charged. */
const chargeScript = new RedisScript(`${refillFunction}
local capacity = tonumber(redis.call('HGET', KEYS[1], 'capacity'))
if not capacity then return 0 end
store(KEYS[1], refill(KEYS[1], capacity) - tonumber(ARGV[1]), capacity)
return 1
`);

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
  readonly #keys: RedisKeyNames;

  constructor(
    private readonly redis: Redis,
    private readonly options: RedisRateLimiterOptions,
  ) {
    this.#keys = redisKeyNames(options.keyPrefix);
  }

  async admit(tenant: string, limits: RateLimits): Promise<RateDecision> {
    if (limits.requestsPerMinute <= 0 && limits.tokensPerMinute <= 0) return { allowed: true };
    let answer: [number, string?, string?];
    try {
      answer = (await admitScript.run(
        this.redis,
        [this.#keys.rateBucket(tenant, 'requests'), this.#keys.rateBucket(tenant, 'tokens')],
        [limits.requestsPerMinute, limits.tokensPerMinute],
      )) as [number, string?, string?];
    } catch (error) {
      this.options.onError?.(error as Error);
      return { allowed: true };
    }
    if (answer[0] === 1) return { allowed: true };
    return { allowed: false, limit: answer[1] === 'tokens' ? 'tokens' : 'requests', retryAfterSeconds: Number(answer[2]) };
  }

  async chargeTokens(tenant: string, tokens: number): Promise<void> {
    if (!(tokens > 0)) return;
    try {
      await chargeScript.run(this.redis, [this.#keys.rateBucket(tenant, 'tokens')], [tokens]);
    } catch (error) {
      this.options.onError?.(error as Error);
    }
  }

  async close(): Promise<void> {
    if (this.options.ownsConnection !== false && this.redis.status !== 'end') await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
