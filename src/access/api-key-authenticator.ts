/** Bearer-key authentication with a small bounded cache, so a hot key is not looked up in the store on every request. */

import { SwitchboardError } from '../errors.js';
import type { ApiKeyRecord, KeyStore } from '../stores/store-types.js';

interface CacheEntry {
  record: ApiKeyRecord;
  expiresAt: number;
}

export class ApiKeyAuthenticator {
  readonly #keys: KeyStore;
  readonly #ttlMs: number;
  readonly #maxEntries: number;
  readonly #now: () => number;
  /** Insertion-ordered, so the oldest entry is the first one to evict. */
  readonly #cache = new Map<string, CacheEntry>();

  constructor(keys: KeyStore, options: { cacheTtlMs: number; cacheMaxEntries: number; now?: () => number }) {
    this.#keys = keys;
    this.#ttlMs = options.cacheTtlMs;
    this.#maxEntries = options.cacheMaxEntries;
    this.#now = options.now ?? Date.now;
  }

  /** The caller's key record from an `Authorization` header value; throws 401 errors. */
  async authenticate(authorization: string | undefined): Promise<ApiKeyRecord> {
    if (!authorization) throw new SwitchboardError('missing_api_key', 'Missing API key: send "Authorization: Bearer <key>".');
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (!match) throw new SwitchboardError('missing_api_key', 'The Authorization header must be "Bearer <key>".');
    const key = match[1]!;
    const now = this.#now();
    const cached = this.#cache.get(key);
    // A cached key stops at its own expiry too, not only at the cache's.
    if (cached && cached.expiresAt > now && (cached.record.expiresAt === undefined || cached.record.expiresAt > now)) return cached.record;
    const record = await this.#keys.verify(key);
    if (!record) {
      this.#cache.delete(key);
      throw new SwitchboardError('invalid_api_key', 'Invalid API key.');
    }
    if (this.#ttlMs > 0) {
      if (this.#cache.size >= this.#maxEntries) this.#cache.delete(this.#cache.keys().next().value!);
      this.#cache.set(key, { record, expiresAt: now + this.#ttlMs });
    }
    return record;
  }

  /** Forgets a key at once (after a revoke in this process). */
  forget(): void {
    this.#cache.clear();
  }
}
