/** API keys in Maps, indexed by id and by hash: the reference KeyStore for tests. */

import type { ApiKeyRecord, KeyRole, KeyStore } from '../store-types.js';
import { lookupHashOf, newApiKey, type RandomBytes } from '../api-key-hash.js';

export class MemoryKeyStore implements KeyStore {
  private readonly recordsById = new Map<string, ApiKeyRecord>();
  private readonly idsByHash = new Map<string, string>();

  constructor(
    private readonly now: () => number,
    private readonly randomBytes?: RandomBytes,
  ) {}

  async create(input: { tenant: string; role?: KeyRole; tier?: string }): Promise<{ key: string; record: ApiKeyRecord }> {
    const { key, keyHash, record } = newApiKey(input, this.now(), this.randomBytes);
    this.recordsById.set(record.id, record);
    this.idsByHash.set(keyHash, record.id);
    return { key, record: { ...record } };
  }

  async verify(key: string): Promise<ApiKeyRecord | undefined> {
    const keyHash = lookupHashOf(key);
    const id = keyHash === undefined ? undefined : this.idsByHash.get(keyHash);
    const record = id === undefined ? undefined : this.recordsById.get(id);
    return record === undefined || record.revokedAt !== undefined ? undefined : { ...record };
  }

  async list(tenant?: string): Promise<ApiKeyRecord[]> {
    const records: ApiKeyRecord[] = [];
    for (const record of this.recordsById.values()) {
      if (tenant === undefined || record.tenant === tenant) records.push({ ...record });
    }
    return records.sort((left, right) => left.createdAt - right.createdAt || (left.id < right.id ? -1 : left.id > right.id ? 1 : 0));
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
