/** A window of many usage rows is written by multi-row INSERTs (64 rows a statement) and single ones for the rest: every row lands, in order, with its values. */

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { openSqliteStore } from '../../src/stores/sqlite/sqlite-store.js';

describe('sqlite usage ledger, large windows', () => {
  it('writes 64-row groups and the remainder with every value, in recording order', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'switchboard-usage-many-'));
    const path = join(directory, 'many.db');
    try {
      const store = openSqliteStore({ path, usageCoalescing: { windowMs: 3_600_000, maxRows: 1_000 } });
      try {
        for (let index = 0; index < 150; index++) {
          void store.usage.record({ at: 10_000 + index, tenant: index % 2 === 0 ? 'even' : 'odd', route: `r${index % 3}`, pool: 'p', model: 'm', promptTokens: index, completionTokens: 2 * index, costUsd: index / 100 });
        }
        const even = await store.usage.summary('even', { since: 0, until: 20_000 });
        assert.equal(even.reduce((sum, row) => sum + row.requests, 0), 75);
      } finally {
        await store.close();
      }
      const inspector = new Database(path, { readonly: true });
      try {
        const rows = inspector.prepare('SELECT at, tenant, route, prompt_tokens AS promptTokens, completion_tokens AS completionTokens, cost_usd AS costUsd FROM usage ORDER BY rowid').all() as { at: number; tenant: string; route: string; promptTokens: number; completionTokens: number; costUsd: number }[];
        assert.equal(rows.length, 150);
        rows.forEach((row, index) => {
          assert.deepEqual(row, { at: 10_000 + index, tenant: index % 2 === 0 ? 'even' : 'odd', route: `r${index % 3}`, promptTokens: index, completionTokens: 2 * index, costUsd: index / 100 });
        });
      } finally {
        inspector.close();
      }
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});
