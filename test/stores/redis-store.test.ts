/** Runs the store contract against the Redis store on a real redis-server, plus Redis-only checks. */

import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { openRedisStore } from '../../src/stores/redis/redis-store.js';
import { openStore } from '../../src/stores/open-store.js';
import { connectTestRedis, deleteKeysUnder, dumpKeysUnder, keysUnder, testRedisUrl, uniqueKeyPrefix } from '../support/redis-test-server.js';
import { runStoreContract } from './store-contract.js';

// Fails the file, with the message saying how to start Redis, when none listens.
const admin = await connectTestRedis();
after(() => admin.quit());

runStoreContract('redis', async ({ now }) => {
  const keyPrefix = uniqueKeyPrefix('contract');
  const store = await openRedisStore({ url: testRedisUrl, keyPrefix, now });
  return {
    store,
    cleanup: async () => {
      await store.close();
      await deleteKeysUnder(admin, keyPrefix);
    },
    rawStorage: () => dumpKeysUnder(admin, keyPrefix),
    openPeer: () => openRedisStore({ url: testRedisUrl, keyPrefix, now }),
  };
});

describe('redis store', () => {
  it('keeps all its keys under the prefix and gives each session key a TTL', async () => {
    const keyPrefix = uniqueKeyPrefix('ttl');
    const store = await openStore({ kind: 'redis', url: testRedisUrl, keyPrefix }, { defaultTtlSeconds: 120 });
    try {
      const session = await store.sessions.create({ tenant: 'acme' });
      const outcome = await store.sessions.appendTurn('acme', session.id, 0, {
        agent: 'a',
        idempotencyKey: 'k',
        result: { ok: true },
        messages: [
          { role: 'user', content: 'hi', at: 1 },
          { role: 'assistant', content: 'hello', at: 2 },
        ],
      });
      assert.equal(outcome.kind, 'committed');
      const keys = await keysUnder(admin, keyPrefix);
      assert.deepEqual(keys, [
        `${keyPrefix}session:${session.id}`,
        `${keyPrefix}session:${session.id}:messages`,
        `${keyPrefix}session:${session.id}:turns`,
        `${keyPrefix}tenant:acme:sessions`,
      ]);
      for (const key of keys) {
        const ttl = await admin.pttl(key);
        assert.ok(ttl > 100_000 && ttl <= 120_000, `${key} has PTTL ${ttl}`);
      }
    } finally {
      await store.close();
      await deleteKeysUnder(admin, keyPrefix);
    }
  });

  it('fails to open with a clear message when Redis is not there', async () => {
    // Port 1 on loopback: nothing listens, the connection is refused at once.
    await assert.rejects(openRedisStore({ url: 'redis://127.0.0.1:1' }), /cannot connect to Redis at redis:\/\/127\.0\.0\.1:1/);
  });
});
