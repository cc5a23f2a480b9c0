/**
 * The usage ledger in SQLite: one row per model call, summed per route, pool and model on
 * demand. Rows recorded in the same tick are written in one transaction: a row per call as its
 * own transaction costs a WAL commit each, which dominated the gateway's CPU profile.
 */

import type Database from 'better-sqlite3';
import type { UsageEntry, UsageLedger, UsageSummaryRow } from '../store-types.js';
import { checkTenant, checkUsageEntry, checkUsageWindow } from '../store-input.js';

export class SqliteUsageLedger implements UsageLedger {
  private readonly insertEntry: Database.Statement<[number, string, string, string, string, number, number, number]>;
  private readonly selectSummary: Database.Statement<[string, number, number], UsageSummaryRow>;
  private readonly insertBatch: (entries: UsageEntry[]) => void;
  private pending: UsageEntry[] = [];
  private waiters: { resolve: () => void; reject: (error: unknown) => void }[] = [];
  private scheduled = false;

  constructor(db: Database.Database) {
    this.insertEntry = db.prepare(
      'INSERT INTO usage (at, tenant, route, pool, model, prompt_tokens, completion_tokens, cost_usd) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    );
    this.selectSummary = db.prepare(
      `SELECT route, pool, model, COUNT(*) AS requests, TOTAL(prompt_tokens) AS promptTokens,
              TOTAL(completion_tokens) AS completionTokens, TOTAL(cost_usd) AS costUsd
       FROM usage WHERE tenant = ? AND at >= ? AND at < ?
       GROUP BY route, pool, model ORDER BY route, pool, model`,
    );
    this.insertBatch = db.transaction((entries: UsageEntry[]) => {
      for (const entry of entries) {
        this.insertEntry.run(entry.at, entry.tenant, entry.route, entry.pool, entry.model, entry.promptTokens, entry.completionTokens, entry.costUsd);
      }
    });
  }

  /** Writes every pending row now, in one transaction. */
  flush(): void {
    this.scheduled = false;
    if (this.pending.length === 0) return;
    const entries = this.pending;
    const waiters = this.waiters;
    this.pending = [];
    this.waiters = [];
    try {
      this.insertBatch(entries);
      for (const waiter of waiters) waiter.resolve();
    } catch (error) {
      for (const waiter of waiters) waiter.reject(error);
    }
  }

  record(entry: UsageEntry): Promise<void> {
    try {
      checkUsageEntry(entry);
    } catch (error) {
      return Promise.reject(error);
    }
    this.pending.push({ ...entry });
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  async summary(tenant: string, options?: { since?: number; until?: number }): Promise<UsageSummaryRow[]> {
    checkTenant(tenant);
    const { since, until } = checkUsageWindow(options);
    this.flush();
    return this.selectSummary.all(tenant, since, until);
  }
}
