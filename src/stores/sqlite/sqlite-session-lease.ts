/** Session leases in SQLite: one row per leased session, taken by an UPSERT that only overwrites an expired or own lease. */

import type Database from 'better-sqlite3';
import type { AcquireLeaseOutcome, SessionLease } from '../store-types.js';
import { checkLease, checkTenant } from '../store-input.js';

interface LeaseRow {
  holder: string;
  idempotency_key: string | null;
  request_hash: string | null;
}

export class SqliteSessionLeases {
  readonly #take: Database.Statement<[string, string, string | null, string | null, number, number, string]>;
  readonly #read: Database.Statement<[string], LeaseRow>;
  readonly #release: Database.Statement<[string, string]>;

  constructor(
    db: Database.Database,
    private readonly now: () => number,
  ) {
    // One statement, so two processes on one file cannot both take it: SQLite serialises the writes.
    this.#take = db.prepare(
      `INSERT INTO session_leases (session_id, holder, idempotency_key, request_hash, expires_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (session_id) DO UPDATE SET holder = excluded.holder, idempotency_key = excluded.idempotency_key,
         request_hash = excluded.request_hash, expires_at = excluded.expires_at
       WHERE session_leases.expires_at <= ? OR session_leases.holder = ?`,
    );
    this.#read = db.prepare('SELECT holder, idempotency_key, request_hash FROM session_leases WHERE session_id = ?');
    this.#release = db.prepare('DELETE FROM session_leases WHERE session_id = ? AND holder = ?');
  }

  /** The lease as it will be stored, or a clear error naming the bad field (checked before anything is queued). */
  check(tenant: string, lease: SessionLease, ttlMs: number): SessionLease & { ttlMs: number } {
    checkTenant(tenant);
    return checkLease(lease, ttlMs);
  }

  /** Takes a checked lease; synchronous, so it can run inside the tick's write transaction. */
  acquire(id: string, checked: SessionLease & { ttlMs: number }): AcquireLeaseOutcome {
    const now = this.now();
    const { changes } = this.#take.run(id, checked.holder, checked.idempotencyKey ?? null, checked.requestHash ?? null, now + checked.ttlMs, now, checked.holder);
    if (changes > 0) return { kind: 'acquired' };
    const row = this.#read.get(id);
    // Released between the two statements (only outside a transaction): the caller may simply try again, but it did not lose to anyone.
    if (row === undefined) return this.acquire(id, checked);
    const held: SessionLease = { holder: row.holder };
    if (row.idempotency_key !== null) held.idempotencyKey = row.idempotency_key;
    if (row.request_hash !== null) held.requestHash = row.request_hash;
    return { kind: 'held', lease: held };
  }

  release(id: string, holder: string): void {
    this.#release.run(id, holder);
  }
}
