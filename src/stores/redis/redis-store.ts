/** The Redis Store: sessions, API keys, usage and experiments on one standalone Redis (or a primary with replicas), all under a key prefix. */

import type { Redis } from 'ioredis';
import { RedisEmbeddingCache } from './redis-embedding-cache.js';
import type { Store } from '../store-types.js';
import { checkTtlSeconds, defaultSessionTtlSeconds } from '../store-input.js';
import { connectRedis } from './redis-connection.js';
import { RedisAuditLog } from './redis-audit-log.js';
import { RedisExperimentStore } from './redis-experiment-store.js';
import { redisKeyNames } from './redis-key-names.js';
import { RedisKeyStore } from './redis-key-store.js';
import { RedisSessionStore } from './redis-session-store.js';
import { RedisUsageLedger } from './redis-usage-ledger.js';

export interface RedisStoreOptions {
  url: string;
  keyPrefix?: string;
  now?: () => number;
  defaultTtlSeconds?: number;
}

export const defaultRedisKeyPrefix = 'switchboard:';

export interface RedisStore extends Store {
  readonly redis: Redis;
}

export async function openRedisStore(options: RedisStoreOptions): Promise<RedisStore> {
  const defaultTtlSeconds =
    options.defaultTtlSeconds === undefined ? defaultSessionTtlSeconds : checkTtlSeconds(options.defaultTtlSeconds, 'defaultTtlSeconds');
  const now = options.now ?? Date.now;
  const keys = redisKeyNames(options.keyPrefix ?? defaultRedisKeyPrefix);
  const redis = await connectRedis(options.url);
  return {
    kind: 'redis',
    redis,
    sessions: new RedisSessionStore(redis, keys, now, defaultTtlSeconds),
    keys: new RedisKeyStore(redis, keys, now),
    usage: new RedisUsageLedger(redis, keys),
    experiments: new RedisExperimentStore(redis, keys, now),
    embeddings: new RedisEmbeddingCache(redis, keys),
    audit: new RedisAuditLog(redis, keys),
    close: async () => {
      if (redis.status !== 'end') await redis.quit().catch(() => redis.disconnect());
    },
  };
}
