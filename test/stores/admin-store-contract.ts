/** The admin part of the store contract: key expiry and budgets, the one first admin key, imported keys, the audit log. */

import assert from 'node:assert/strict';
import { it } from 'node:test';
import { hashApiKey } from '../../src/stores/api-key-hash.js';
import type { Store } from '../../src/stores/store-types.js';
import { rejectsAsInvalid } from './store-assertions.js';

interface Clock {
  readonly current: number;
  advance(milliseconds: number): void;
}

export interface AdminContractSubject {
  store: Store;
  clock: Clock;
  /** Another Store on the same data, as a second pod would open it (the same store for memory). */
  openPeer: () => Promise<Store>;
  rawStorage: () => Promise<Uint8Array | string>;
}

export function runAdminStoreContract(subject: () => AdminContractSubject): void {
  it('keeps expiry and budget, and stops verifying a key once it expires', async () => {
    const { store, clock } = subject();
    const expiresAt = clock.current + 60_000;
    const { key, record } = await store.keys.create({ tenant: 'acme', tier: 'pro', expiresAt, budget: { tokensPerMonth: 5000, usdPerMonth: 2.5 } });
    assert.deepEqual(record, { id: record.id, tenant: 'acme', role: 'user', tier: 'pro', createdAt: clock.current, expiresAt, budget: { tokensPerMonth: 5000, usdPerMonth: 2.5 } });
    assert.deepEqual(await store.keys.verify(key), record);
    assert.deepEqual(await store.keys.get(record.id), record);
    assert.equal(await store.keys.get('key_unknown'), undefined);
    clock.advance(60_000);
    assert.equal(await store.keys.verify(key), undefined, 'an expired key verified');
    assert.deepEqual(await store.keys.list('acme'), [record], 'an expired key is still listed');
  });

  it('refuses bad expiry and budget fields by name', async () => {
    const { store, clock } = subject();
    await rejectsAsInvalid(store.keys.create({ tenant: 'acme', expiresAt: clock.current - 1 }), 'expiresAt');
    await rejectsAsInvalid(store.keys.create({ tenant: 'acme', budget: { tokensPerMonth: -1 } }), 'budget.tokensPerMonth');
    await rejectsAsInvalid(store.keys.create({ tenant: 'acme', budget: { dollars: 3 } as never }), 'budget.dollars');
    await rejectsAsInvalid(store.keys.create({ tenant: 'acme', budget: {} }), 'budget');
    assert.deepEqual(await store.keys.list(), [], 'a refused key was stored');
  });

  it('makes exactly one first admin key, however many pods ask at once', async () => {
    const { store, openPeer } = subject();
    const peers = [store, await openPeer(), await openPeer()];
    try {
      const answers = await Promise.all(peers.flatMap((peer) => Array.from({ length: 4 }, () => peer.keys.createFirstAdmin({ tenant: 'default' }))));
      const made = answers.filter((answer) => answer !== undefined);
      assert.equal(made.length, 1, `${made.length} first admin keys were made`);
      assert.equal(made[0]!.record.role, 'admin');
      assert.deepEqual(await store.keys.verify(made[0]!.key), made[0]!.record);
      assert.deepEqual((await store.keys.list()).map((record) => record.id), [made[0]!.record.id]);
      // Later starts make none either, even after the first one is revoked.
      await store.keys.revoke(made[0]!.record.id);
      assert.equal(await peers[1]!.keys.createFirstAdmin({ tenant: 'default' }), undefined);
    } finally {
      for (const peer of peers.slice(1)) if (peer !== store) await peer.close();
    }
  });

  it('imports an operator key once, hashed, and keeps a revocation across imports', async () => {
    const { store, openPeer, rawStorage } = subject();
    const secret = 'sb-bootstrap-' + 'k'.repeat(40);
    const peer = await openPeer();
    try {
      const imports = await Promise.all([store, peer, store, peer].map((target) => target.keys.importKey(secret, { tenant: 'ops', role: 'admin' })));
      assert.equal(imports.filter((result) => result.created).length, 1, 'the key was created more than once');
      const record = imports[0]!.record;
      for (const result of imports) assert.deepEqual(result.record, record);
      assert.equal(record.role, 'admin');
      assert.deepEqual(await store.keys.verify(secret), record);
      const raw = await rawStorage();
      const bytes = typeof raw === 'string' ? Buffer.from(raw, 'utf8') : Buffer.from(raw);
      assert.ok(bytes.includes(hashApiKey(secret)));
      assert.equal(bytes.includes(secret), false, 'the imported key is stored in plain');
      assert.equal(await store.keys.revoke(record.id), true);
      const again = await peer.keys.importKey(secret, { tenant: 'ops', role: 'admin' });
      assert.equal(again.created, false);
      assert.equal(again.record.revokedAt !== undefined, true, 'a re-import revived a revoked key');
      assert.equal(await store.keys.verify(secret), undefined);
      await rejectsAsInvalid(store.keys.importKey('too-short', { tenant: 'ops' }), 'key');
    } finally {
      if (peer !== store) await peer.close();
    }
  });

  it('writes the audit log and reads it newest first', async () => {
    const { store, clock } = subject();
    assert.deepEqual(await store.audit.list(), []);
    const actor = { keyId: 'key_admin', tenant: 'ops' };
    await store.audit.record({ at: clock.current, actor, action: 'key.create', target: 'key_a', details: { tenant: 'acme', tier: 'pro' } });
    clock.advance(5);
    await store.audit.record({ at: clock.current, actor, action: 'key.revoke', target: 'key_a' });
    clock.advance(5);
    await store.audit.record({ at: clock.current, actor, action: 'experiment.stop', target: 'model-v2', details: { variant: 'v2' } });
    const entries = await store.audit.list();
    assert.deepEqual(
      entries.map((entry) => [entry.action, entry.target, entry.at]),
      [
        ['experiment.stop', 'model-v2', clock.current],
        ['key.revoke', 'key_a', clock.current - 5],
        ['key.create', 'key_a', clock.current - 10],
      ],
    );
    assert.deepEqual(entries[2]!.details, { tenant: 'acme', tier: 'pro' });
    assert.deepEqual(entries[2]!.actor, actor);
    assert.equal(entries[1]!.details, undefined);
    assert.deepEqual((await store.audit.list({ limit: 1 })).map((entry) => entry.action), ['experiment.stop']);
    await rejectsAsInvalid(store.audit.list({ limit: 0 }), 'limit');
    await rejectsAsInvalid(store.audit.record({ at: clock.current, actor, action: '', target: 'x' }), 'action');
  });
}
