/** API keys in SQLite: looked up by the SHA-256 of the presented key, never stored in plain. */

import type Database from 'better-sqlite3';
import type { ApiKeyRecord, KeyRole, KeyStore } from '../store-types.js';
import { lookupHashOf, newApiKey, type RandomBytes } from '../api-key-hash.js';

interface KeyRow {
  id: string;
  tenant: string;
  role: KeyRole;
  tier: string;
  created_at: number;
  revoked_at: number | null;
}

const keyColumns = 'id, tenant, role, tier, created_at, revoked_at';

function toRecord(row: KeyRow): ApiKeyRecord {
  const record: ApiKeyRecord = { id: row.id, tenant: row.tenant, role: row.role, tier: row.tier, createdAt: row.created_at };
  if (row.revoked_at !== null) record.revokedAt = row.revoked_at;
  return record;
}

export class SqliteKeyStore implements KeyStore {
  private readonly insertKey: Database.Statement<[string, string, string, string, string, number]>;
  private readonly selectLiveByHash: Database.Statement<[string], KeyRow>;
  private readonly selectAll: Database.Statement<[], KeyRow>;
  private readonly selectByTenant: Database.Statement<[string], KeyRow>;
  private readonly revokeKey: Database.Statement<[number, string]>;
  private readonly countLive: Database.Statement<[], number>;

  constructor(
    db: Database.Database,
    private readonly now: () => number,
    private readonly randomBytes?: RandomBytes,
  ) {
    this.insertKey = db.prepare('INSERT INTO api_keys (id, tenant, role, tier, key_hash, created_at) VALUES (?, ?, ?, ?, ?, ?)');
    this.selectLiveByHash = db.prepare(`SELECT ${keyColumns} FROM api_keys WHERE key_hash = ? AND revoked_at IS NULL`);
    this.selectAll = db.prepare(`SELECT ${keyColumns} FROM api_keys ORDER BY created_at, id`);
    this.selectByTenant = db.prepare(`SELECT ${keyColumns} FROM api_keys WHERE tenant = ? ORDER BY created_at, id`);
    this.revokeKey = db.prepare('UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL');
    this.countLive = db.prepare<[], number>('SELECT COUNT(*) FROM api_keys WHERE revoked_at IS NULL').pluck();
  }

  async create(input: { tenant: string; role?: KeyRole; tier?: string }): Promise<{ key: string; record: ApiKeyRecord }> {
    const { key, keyHash, record } = newApiKey(input, this.now(), this.randomBytes);
    this.insertKey.run(record.id, record.tenant, record.role, record.tier, keyHash, record.createdAt);
    return { key, record };
  }

  async verify(key: string): Promise<ApiKeyRecord | undefined> {
    const keyHash = lookupHashOf(key);
    const row = keyHash === undefined ? undefined : this.selectLiveByHash.get(keyHash);
    return row === undefined ? undefined : toRecord(row);
  }

  async list(tenant?: string): Promise<ApiKeyRecord[]> {
    return (tenant === undefined ? this.selectAll.all() : this.selectByTenant.all(tenant)).map(toRecord);
  }

  async revoke(id: string): Promise<boolean> {
    return this.revokeKey.run(this.now(), id).changes === 1;
  }

  async count(): Promise<number> {
    return this.countLive.get() as number;
  }
}
