/** The SQLite usage ledger holds rows for a short window: another connection sees them after it, a read in this process and close write them at once. */

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setImmediate as nextTick } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { openSqliteStore } from '../../src/stores/sqlite/sqlite-store.js';
import type { UsageEntry } from '../../src/stores/store-types.js';

function entry(promptTokens: number): UsageEntry {
  return { at: 1_000 + promptTokens, tenant: 'acme', route: 'chat', pool: 'p', model: 'm', promptTokens, completionTokens: 1, costUsd: 0.25 };
}

/** A second connection, as another process on the file would read it. */
function rowsOnFile(path: string): number {
  const inspector = new Database(path, { readonly: true });
  try {
    return inspector.prepare<[], number>('SELECT COUNT(*) FROM usage').pluck().get()!;
  } finally {
    inspector.close();
  }
}

// Long enough that no test here reaches it unless it waits for it.
const hour = 3_600_000;

describe('sqlite usage coalescing', () => {
  let directory: string;
  before(() => {
    directory = mkdtempSync(join(tmpdir(), 'switchboard-usage-window-'));
  });
  after(() => {
    rmSync(directory, { recursive: true, force: true });
  });

  it('holds rows past the tick they were recorded in, until the window ends', async () => {
    const path = join(directory, 'window.db');
    const store = openSqliteStore({ path, usageCoalescing: { windowMs: hour } });
    try {
      void store.usage.record(entry(1));
      void store.usage.record(entry(2));
      // Several ticks: the per-tick write transaction has run, yet the window has not ended.
      for (let tick = 0; tick < 5; tick++) await nextTick();
      assert.equal(rowsOnFile(path), 0, 'usage rows were written before their window ended');
    } finally {
      await store.close();
    }
    assert.equal(rowsOnFile(path), 2, 'close lost rows of the pending window');
  });

  it('writes the window once it has passed, and record settles then', async () => {
    const path = join(directory, 'short.db');
    const store = openSqliteStore({ path, usageCoalescing: { windowMs: 20 } });
    try {
      await Promise.all([store.usage.record(entry(1)), store.usage.record(entry(2)), store.usage.record(entry(3))]);
      assert.equal(rowsOnFile(path), 3);
      // A later row opens a window of its own.
      await store.usage.record(entry(4));
      assert.equal(rowsOnFile(path), 4);
    } finally {
      await store.close();
    }
  });

  it('writes a full window at once, without waiting for its time', async () => {
    const path = join(directory, 'full.db');
    const store = openSqliteStore({ path, usageCoalescing: { windowMs: hour, maxRows: 3 } });
    try {
      // Hangs (until the test runner's timeout) if a full window waited for its hour.
      await Promise.all([store.usage.record(entry(1)), store.usage.record(entry(2)), store.usage.record(entry(3))]);
      assert.equal(rowsOnFile(path), 3);
      void store.usage.record(entry(4));
      for (let tick = 0; tick < 5; tick++) await nextTick();
      assert.equal(rowsOnFile(path), 3, 'the fourth row was written before its own window ended or filled');
    } finally {
      await store.close();
    }
    assert.equal(rowsOnFile(path), 4);
  });

  it('shows pending rows to a summary in the same process at once', async () => {
    const path = join(directory, 'summary.db');
    const store = openSqliteStore({ path, usageCoalescing: { windowMs: hour } });
    try {
      void store.usage.record(entry(5));
      const [row] = await store.usage.summary('acme');
      assert.equal(row?.requests, 1);
      assert.equal(row?.promptTokens, 5);
      assert.equal(rowsOnFile(path), 1);
    } finally {
      await store.close();
    }
  });

  it('refuses a bad window with an error naming it', () => {
    const path = join(directory, 'bad.db');
    assert.throws(() => openSqliteStore({ path, usageCoalescing: { windowMs: -1 } }), /usageCoalescing\.windowMs/);
    assert.throws(() => openSqliteStore({ path, usageCoalescing: { maxRows: 0 } }), /usageCoalescing\.maxRows/);
  });
});
