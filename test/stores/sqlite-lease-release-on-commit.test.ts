/** A committed turn gives its session lease back in the commit's own write (AppendTurnOptions.releaseLease); any other outcome leaves it to the caller. */

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { isSwitchboardError } from '../../src/errors.js';
import { openSqliteStore } from '../../src/stores/sqlite/sqlite-store.js';

describe('sqlite session store, lease released with the commit', () => {
  it('releases the named lease when the turn commits, and keeps it on a conflict', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'switchboard-lease-commit-'));
    try {
      const store = openSqliteStore({ path: join(directory, 'lease.db') });
      try {
        const session = await store.sessions.create({ tenant: 'acme' });
        assert.deepEqual(await store.sessions.acquireLease('acme', session.id, { holder: 'turn-a' }, 30_000), { kind: 'acquired' });
        const turn = { messages: [{ role: 'user' as const, content: 'hi', at: 1 }], agent: 'support' };

        const stale = await store.sessions.appendTurn('acme', session.id, 5, turn, { history: false, releaseLease: 'turn-a' });
        assert.equal(stale.kind, 'conflict');
        assert.equal((await store.sessions.acquireLease('acme', session.id, { holder: 'turn-b' }, 30_000)).kind, 'held', 'a turn that did not commit keeps its lease until the caller releases it');

        const committed = await store.sessions.appendTurn('acme', session.id, 0, turn, { history: false, releaseLease: 'turn-a' });
        assert.equal(committed.kind, 'committed');
        assert.equal(committed.kind === 'committed' && committed.leaseReleased, true);
        assert.deepEqual(await store.sessions.acquireLease('acme', session.id, { holder: 'turn-b' }, 30_000), { kind: 'acquired' }, 'the lease went with the commit');

        // Another holder's name releases nothing: the lease is only ever given back by its own turn.
        const other = await store.sessions.appendTurn('acme', session.id, 1, turn, { history: false, releaseLease: 'turn-a' });
        assert.equal(other.kind, 'committed');
        assert.equal((await store.sessions.acquireLease('acme', session.id, { holder: 'turn-c' }, 30_000)).kind, 'held');

        const without = await store.sessions.appendTurn('acme', session.id, 2, turn, { history: false });
        assert.equal(without.kind === 'committed' && without.leaseReleased, undefined);

        await assert.rejects(store.sessions.appendTurn('acme', session.id, 3, turn, { history: false, releaseLease: '' }), (error) => isSwitchboardError(error) && error.message.includes('releaseLease'));
      } finally {
        await store.close();
      }
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});
