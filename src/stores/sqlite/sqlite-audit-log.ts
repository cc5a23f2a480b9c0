/** The audit log in SQLite: one row per admin action, read newest first. */

import type Database from 'better-sqlite3';
import { checkAuditEntry, checkAuditLimit } from '../api-key-hash.js';
import type { AuditEntry, AuditLog } from '../store-types.js';

interface AuditRow {
  at: number;
  actor_key: string;
  actor_tenant: string;
  action: string;
  target: string;
  details: string | null;
}

export class SqliteAuditLog implements AuditLog {
  private readonly insert: Database.Statement<[number, string, string, string, string, string | null]>;
  private readonly newest: Database.Statement<[number], AuditRow>;

  constructor(db: Database.Database) {
    this.insert = db.prepare('INSERT INTO audit_log (at, actor_key, actor_tenant, action, target, details) VALUES (?, ?, ?, ?, ?, ?)');
    this.newest = db.prepare('SELECT at, actor_key, actor_tenant, action, target, details FROM audit_log ORDER BY seq DESC LIMIT ?');
  }

  async record(entry: AuditEntry): Promise<void> {
    checkAuditEntry(entry);
    this.insert.run(entry.at, entry.actor.keyId, entry.actor.tenant, entry.action, entry.target, entry.details === undefined ? null : JSON.stringify(entry.details));
  }

  async list(options?: { limit?: number }): Promise<AuditEntry[]> {
    return this.newest.all(checkAuditLimit(options)).map((row) => {
      const entry: AuditEntry = { at: row.at, actor: { keyId: row.actor_key, tenant: row.actor_tenant }, action: row.action, target: row.target };
      if (row.details !== null) entry.details = JSON.parse(row.details) as Record<string, unknown>;
      return entry;
    });
  }
}
