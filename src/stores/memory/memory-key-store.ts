/** API keys in Maps, indexed by id and by hash: the reference KeyStore for tests. */

import type { ApiKeyRecord, KeyStore, NewKeyInput } from '../store-types.js';
import { importedApiKey, isLiveKey, keyRecordOf, lookupHashOf, newApiKey, type RandomBytes } from '../api-key-hash.js';

export class MemoryKeyStore implements KeyStore {
  private readonly recordsById = new Map<string, ApiKeyRecord>();
  private readonly idsByHash = new Map<string, string>();
  private firstAdminMade = false;

  constructor(
    private readonly now: () => number,
    private readonly randomBytes?: RandomBytes,
  ) {}

  private put(keyHash: string, record: ApiKeyRecord): void {
    this.recordsById.set(record.id, record);
    this.idsByHash.set(keyHash, record.id);
  }

  async create(input: NewKeyInput): Promise<{ key: string; record: ApiKeyRecord }> {
    const { key, keyHash, record } = newApiKey(input, this.now(), this.randomBytes);
    this.put(keyHash, record);
    return { key, record: keyRecordOf(record) };
  }

  async createFirstAdmin(input: { tenant: string }): Promise<{ key: string; record: ApiKeyRecord } | undefined> {
    const made = newApiKey({ tenant: input.tenant, role: 'admin' }, this.now(), this.randomBytes);
    if (this.firstAdminMade) return undefined;
    this.firstAdminMade = true;
    this.put(made.keyHash, made.record);
    return { key: made.key, record: keyRecordOf(made.record) };
  }

  async importKey(key: string, input: NewKeyInput): Promise<{ record: ApiKeyRecord; created: boolean }> {
    const { keyHash, record } = importedApiKey(key, input, this.now());
    const existing = this.idsByHash.get(keyHash);
    if (existing !== undefined) return { record: keyRecordOf(this.recordsById.get(existing)!), created: false };
    this.put(keyHash, record);
    return { record: keyRecordOf(record), created: true };
  }

  async verify(key: string): Promise<ApiKeyRecord | undefined> {
    const keyHash = lookupHashOf(key);
    const id = keyHash === undefined ? undefined : this.idsByHash.get(keyHash);
    const record = id === undefined ? undefined : this.recordsById.get(id);
    return record === undefined || !isLiveKey(record, this.now()) ? undefined : keyRecordOf(record);
  }

  async list(tenant?: string): Promise<ApiKeyRecord[]> {
    const records: ApiKeyRecord[] = [];
    for (const record of this.recordsById.values()) {
      if (tenant === undefined || record.tenant === tenant) records.push(keyRecordOf(record));
    }
    return records.sort((left, right) => left.createdAt - right.createdAt || (left.id < right.id ? -1 : left.id > right.id ? 1 : 0));
  }

  async get(id: string): Promise<ApiKeyRecord | undefined> {
    const record = this.recordsById.get(id);
    return record === undefined ? undefined : keyRecordOf(record);
  }

  async revoke(id: string): Promise<boolean> {
    const record = this.recordsById.get(id);
    if (record === undefined || record.revokedAt !== undefined) return false;
    record.revokedAt = this.now();
    return true;
  }

  async count(): Promise<number> {
    let live = 0;
    for (const record of this.recordsById.values()) if (record.revokedAt === undefined) live++;
    return live;
  }
}
