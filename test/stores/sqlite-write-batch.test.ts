/** The per-tick write transaction of the SQLite store: writes commit together, a failing write undoes only itself, a failed group writes nothing. */

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { SqliteWriteBatch } from '../../src/stores/sqlite/sqlite-write-batch.js';

describe('sqlite write batch', () => {
  let directory: string;
  let db: Database.Database;
  let insert: Database.Statement<[string]>;
  const rows = () => db.prepare<[], string>('SELECT name FROM items ORDER BY name').pluck().all();

  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), 'switchboard-write-batch-'));
    // No busy wait: a locked file fails the group at once.
    db = new Database(join(directory, 'batch.db'), { timeout: 0 });
    db.pragma('journal_mode = WAL');
    db.exec('CREATE TABLE items (name TEXT PRIMARY KEY)');
    insert = db.prepare('INSERT INTO items (name) VALUES (?)');
  });

  afterEach(() => {
    db.close();
    rmSync(directory, { recursive: true, force: true });
  });

  it('shows nothing before the tick commits, then settles each write with its value', async () => {
    const writes = new SqliteWriteBatch(db);
    const first = writes.write(() => insert.run('a').changes);
    const second = writes.write(() => insert.run('b').changes, true);
    assert.deepEqual(rows(), [], 'a queued write is visible before its transaction committed');
    assert.deepEqual(await Promise.all([first, second]), [1, 1]);
    assert.deepEqual(rows(), ['a', 'b']);
  });

  it('commits the whole tick at once when flushed, as a read that must see it does', async () => {
    const writes = new SqliteWriteBatch(db);
    const pending = writes.write(() => insert.run('now'));
    writes.flush();
    assert.deepEqual(rows(), ['now']);
    await pending;
  });

  it('rolls back an isolated write that throws half-way, and only that one', async () => {
    const writes = new SqliteWriteBatch(db);
    const before = writes.write(() => insert.run('before'));
    const broken = writes.write(() => {
      insert.run('half');
      throw new Error('the second statement failed');
    }, true);
    const duplicate = writes.write(() => insert.run('before'));
    const after = writes.write(() => insert.run('after'));
    await before;
    await assert.rejects(broken, /the second statement failed/);
    await assert.rejects(duplicate, /UNIQUE constraint failed/);
    await after;
    assert.deepEqual(rows(), ['after', 'before'], 'the failed write left a row, or took another write with it');
  });

  it('fails every write of the tick and writes nothing when the transaction cannot start', async () => {
    const peer = new Database(join(directory, 'batch.db'));
    try {
      peer.exec('BEGIN IMMEDIATE');
      const writes = new SqliteWriteBatch(db);
      const results = await Promise.allSettled([writes.write(() => insert.run('x')), writes.write(() => insert.run('y'), true)]);
      assert.deepEqual(
        results.map((result) => result.status === 'rejected' && (result.reason as { code?: string }).code),
        ['SQLITE_BUSY', 'SQLITE_BUSY'],
      );
      peer.exec('ROLLBACK');
      assert.deepEqual(rows(), []);
    } finally {
      peer.close();
    }
  });
});
