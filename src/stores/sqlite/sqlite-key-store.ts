/** API keys in SQLite: looked up by the SHA-256 of the presented key, never stored in plain. */

import type Database from 'better-sqlite3';
import type { ApiKeyRecord, KeyBudget, KeyRole, KeyStore, NewKeyInput } from '../store-types.js';
import { firstAdminMarker, importedApiKey, isLiveKey, keyRecordOf, lookupHashOf, newApiKey, type NewApiKey, type RandomBytes } from '../api-key-hash.js';

interface KeyRow {
  id: string;
  tenant: string;
  role: KeyRole;
  tier: string;
  created_at: number;
  revoked_at: number | null;
  expires_at: number | null;
  budget: string | null;
}

const keyColumns = 'id, tenant, role, tier, created_at, revoked_at, expires_at, budget';

function toRecord(row: KeyRow): ApiKeyRecord {
  return keyRecordOf({
    id: row.id,
    tenant: row.tenant,
    role: row.role,
    tier: row.tier,
    createdAt: row.created_at,
    revokedAt: row.revoked_at,
    expiresAt: row.expires_at,
    budget: row.budget === null ? null : (JSON.parse(row.budget) as KeyBudget),
  });
}

export class SqliteKeyStore implements KeyStore {
  private readonly insertKey: Database.Statement<[string, string, string, string, string, number, number | null, string | null]>;
  private readonly insertKeyIfAbsent: Database.Statement<[string, string, string, string, string, number, number | null, string | null]>;
  private readonly claimMarker: Database.Statement<[string, number]>;
  private readonly selectByHash: Database.Statement<[string], KeyRow>;
  private readonly selectById: Database.Statement<[string], KeyRow>;
  private readonly selectAll: Database.Statement<[], KeyRow>;
  private readonly selectByTenant: Database.Statement<[string], KeyRow>;
  private readonly revokeKey: Database.Statement<[number, string]>;
  private readonly countLive: Database.Statement<[], number>;
  private readonly createFirstAdminOnce: (made: NewApiKey) => boolean;

  constructor(
    db: Database.Database,
    private readonly now: () => number,
    private readonly randomBytes?: RandomBytes,
  ) {
    const insert = 'INTO api_keys (id, tenant, role, tier, key_hash, created_at, expires_at, budget) VALUES (?, ?, ?, ?, ?, ?, ?, ?)';
    this.insertKey = db.prepare(`INSERT ${insert}`);
    this.insertKeyIfAbsent = db.prepare(`INSERT OR IGNORE ${insert}`);
    this.claimMarker = db.prepare('INSERT OR IGNORE INTO store_markers (name, at) VALUES (?, ?)');
    this.selectByHash = db.prepare(`SELECT ${keyColumns} FROM api_keys WHERE key_hash = ?`);
    this.selectById = db.prepare(`SELECT ${keyColumns} FROM api_keys WHERE id = ?`);
    this.selectAll = db.prepare(`SELECT ${keyColumns} FROM api_keys ORDER BY created_at, id`);
    this.selectByTenant = db.prepare(`SELECT ${keyColumns} FROM api_keys WHERE tenant = ? ORDER BY created_at, id`);
    this.revokeKey = db.prepare('UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL');
    this.countLive = db.prepare<[], number>('SELECT COUNT(*) FROM api_keys WHERE revoked_at IS NULL').pluck();
    // The marker and the key in one write transaction: two processes on the file serialise on its lock.
    const once = db.transaction((made: NewApiKey) => {
      if (this.claimMarker.run(firstAdminMarker, made.record.createdAt).changes === 0) return false;
      this.#insert(this.insertKey, made.keyHash, made.record);
      return true;
    });
    this.createFirstAdminOnce = (made) => once.immediate(made);
  }

  #insert(statement: SqliteKeyStore['insertKey'], keyHash: string, record: ApiKeyRecord): number {
    return statement.run(record.id, record.tenant, record.role, record.tier, keyHash, record.createdAt, record.expiresAt ?? null, record.budget === undefined ? null : JSON.stringify(record.budget)).changes;
  }

  async create(input: NewKeyInput): Promise<{ key: string; record: ApiKeyRecord }> {
    const { key, keyHash, record } = newApiKey(input, this.now(), this.randomBytes);
    this.#insert(this.insertKey, keyHash, record);
    return { key, record };
  }

  async createFirstAdmin(input: { tenant: string }): Promise<{ key: string; record: ApiKeyRecord } | undefined> {
    const made = newApiKey({ tenant: input.tenant, role: 'admin' }, this.now(), this.randomBytes);
    return this.createFirstAdminOnce(made) ? { key: made.key, record: made.record } : undefined;
  }

  async importKey(key: string, input: NewKeyInput): Promise<{ record: ApiKeyRecord; created: boolean }> {
    const { keyHash, record } = importedApiKey(key, input, this.now());
    const created = this.#insert(this.insertKeyIfAbsent, keyHash, record) === 1;
    return { record: toRecord(this.selectByHash.get(keyHash)!), created };
  }

  async verify(key: string): Promise<ApiKeyRecord | undefined> {
    const keyHash = lookupHashOf(key);
    const row = keyHash === undefined ? undefined : this.selectByHash.get(keyHash);
    if (row === undefined) return undefined;
    const record = toRecord(row);
    return isLiveKey(record, this.now()) ? record : undefined;
  }

  async list(tenant?: string): Promise<ApiKeyRecord[]> {
    return (tenant === undefined ? this.selectAll.all() : this.selectByTenant.all(tenant)).map(toRecord);
  }

  async get(id: string): Promise<ApiKeyRecord | undefined> {
    const row = this.selectById.get(id);
    return row === undefined ? undefined : toRecord(row);
  }

  async revoke(id: string): Promise<boolean> {
    return this.revokeKey.run(this.now(), id).changes === 1;
  }

  async count(): Promise<number> {
    return this.countLive.get() as number;
  }
}
