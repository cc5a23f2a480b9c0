/** Opens an ioredis connection that fails fast and clearly when Redis is not there, instead of queueing commands forever. */

import { Redis } from 'ioredis';

export interface RedisConnectionOptions {
  /** How long the first connection may take before opening fails. */
  connectTimeoutMs?: number;
  /** How often a command is retried across reconnects before it fails (ioredis' default of 20 would hold a request for seconds). */
  maxRetriesPerRequest?: number;
}

/** `redis://user:secret@host` → `redis://host`, so a URL can go into an error message or a log. */
export function redactRedisUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    return parsed.toString();
  } catch {
    return 'an unparseable URL';
  }
}

export async function connectRedis(url: string, options: RedisConnectionOptions = {}): Promise<Redis> {
  if (typeof url !== 'string' || !/^rediss?:\/\//.test(url)) throw new TypeError(`connectRedis: url must start with redis:// or rediss://, got ${JSON.stringify(url)}`);
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: options.connectTimeoutMs ?? 5_000,
    maxRetriesPerRequest: options.maxRetriesPerRequest ?? 2,
    // Reconnect after a drop with a short capped backoff; the first connect is decided by connect() below.
    retryStrategy: (attempt) => Math.min(attempt * 100, 2_000),
  });
  // Without a listener ioredis prints every reconnect error; failed commands still reject their own promises.
  redis.on('error', () => undefined);
  try {
    await redis.connect();
  } catch (error) {
    redis.disconnect();
    throw new Error(`cannot connect to Redis at ${redactRedisUrl(url)}: ${(error as Error).message}`, { cause: error });
  }
  return redis;
}
