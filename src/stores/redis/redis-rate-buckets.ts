/**
 * Per-tenant token buckets kept in Redis, the public face of the Redis store for rate limiting:
 * each decision is one Lua script (EVALSHA), so concurrent requests on any number of processes
 * never spend the same budget twice. Time comes from Redis' own clock, so instances with skewed
 * clocks still agree. Policy (what to do when Redis fails) belongs to the caller.
 */

import type { Redis } from 'ioredis';
import { redisKeyNames, type RedisKeyNames } from './redis-key-names.js';
import { RedisScript } from './redis-script.js';

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

export type RedisBucketAnswer = { allowed: true } | { allowed: false; limit: 'requests' | 'tokens'; retryAfterSeconds: number };

export class RedisRateBuckets {
  readonly #keys: RedisKeyNames;

  constructor(
    private readonly redis: Redis,
    keyPrefix: string,
  ) {
    this.#keys = redisKeyNames(keyPrefix);
  }

  /** Takes one request from the tenant's request bucket unless it or the token bucket is used up; 0 is no limit. Throws when Redis fails. */
  async take(tenant: string, requestsPerMinute: number, tokensPerMinute: number): Promise<RedisBucketAnswer> {
    const answer = (await admitScript.run(
      this.redis,
      [this.#keys.rateBucket(tenant, 'requests'), this.#keys.rateBucket(tenant, 'tokens')],
      [requestsPerMinute, tokensPerMinute],
    )) as [number, string?, string?];
    if (answer[0] === 1) return { allowed: true };
    return { allowed: false, limit: answer[1] === 'tokens' ? 'tokens' : 'requests', retryAfterSeconds: Number(answer[2]) };
  }

  /** Charges used tokens to the tenant's token bucket, if it has one. Throws when Redis fails. */
  async charge(tenant: string, tokens: number): Promise<void> {
    await chargeScript.run(this.redis, [this.#keys.rateBucket(tenant, 'tokens')], [tokens]);
  }
}
