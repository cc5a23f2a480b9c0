/**
 * The usage ledger in SQLite: one row per model call, summed per route, pool and model on
 * demand. Rows go into the file's per-tick write transaction (SqliteWriteBatch): a row per call
 * as its own transaction costs a WAL commit each, which dominated the gateway's CPU profile.
 */

import type Database from 'better-sqlite3';
import type { UsageEntry, UsageLedger, UsageSummaryRow } from '../store-types.js';
import { checkTenant, checkUsageEntry, checkUsageWindow } from '../store-input.js';
import type { SqliteWriteBatch } from './sqlite-write-batch.js';

export class SqliteUsageLedger implements UsageLedger {
  private readonly insertEntry: Database.Statement<[number, string, string, string, string, number, number, number]>;
  private readonly selectSummary: Database.Statement<[string, number, number], UsageSummaryRow>;

  constructor(
    db: Database.Database,
    private readonly writes: SqliteWriteBatch,
  ) {
    this.insertEntry = db.prepare(
      'INSERT INTO usage (at, tenant, route, pool, model, prompt_tokens, completion_tokens, cost_usd) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    );
    this.selectSummary = db.prepare(
      `SELECT route, pool, model, COUNT(*) AS requests, TOTAL(prompt_tokens) AS promptTokens,
              TOTAL(completion_tokens) AS completionTokens, TOTAL(cost_usd) AS costUsd
       FROM usage WHERE tenant = ? AND at >= ? AND at < ?
       GROUP BY route, pool, model ORDER BY route, pool, model`,
    );
  }

  /** Writes every pending row now. */
  flush(): void {
    this.writes.flush();
  }

  record(entry: UsageEntry): Promise<void> {
    try {
      checkUsageEntry(entry);
    } catch (error) {
      return Promise.reject(error);
    }
    const { at, tenant, route, pool, model, promptTokens, completionTokens, costUsd } = entry;
    return this.writes.write(() => {
      this.insertEntry.run(at, tenant, route, pool, model, promptTokens, completionTokens, costUsd);
    });
  }

  async summary(tenant: string, options?: { since?: number; until?: number }): Promise<UsageSummaryRow[]> {
    checkTenant(tenant);
    const { since, until } = checkUsageWindow(options);
    this.flush();
    return this.selectSummary.all(tenant, since, until);
  }
}
