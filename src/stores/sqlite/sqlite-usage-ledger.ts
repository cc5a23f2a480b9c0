/**
 * The usage ledger in SQLite: one row per model call, summed per route, pool and model on
 * demand. Rows are held for a short window (or until enough gather) and then written together
 * in the file's per-tick write transaction (SqliteWriteBatch): a chat completion writes nothing
 * else, so a row per tick was a WAL commit per event-loop turn under load.
 */

import type Database from 'better-sqlite3';
import type { UsageEntry, UsageLedger, UsageSummaryRow } from '../store-types.js';
import { checkTenant, checkUsageEntry, checkUsageWindow } from '../store-input.js';
import type { SqliteWriteBatch } from './sqlite-write-batch.js';

export interface UsageCoalescing {
  /** How long the first row of a window waits for others before the window is written. */
  windowMs: number;
  /** A window holding this many rows is written at once. */
  maxRows: number;
}

export const defaultUsageCoalescing: UsageCoalescing = { windowMs: 50, maxRows: 512 };

const usageColumns = '(at, tenant, route, pool, model, prompt_tokens, completion_tokens, cost_usd)';
/** Rows one multi-row INSERT takes: a window's rows go in statements of this many (8 values each), the rest one by one. */
const rowsPerInsert = 64;

/** The rows of one window and the one promise they all settle with once their transaction committed. */
interface UsageWindow {
  rows: UsageEntry[];
  settled: Promise<void>;
  resolve: () => void;
  reject: (error: unknown) => void;
}

export class SqliteUsageLedger implements UsageLedger {
  private readonly insertEntry: Database.Statement<[number, string, string, string, string, number, number, number]>;
  private readonly selectSummary: Database.Statement<[string, number, number], UsageSummaryRow>;
  /** `rowsPerInsert` rows in one statement, prepared on the first window that fills one: one step per 64 rows, not per row. */
  #insertMany: Database.Statement<unknown[]> | undefined;
  readonly #db: Database.Database;
  #window: UsageWindow | undefined;
  #timer: NodeJS.Timeout | undefined;
  readonly #writeWindowSoon = (): void => this.#writeWindow();

  constructor(
    db: Database.Database,
    private readonly writes: SqliteWriteBatch,
    private readonly coalescing: UsageCoalescing = defaultUsageCoalescing,
  ) {
    this.#db = db;
    this.insertEntry = db.prepare(`INSERT INTO usage ${usageColumns} VALUES (?, ?, ?, ?, ?, ?, ?, ?)`);
    this.selectSummary = db.prepare(
      `SELECT route, pool, model, COUNT(*) AS requests, TOTAL(prompt_tokens) AS promptTokens,
              TOTAL(completion_tokens) AS completionTokens, TOTAL(cost_usd) AS costUsd
       FROM usage WHERE tenant = ? AND at >= ? AND at < ?
       GROUP BY route, pool, model ORDER BY route, pool, model`,
    );
  }

  /** Writes every pending row now (a read that must see them, and close, call this). */
  flush(): void {
    this.#writeWindow();
    this.writes.flush();
  }

  /** Settles once the row is committed, which is up to the coalescing window later. */
  record(entry: UsageEntry): Promise<void> {
    try {
      checkUsageEntry(entry);
    } catch (error) {
      return Promise.reject(error);
    }
    let window = this.#window;
    if (window === undefined) {
      let resolve!: () => void;
      let reject!: (error: unknown) => void;
      const settled = new Promise<void>((onResolve, onReject) => {
        resolve = onResolve;
        reject = onReject;
      });
      window = this.#window = { rows: [], settled, resolve, reject };
      // Not unref'd: a process whose work is done still writes its last window before it exits on its own.
      this.#timer = setTimeout(this.#writeWindowSoon, this.coalescing.windowMs);
    }
    window.rows.push(entry);
    const settled = window.settled;
    if (window.rows.length >= this.coalescing.maxRows) this.#writeWindow();
    return settled;
  }

  /** Hands the window's rows to this tick's write transaction, in a savepoint so they hold or fail together. */
  #writeWindow(): void {
    const window = this.#window;
    if (window === undefined) return;
    this.#window = undefined;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.writes.write(() => this.#insertRows(window.rows), true).then(window.resolve, window.reject);
  }

  /** The rows in order: whole groups of `rowsPerInsert` by the multi-row statement, the rest one by one. */
  #insertRows(rows: readonly UsageEntry[]): void {
    let index = 0;
    if (rows.length >= rowsPerInsert) {
      const many = (this.#insertMany ??= this.#db.prepare(`INSERT INTO usage ${usageColumns} VALUES ${Array.from({ length: rowsPerInsert }, () => '(?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}`));
      const values: unknown[] = new Array<unknown>(rowsPerInsert * 8);
      for (; index + rowsPerInsert <= rows.length; index += rowsPerInsert) {
        for (let row = 0; row < rowsPerInsert; row++) {
          const { at, tenant, route, pool, model, promptTokens, completionTokens, costUsd } = rows[index + row]!;
          const offset = row * 8;
          values[offset] = at;
          values[offset + 1] = tenant;
          values[offset + 2] = route;
          values[offset + 3] = pool;
          values[offset + 4] = model;
          values[offset + 5] = promptTokens;
          values[offset + 6] = completionTokens;
          values[offset + 7] = costUsd;
        }
        many.run(values);
      }
    }
    const insert = this.insertEntry;
    for (; index < rows.length; index++) {
      const { at, tenant, route, pool, model, promptTokens, completionTokens, costUsd } = rows[index]!;
      insert.run(at, tenant, route, pool, model, promptTokens, completionTokens, costUsd);
    }
  }

  async summary(tenant: string, options?: { since?: number; until?: number }): Promise<UsageSummaryRow[]> {
    checkTenant(tenant);
    const { since, until } = checkUsageWindow(options);
    this.flush();
    return this.selectSummary.all(tenant, since, until);
  }
}
