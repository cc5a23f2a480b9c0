/** The Redis store's public modules: what code outside the store may use of it (the layer test enforces this). */

export { connectRedis, redactRedisUrl, type RedisConnectionOptions } from './redis-connection.js';
export { RedisRateBuckets, type RedisBucketAnswer } from './redis-rate-buckets.js';
