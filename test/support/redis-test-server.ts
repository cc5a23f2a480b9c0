/** The Redis the tests use: the one on 127.0.0.1:6379 (.ci/run starts it). A test that needs it fails, never skips, when it is missing. */

import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { connectRedis } from '../../src/stores/redis/redis-connection.js';

export const testRedisUrl = process.env.SWITCHBOARD_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Connects or throws an error that says what to do. */
export async function connectTestRedis(): Promise<Redis> {
  try {
    return await connectRedis(testRedisUrl, { connectTimeoutMs: 2_000 });
  } catch (error) {
    throw new Error(
      `This test needs a Redis server at ${testRedisUrl} and found none (${(error as Error).message}). ` +
        'Start one with `redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no` (.ci/run does this), ' +
        'or point SWITCHBOARD_TEST_REDIS_URL at one.',
      { cause: error },
    );
  }
}

/** A key prefix no other test run shares, so parallel runs on one Redis stay apart. */
export function uniqueKeyPrefix(label: string): string {
  return `switchboard-test:${label}:${randomBytes(6).toString('hex')}:`;
}

export async function keysUnder(redis: Redis, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
    keys.push(...batch);
    cursor = next;
  } while (cursor !== '0');
  return keys.sort();
}

export async function deleteKeysUnder(redis: Redis, prefix: string): Promise<void> {
  const keys = await keysUnder(redis, prefix);
  for (let offset = 0; offset < keys.length; offset += 500) await redis.del(...keys.slice(offset, offset + 500));
}

/** Every key under the prefix with its value, whatever its type, as text. */
export async function dumpKeysUnder(redis: Redis, prefix: string): Promise<string> {
  const lines: string[] = [];
  for (const key of await keysUnder(redis, prefix)) {
    const type = await redis.type(key);
    let value: unknown;
    if (type === 'string') value = await redis.get(key);
    else if (type === 'hash') value = await redis.hgetall(key);
    else if (type === 'list') value = await redis.lrange(key, 0, -1);
    else if (type === 'set') value = await redis.smembers(key);
    else if (type === 'zset') value = await redis.zrange(key, 0, -1, 'WITHSCORES');
    else value = `<${type}>`;
    lines.push(`${key} ${JSON.stringify(value)}`);
  }
  return lines.join('\n');
}
