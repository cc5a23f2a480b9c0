/** The embedded default Store: one SQLite file in WAL mode holding sessions, API keys, usage and experiments. */

import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import type { Store } from '../store-types.js';
import { checkTtlSeconds, defaultSessionTtlSeconds } from '../store-input.js';
import { SqliteEmbeddingCache } from './sqlite-embedding-cache.js';
import { SqliteExperimentStore } from './sqlite-experiment-store.js';
import { migrateSqliteSchema } from './sqlite-schema.js';
import { SqliteAuditLog } from './sqlite-audit-log.js';
import { SqliteKeyStore } from './sqlite-key-store.js';
import { SqliteSessionStore } from './sqlite-session-store.js';
import { defaultUsageCoalescing, SqliteUsageLedger, type UsageCoalescing } from './sqlite-usage-ledger.js';
import { SqliteWriteBatch } from './sqlite-write-batch.js';

/** The page cache per open file, in KiB (SQLite's default is 2,000). */
const sqliteCacheKiB = 65_536;

export interface SqliteStoreOptions {
  path: string;
  now?: () => number;
  defaultTtlSeconds?: number;
  /** How long a write waits for another connection's lock before failing with SQLITE_BUSY. */
  busyTimeoutMs?: number;
  /** How long, and up to how many rows, usage rows gather before they are written (a crash loses at most that window). */
  usageCoalescing?: Partial<UsageCoalescing>;
}

export const defaultBusyTimeoutMs = 5000;

/** Where `serve` keeps its database under a data directory. */
export function sqliteStorePath(dataDir: string): string {
  return join(dataDir, 'switchboard.db');
}

export function openSqliteStore(options: SqliteStoreOptions): Store {
  if (typeof options !== 'object' || options === null || typeof options.path !== 'string' || options.path.length === 0) {
    throw new TypeError('openSqliteStore: path must be a non-empty string');
  }
  const busyTimeoutMs = options.busyTimeoutMs ?? defaultBusyTimeoutMs;
  if (!Number.isSafeInteger(busyTimeoutMs) || busyTimeoutMs < 0) {
    throw new TypeError('openSqliteStore: busyTimeoutMs must be a non-negative integer');
  }
  const defaultTtlSeconds =
    options.defaultTtlSeconds === undefined ? defaultSessionTtlSeconds : checkTtlSeconds(options.defaultTtlSeconds, 'defaultTtlSeconds');
  const now = options.now ?? Date.now;
  const usageCoalescing = { ...defaultUsageCoalescing, ...options.usageCoalescing };
  if (!Number.isSafeInteger(usageCoalescing.windowMs) || usageCoalescing.windowMs < 0) {
    throw new TypeError('openSqliteStore: usageCoalescing.windowMs must be a non-negative integer');
  }
  if (!Number.isSafeInteger(usageCoalescing.maxRows) || usageCoalescing.maxRows < 1) {
    throw new TypeError('openSqliteStore: usageCoalescing.maxRows must be a positive integer');
  }

  const inMemory = options.path === ':memory:';
  let db: Database.Database;
  try {
    if (!inMemory) mkdirSync(dirname(options.path), { recursive: true });
    // `timeout` is SQLite's busy timeout: a locked write waits this long before SQLITE_BUSY.
    db = new Database(options.path, { timeout: busyTimeoutMs });
  } catch (error) {
    throw new Error(`cannot open the SQLite store at ${options.path}: ${(error as Error).message}`, { cause: error });
  }
  try {
    if (!inMemory) {
      const journalMode = db.pragma('journal_mode = WAL', { simple: true });
      if (journalMode !== 'wal') throw new Error(`${options.path}: could not switch to WAL mode (journal_mode is ${String(journalMode)})`);
    }
    // With WAL, NORMAL loses at most the last commits on power loss, never consistency; FULL would fsync every turn.
    db.pragma('synchronous = NORMAL');
    // SQLite's default page cache is 2 MB: a file of a few thousand sessions with their messages and
    // exposures outgrows it, and every lookup and commit then reads its B-tree pages back with a
    // syscall each (docs/benchmarks.md, turn spike). The cache fills only as pages are read.
    db.pragma(`cache_size = -${sqliteCacheKiB}`);
    migrateSqliteSchema(db);
    const writes = new SqliteWriteBatch(db);
    const sessions = new SqliteSessionStore(db, now, defaultTtlSeconds, writes);
    const keys = new SqliteKeyStore(db, now);
    const usage = new SqliteUsageLedger(db, writes, usageCoalescing);
    const experiments = new SqliteExperimentStore(db, now, writes);
    const audit = new SqliteAuditLog(db);
    return {
      kind: 'sqlite',
      sessions,
      keys,
      usage,
      experiments,
      embeddings: new SqliteEmbeddingCache(db),
      audit,
      close: async () => {
        // The usage window first: its rows join the last transaction, so nothing recorded is lost at shutdown.
        usage.flush();
        writes.flush();
        if (db.open) db.close();
      },
    };
  } catch (error) {
    db.close();
    throw error;
  }
}
