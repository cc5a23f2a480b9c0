/** A file made by the schema before sessions counted their messages: opening it backfills the count, and turns continue its history. */

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { sqliteMigrations, sqliteSchemaVersion } from '../../src/stores/sqlite/sqlite-schema.js';
import { openSqliteStore } from '../../src/stores/sqlite/sqlite-store.js';
import type { TurnRecord } from '../../src/stores/store-types.js';

/** The schema version that added `sessions.message_count`; every file before it was made without the column. */
const countingVersion = 6;

function turnOf(label: string, at: number): TurnRecord {
  return { agent: 'support', messages: [{ role: 'user', content: `u-${label}`, at }, { role: 'assistant', content: `a-${label}`, at }] };
}

/** Writes a file as a build at schema 5 would have: its migrations only, sessions with messages at seq 0…n-1. */
function oldFile(path: string, now: number): void {
  const db = new Database(path);
  try {
    db.pragma('journal_mode = WAL');
    for (const migration of sqliteMigrations.slice(0, countingVersion - 1)) db.exec(migration);
    db.pragma(`user_version = ${countingVersion - 1}`);
    const insertSession = db.prepare(
      "INSERT INTO sessions (id, tenant, version, created_at, updated_at, expires_at, ttl_seconds, metadata) VALUES (?, 'acme', ?, ?, ?, ?, 3600, '{}')",
    );
    const insertMessage = db.prepare("INSERT INTO messages (session_id, seq, turn_version, role, content, at) VALUES (?, ?, ?, ?, ?, ?)");
    // Two turns of two messages, one turn of four (a tool call), and a session without any.
    insertSession.run('two-turns', 2, now, now, now + 3_600_000);
    insertMessage.run('two-turns', 0, 1, 'user', 'u-old1', now);
    insertMessage.run('two-turns', 1, 1, 'assistant', 'a-old1', now);
    insertMessage.run('two-turns', 2, 2, 'user', 'u-old2', now);
    insertMessage.run('two-turns', 3, 2, 'assistant', 'a-old2', now);
    insertSession.run('tool-turn', 1, now, now, now + 3_600_000);
    insertMessage.run('tool-turn', 0, 1, 'user', 'u-t', now);
    insertMessage.run('tool-turn', 1, 1, 'assistant', '', now);
    insertMessage.run('tool-turn', 2, 1, 'tool', '{}', now);
    insertMessage.run('tool-turn', 3, 1, 'assistant', 'a-t', now);
    insertSession.run('empty', 0, now, now, now + 3_600_000);
  } finally {
    db.close();
  }
}

describe('sqlite message count migration', () => {
  let directory: string;
  before(() => {
    directory = mkdtempSync(join(tmpdir(), 'switchboard-message-count-'));
  });
  after(() => {
    rmSync(directory, { recursive: true, force: true });
  });

  it('is the migration that adds the column, so the file below is one from before it', () => {
    assert.ok(sqliteSchemaVersion >= countingVersion);
    assert.match(sqliteMigrations[countingVersion - 1]!, /ADD COLUMN message_count/);
  });

  it('backfills each session’s count at open and appends after the old history', async () => {
    const now = 1_700_000_000_000;
    const path = join(directory, 'old.db');
    oldFile(path, now);
    const store = openSqliteStore({ path, now: () => now + 1000 });
    try {
      const inspector = new Database(path, { readonly: true });
      try {
        assert.equal(inspector.pragma('user_version', { simple: true }), sqliteSchemaVersion);
        const counts = inspector.prepare<[], [string, number]>('SELECT id, message_count FROM sessions ORDER BY id').raw().all();
        assert.deepEqual(counts, [['empty', 0], ['tool-turn', 4], ['two-turns', 4]]);
      } finally {
        inspector.close();
      }
      for (const [id, version] of [['two-turns', 2], ['tool-turn', 1], ['empty', 0]] as const) {
        const outcome = await store.sessions.appendTurn('acme', id, version, turnOf('new', now + 1000));
        assert.equal(outcome.kind, 'committed', `${id}: ${JSON.stringify(outcome)}`);
        const loaded = await store.sessions.get('acme', id);
        assert.deepEqual(loaded!.messages.slice(-2).map((message) => message.content), ['u-new', 'a-new'], id);
        assert.equal(loaded!.version, version + 1);
      }
      const twoTurns = await store.sessions.get('acme', 'two-turns');
      assert.deepEqual(twoTurns!.messages.map((message) => message.content), ['u-old1', 'a-old1', 'u-old2', 'a-old2', 'u-new', 'a-new']);
    } finally {
      await store.close();
    }
    // The count went on with the turns: a reopened store appends after them too.
    const reopened = openSqliteStore({ path, now: () => now + 2000 });
    try {
      assert.equal((await reopened.sessions.appendTurn('acme', 'two-turns', 3, turnOf('later', now + 2000))).kind, 'committed');
      const loaded = await reopened.sessions.get('acme', 'two-turns');
      assert.equal(loaded!.messages.length, 8);
      assert.equal(loaded!.messages[7]!.content, 'a-later');
    } finally {
      await reopened.close();
    }
  });

  it('appends after turns an older build wrote to the migrated file without keeping the count', async () => {
    const now = 1_700_000_000_000;
    const path = join(directory, 'mixed.db');
    oldFile(path, now);
    const store = openSqliteStore({ path, now: () => now + 1000 });
    try {
      // What a process of the previous build, still open on the file, writes for a turn: messages at MAX(seq) + 1, no count.
      const older = new Database(path);
      try {
        older.prepare("INSERT INTO messages (session_id, seq, turn_version, role, content, at) VALUES ('two-turns', 4, 3, 'user', 'u-older', ?)").run(now);
        older.prepare("INSERT INTO messages (session_id, seq, turn_version, role, content, at) VALUES ('two-turns', 5, 3, 'assistant', 'a-older', ?)").run(now);
        older.prepare("UPDATE sessions SET version = 3 WHERE id = 'two-turns'").run();
      } finally {
        older.close();
      }
      const outcome = await store.sessions.appendTurn('acme', 'two-turns', 3, turnOf('new', now + 1000));
      assert.equal(outcome.kind, 'committed', JSON.stringify(outcome));
      const loaded = await store.sessions.get('acme', 'two-turns');
      assert.deepEqual(loaded!.messages.slice(2).map((message) => message.content), ['u-old2', 'a-old2', 'u-older', 'a-older', 'u-new', 'a-new']);
      assert.equal((await store.sessions.appendTurn('acme', 'two-turns', 4, turnOf('next', now + 1000))).kind, 'committed');
      assert.equal((await store.sessions.get('acme', 'two-turns'))!.messages.length, 10);
    } finally {
      await store.close();
    }
  });
});
