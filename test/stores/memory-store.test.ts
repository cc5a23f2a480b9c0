/** Runs the store contract against the in-memory backend. */

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { inspect } from 'node:util';
import { createMemoryStore } from '../../src/stores/memory/memory-store.js';
import { openStore } from '../../src/stores/open-store.js';
import { runStoreContract } from './store-contract.js';

runStoreContract('memory', async ({ now }) => {
  const store = createMemoryStore({ now });
  return {
    store,
    cleanup: () => store.close(),
    openPeer: async () => store,
    // The Maps are the storage: inspect them all the way down.
    rawStorage: async () => inspect(store, { depth: null, maxArrayLength: null, maxStringLength: null, breakLength: Infinity }),
  };
});

describe('memory store', () => {
  it('applies its default TTL to sessions created without one', async () => {
    let clock = 1_000_000;
    const store = createMemoryStore({ now: () => clock, defaultTtlSeconds: 10 });
    const session = await store.sessions.create({ tenant: 'acme' });
    clock += 10_000;
    assert.equal((await store.sessions.get('acme', session.id))?.id, session.id);
    clock += 1;
    assert.equal(await store.sessions.get('acme', session.id), undefined);
  });

  it('hands out copies, so a caller mutating a session cannot change the store', async () => {
    const store = createMemoryStore();
    const session = await store.sessions.create({ tenant: 'acme', metadata: { a: '1' } });
    session.metadata.a = 'changed';
    session.messages.push({ role: 'user', content: 'sneaky', at: 1 });
    const loaded = await store.sessions.get('acme', session.id);
    assert.deepEqual(loaded?.metadata, { a: '1' });
    assert.deepEqual(loaded?.messages, []);
  });

  it('is what openStore gives for kind memory', async () => {
    const store = await openStore({ kind: 'memory' });
    assert.equal(store.kind, 'memory');
    await store.close();
    await assert.rejects(openStore({ kind: 'cassandra' } as never), /unknown store kind "cassandra"/);
  });
});
