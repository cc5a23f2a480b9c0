/** Runs the store contract against SQLite on a real file, plus what only a file-backed store must do. */

import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { openStore } from '../../src/stores/open-store.js';
import { sqliteSchemaVersion } from '../../src/stores/sqlite/sqlite-schema.js';
import { openSqliteStore, sqliteStorePath } from '../../src/stores/sqlite/sqlite-store.js';
import type { Session, TurnRecord } from '../../src/stores/store-types.js';
import { runStoreContract } from './store-contract.js';

function temporaryDirectory(): string {
  return mkdtempSync(join(tmpdir(), 'switchboard-sqlite-'));
}

/** The database file and its WAL: a committed row may still sit only in the WAL. */
function fileBytes(directory: string): Buffer {
  return Buffer.concat(
    readdirSync(directory)
      .filter((name) => name.startsWith('switchboard.db'))
      .map((name) => readFileSync(join(directory, name))),
  );
}

function turnOf(label: string, at: number, extra: Partial<TurnRecord> = {}): TurnRecord {
  return {
    agent: 'support',
    messages: [
      { role: 'user', content: `u-${label}`, at },
      { role: 'assistant', content: `a-${label}`, at },
    ],
    ...extra,
  };
}

function labelsOf(session: Session): string[] {
  const labels: string[] = [];
  for (let index = 0; index < session.messages.length; index += 2) {
    const label = session.messages[index]!.content.slice(2);
    assert.equal(session.messages[index + 1]?.content, `a-${label}`, `turn ${label} is interleaved with another`);
    labels.push(label);
  }
  return labels;
}

runStoreContract('sqlite', async ({ now }) => {
  const directory = temporaryDirectory();
  const store = openSqliteStore({ path: sqliteStorePath(directory), now });
  return {
    store,
    cleanup: async () => {
      await store.close();
      rmSync(directory, { recursive: true, force: true });
    },
    rawStorage: async () => fileBytes(directory),
    openPeer: async () => openSqliteStore({ path: sqliteStorePath(directory), now }),
  };
});

