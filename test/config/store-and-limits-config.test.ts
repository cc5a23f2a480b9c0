/** The config's store, limits and redis sections: the DynamoDB and Redis backends, and where rate buckets live. */

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, parseConfig } from '../../src/config/load-config.js';

const base = {
  pools: { sim: { model: 'sim', instances: [{ url: 'http://127.0.0.1:9' }] } },
  routes: { demo: { pool: 'sim' } },
  agents: { helper: { route: 'demo' } },
  intent: { defaultAgent: 'helper' },
};

function problemsOf(input: Record<string, unknown>): string[] {
  try {
    parseConfig({ ...base, ...input });
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    return error.problems;
  }
  return [];
}

describe('store, limits and redis config', () => {
  it('reads a DynamoDB store with an optional endpoint and retry attempts', () => {
    const config = parseConfig({ ...base, store: { kind: 'dynamodb', table: 'switchboard', region: 'eu-west-1', endpoint: 'http://127.0.0.1:8000', maxAttempts: 5 } });
    assert.deepEqual(config.store, { kind: 'dynamodb', table: 'switchboard', region: 'eu-west-1', endpoint: 'http://127.0.0.1:8000', maxAttempts: 5 });
    assert.deepEqual(parseConfig({ ...base, store: { kind: 'dynamodb', table: 'sb1', region: 'us-east-1' } }).store, { kind: 'dynamodb', table: 'sb1', region: 'us-east-1' });
  });

  it('names the bad field of a DynamoDB or Redis store', () => {
    assert.deepEqual(problemsOf({ store: { kind: 'dynamodb', region: 'us-east-1' } }), ['store.table: Invalid input: expected string, received undefined']);
    assert.match(problemsOf({ store: { kind: 'dynamodb', table: 'a b', region: 'us-east-1' } })[0]!, /^store\.table: must be a DynamoDB table name/);
    assert.match(problemsOf({ store: { kind: 'dynamodb', table: 'sb1', region: 'us-east-1', endpoint: 'localhost:8000' } })[0]!, /^store\.endpoint: must be an http/);
    assert.match(problemsOf({ store: { kind: 'dynamodb', table: 'sb1', region: 'us-east-1', maxAttempts: 0 } })[0]!, /^store\.maxAttempts/);
    assert.match(problemsOf({ store: { kind: 'dynamodb', table: 'sb1', region: 'us-east-1', tabel: 'x' } })[0]!, /^store: Unrecognized key: "tabel"/);
    assert.match(problemsOf({ store: { kind: 'redis', url: 'http://cache:6379' } })[0]!, /^store\.url: must be a redis:\/\/ or rediss:\/\/ URL/);
  });

  it('reads a Redis store with the default key prefix', () => {
    assert.deepEqual(parseConfig({ ...base, store: { kind: 'redis', url: 'rediss://cache.example:6380' } }).store, { kind: 'redis', url: 'rediss://cache.example:6380', keyPrefix: 'switchboard:' });
  });

  it('keeps rate buckets local by default and in Redis when asked, which needs a Redis', () => {
    assert.equal(parseConfig(base).limits.backend, 'local');
    assert.equal(parseConfig(base).limits.tenants.tokensPerMinute, 0);
    const withRedis = parseConfig({ ...base, limits: { backend: 'redis', tenants: { tokensPerMinute: 10_000 }, tiers: { gold: { tokensPerMinute: 50_000 } } }, redis: { url: 'redis://cache:6379' } });
    assert.equal(withRedis.limits.backend, 'redis');
    assert.deepEqual(withRedis.redis, { url: 'redis://cache:6379', keyPrefix: 'switchboard:' });
    assert.equal(withRedis.limits.tiers.gold?.tokensPerMinute, 50_000);
    // A Redis store's own URL serves the limiter too.
    assert.equal(parseConfig({ ...base, limits: { backend: 'redis' }, store: { kind: 'redis', url: 'redis://cache:6379' } }).limits.backend, 'redis');
    assert.deepEqual(problemsOf({ limits: { backend: 'redis' } }), ['limits.backend: the redis backend needs redis.url (or a store of kind redis)']);
    assert.match(problemsOf({ limits: { backend: 'memcached' } })[0]!, /^limits\.backend/);
    assert.match(problemsOf({ redis: { url: 'redis://cache:6379', keyPrefix: 'has space' } })[0]!, /^redis\.keyPrefix/);
  });

  it('substitutes a secret Redis URL from the environment', () => {
    const config = parseConfig({ ...base, limits: { backend: 'redis' }, redis: { url: '${REDIS_URL}' } }, 'inline', { REDIS_URL: 'rediss://:token@cache:6380' });
    assert.equal(config.redis?.url, 'rediss://:token@cache:6380');
  });
});