describe('sqlite store', () => {
  let directory: string;
  before(() => {
    directory = temporaryDirectory();
  });
  after(() => {
    rmSync(directory, { recursive: true, force: true });
  });

  it('keeps sessions, keys and usage across close and reopen', async () => {
    const path = join(directory, 'reopen', 'switchboard.db');
    const first = openSqliteStore({ path });
    const session = await first.sessions.create({ tenant: 'acme', metadata: { channel: 'web' } });
    const committed = await first.sessions.appendTurn('acme', session.id, 0, turnOf('1', Date.now(), { idempotencyKey: 'k', result: { n: 1 } }));
    assert.equal(committed.kind, 'committed');
    const { key, record } = await first.keys.create({ tenant: 'acme', role: 'admin' });
    await first.usage.record({ at: 5, tenant: 'acme', route: 'chat', pool: 'p', model: 'm', promptTokens: 3, completionTokens: 4, costUsd: 0.5 });
    await first.close();

    const second = openSqliteStore({ path });
    assert.deepEqual(await second.sessions.get('acme', session.id), (committed as { session: Session }).session);
    assert.deepEqual(await second.sessions.findTurn('acme', session.id, 'k'), { result: { n: 1 } });
    assert.deepEqual(await second.keys.verify(key), record);
    assert.deepEqual(await second.usage.summary('acme'), [
      { route: 'chat', pool: 'p', model: 'm', requests: 1, promptTokens: 3, completionTokens: 4, costUsd: 0.5 },
    ]);
    await second.close();
  });

  it('creates the data directory, runs in WAL mode and records its schema version', async () => {
    const path = sqliteStorePath(join(directory, 'made', 'on', 'demand'));
    assert.equal(existsSync(path), false);
    const store = openSqliteStore({ path });
    await store.sessions.create({ tenant: 'acme' });
    assert.equal(existsSync(`${path}-wal`), true);
    const inspector = new Database(path, { readonly: true });
    try {
      assert.equal(inspector.pragma('journal_mode', { simple: true }), 'wal');
      assert.equal(inspector.pragma('user_version', { simple: true }), sqliteSchemaVersion);
      assert.ok(sqliteSchemaVersion >= 1);
    } finally {
      inspector.close();
      await store.close();
    }
    // Opening again is a no-op for the schema.
    const reopened = openSqliteStore({ path });
    assert.equal((await reopened.sessions.list('acme')).sessions.length, 1);
    await reopened.close();
  });

  it('refuses a database from a newer build with a clear error', () => {
    const path = join(directory, 'newer.db');
    const raw = new Database(path);
    raw.pragma(`user_version = ${sqliteSchemaVersion + 1}`);
    raw.close();
    assert.throws(() => openSqliteStore({ path }), /newer than this build supports/);
  });

  it('refuses bad options with a clear error', () => {
    assert.throws(() => openSqliteStore({ path: '' }), /path must be a non-empty string/);
    assert.throws(() => openSqliteStore({ path: join(directory, 'x.db'), busyTimeoutMs: -5 }), /busyTimeoutMs/);
    assert.throws(() => openSqliteStore({ path: join(directory, 'x.db'), defaultTtlSeconds: 0 }), /defaultTtlSeconds/);
    // A data directory that cannot exist: its parent is a file.
    const blocker = join(directory, 'not-a-directory');
    writeFileSync(blocker, '');
    assert.throws(() => openSqliteStore({ path: join(blocker, 'switchboard.db') }), /cannot open the SQLite store at .*not-a-directory/);
  });

  it('applies the default TTL and sweeps expired sessions as new ones are made', async () => {
    let clock = 1_000_000;
    const path = join(directory, 'sweep.db');
    const store = openSqliteStore({ path, now: () => clock, defaultTtlSeconds: 10 });
    const doomed = await store.sessions.create({ tenant: 'acme' });
    await store.sessions.appendTurn('acme', doomed.id, 0, turnOf('1', clock, { idempotencyKey: 'k' }));
    clock += 10_001;
    // Enough creates to pass a sweep; nobody reads the expired session, so only the sweep can remove it.
    for (let index = 0; index < 70; index++) await store.sessions.create({ tenant: 'acme' });
    const inspector = new Database(path, { readonly: true });
    try {
      const count = (sql: string) => inspector.prepare<[string], number>(sql).pluck().get(doomed.id);
      assert.equal(count('SELECT COUNT(*) FROM sessions WHERE id = ?'), 0);
      assert.equal(count('SELECT COUNT(*) FROM messages WHERE session_id = ?'), 0);
      assert.equal(count('SELECT COUNT(*) FROM turns WHERE session_id = ?'), 0);
    } finally {
      inspector.close();
      await store.close();
    }
  });

  it('lets only one of two connections commit a given version', async () => {
    const path = join(directory, 'two-connections.db');
    const left = openSqliteStore({ path });
    const right = openSqliteStore({ path });
    try {
      const session = await left.sessions.create({ tenant: 'acme' });
      const rounds = 20;
      for (let round = 0; round < rounds; round++) {
        const [seenLeft, seenRight] = await Promise.all([left.sessions.get('acme', session.id), right.sessions.get('acme', session.id)]);
        assert.equal(seenLeft?.version, round);
        assert.equal(seenRight?.version, round);
        const outcomes = await Promise.all([
          left.sessions.appendTurn('acme', session.id, round, turnOf(`L${round}`, Date.now())),
          right.sessions.appendTurn('acme', session.id, round, turnOf(`R${round}`, Date.now())),
        ]);
        assert.deepEqual(outcomes.map((outcome) => outcome.kind).sort(), ['committed', 'conflict']);
      }
      const final = await right.sessions.get('acme', session.id);
      assert.equal(final?.version, rounds);
      assert.equal(labelsOf(final!).length, rounds);
      // An idempotency key committed through one connection is seen by the other.
      await left.sessions.appendTurn('acme', session.id, rounds, turnOf('keyed', Date.now(), { idempotencyKey: 'once', result: 'first' }));
      assert.deepEqual(await right.sessions.appendTurn('acme', session.id, rounds, turnOf('again', Date.now(), { idempotencyKey: 'once' })), {
        kind: 'duplicate',
        result: 'first',
      });
    } finally {
      await left.close();
      await right.close();
    }
  });

  it('never commits one version twice when separate threads race on the same file', async () => {
    const path = join(directory, 'threads.db');
    const setup = openSqliteStore({ path });
    const session = await setup.sessions.create({ tenant: 'acme' });
    await setup.close();
    const turnsPerWorker = 150;
    const workerLabels = ['A', 'B', 'C'];
    const barrier = new SharedArrayBuffer(4);
    const workerUrl = new URL('./sqlite-race-worker.js', import.meta.url);
    const results = await Promise.all(
      workerLabels.map(
        (label) =>
          new Promise<{ versions: number[]; conflicts: number }>((resolve, reject) => {
            const workerData = { path, tenant: 'acme', sessionId: session.id, label, turns: turnsPerWorker, barrier, workers: workerLabels.length };
            const worker = new Worker(workerUrl, { workerData });
            worker.once('message', resolve);
            worker.once('error', reject);
            worker.once('exit', (code) => {
              if (code !== 0) reject(new Error(`worker ${label} exited with ${code}`));
            });
          }),
      ),
    );
    const versions = results.flatMap((result) => result.versions).sort((a, b) => a - b);
    const total = turnsPerWorker * results.length;
    assert.deepEqual(versions, Array.from({ length: total }, (_, index) => index + 1));
    assert.ok(
      results.some((result) => result.conflicts > 0),
      'no worker ever lost a race, so nothing was tested',
    );
    const check = openSqliteStore({ path });
    try {
      const final = await check.sessions.get('acme', session.id);
      assert.equal(final?.version, total);
      const labels = labelsOf(final!);
      assert.equal(new Set(labels).size, total);
      // Each worker's own turns stay in the order it made them.
      for (const worker of workerLabels) {
        const own = labels.filter((label) => label.startsWith(`${worker}-`));
        assert.deepEqual(own, Array.from({ length: turnsPerWorker }, (_, index) => `${worker}-${index}`));
      }
    } finally {
      await check.close();
    }
  });

  it('is what openStore gives for kind sqlite', async () => {
    const store = await openStore({ kind: 'sqlite', path: join(directory, 'factory', 'switchboard.db') });
    try {
      assert.equal(store.kind, 'sqlite');
      assert.equal((await store.sessions.create({ tenant: 'acme' })).version, 0);
    } finally {
      await store.close();
    }
  });

  it('puts its file under the data directory', () => {
    assert.equal(sqliteStorePath('/var/lib/switchboard'), '/var/lib/switchboard/switchboard.db');
  });
});
