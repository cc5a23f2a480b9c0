/** API keys in Redis: the record under the key's SHA-256, an id → hash pointer for revoking, an ordered index for listing. */

import type { Redis } from 'ioredis';
import type { ApiKeyRecord, KeyStore, NewKeyInput } from '../store-types.js';
import { firstAdminMarker, importedApiKey, isLiveKey, keyRecordOf, lookupHashOf, newApiKey, type RandomBytes } from '../api-key-hash.js';
import { padMillis, type RedisKeyNames } from './redis-key-names.js';
import { RedisScript } from './redis-script.js';

/**
 * KEYS: id pointer, live set. ARGV: key prefix of records, now, id.
 * The record's key is read from the pointer inside the script, so Redis Cluster is not supported (see docs/deployment.md).
 */
const revokeScript = new RedisScript(`
local keyHash = redis.call('GET', KEYS[1])
if not keyHash then return 0 end
local recordKey = ARGV[1] .. keyHash
local text = redis.call('GET', recordKey)
if not text then return 0 end
local record = cjson.decode(text)
if record.revokedAt then return 0 end
record.revokedAt = tonumber(ARGV[2])
redis.call('SET', recordKey, cjson.encode(record))
redis.call('SREM', KEYS[2], ARGV[3])
return 1
`);

/**
 * KEYS: guard, record, id pointer, order, live set. ARGV: guard value, record JSON, key hash, order member, id.
 * Writes the key only if the guard is absent (a marker, or the record itself), so concurrent
 * creators on one Redis get exactly one success.
 */
const createOnceScript = new RedisScript(`
if KEYS[1] == KEYS[2] then
  if redis.call('EXISTS', KEYS[2]) == 1 then return 0 end
elseif not redis.call('SET', KEYS[1], ARGV[1], 'NX') then
  return 0
end
redis.call('SET', KEYS[2], ARGV[2])
redis.call('SET', KEYS[3], ARGV[3])
redis.call('ZADD', KEYS[4], 0, ARGV[4])
redis.call('SADD', KEYS[5], ARGV[5])
return 1
`);

function parseRecord(text: string): ApiKeyRecord {
  return keyRecordOf(JSON.parse(text) as ApiKeyRecord);
}

export class RedisKeyStore implements KeyStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeyNames,
    private readonly now: () => number,
    private readonly randomBytes?: RandomBytes,
  ) {}

  async create(input: NewKeyInput): Promise<{ key: string; record: ApiKeyRecord }> {
    const { key, keyHash, record } = newApiKey(input, this.now(), this.randomBytes);
    await this.redis
      .multi()
      .set(this.keys.apiKey(keyHash), JSON.stringify(record))
      .set(this.keys.apiKeyId(record.id), keyHash)
      .zadd(this.keys.apiKeyOrder(), 0, `${padMillis(record.createdAt)}#${record.id}`)
      .sadd(this.keys.liveApiKeys(), record.id)
      .exec();
    return { key, record };
  }

  async #createOnce(guard: string, keyHash: string, record: ApiKeyRecord): Promise<boolean> {
    const created = await createOnceScript.run(
      this.redis,
      [guard, this.keys.apiKey(keyHash), this.keys.apiKeyId(record.id), this.keys.apiKeyOrder(), this.keys.liveApiKeys()],
      [record.id, JSON.stringify(record), keyHash, `${padMillis(record.createdAt)}#${record.id}`, record.id],
    );
    return created === 1;
  }

  async createFirstAdmin(input: { tenant: string }): Promise<{ key: string; record: ApiKeyRecord } | undefined> {
    const { key, keyHash, record } = newApiKey({ tenant: input.tenant, role: 'admin' }, this.now(), this.randomBytes);
    return (await this.#createOnce(this.keys.marker(firstAdminMarker), keyHash, record)) ? { key, record } : undefined;
  }

  async importKey(key: string, input: NewKeyInput): Promise<{ record: ApiKeyRecord; created: boolean }> {
    const { keyHash, record } = importedApiKey(key, input, this.now());
    if (await this.#createOnce(this.keys.apiKey(keyHash), keyHash, record)) return { record, created: true };
    const text = await this.redis.get(this.keys.apiKey(keyHash));
    if (text === null) throw new Error(`importing key ${record.id}: the write was refused but no record is stored`);
    return { record: parseRecord(text), created: false };
  }

  async get(id: string): Promise<ApiKeyRecord | undefined> {
    const keyHash = await this.redis.get(this.keys.apiKeyId(id));
    const text = keyHash === null ? null : await this.redis.get(this.keys.apiKey(keyHash));
    return text === null ? undefined : parseRecord(text);
  }

  async verify(key: string): Promise<ApiKeyRecord | undefined> {
    const keyHash = lookupHashOf(key);
    if (keyHash === undefined) return undefined;
    const text = await this.redis.get(this.keys.apiKey(keyHash));
    if (text === null) return undefined;
    const record = parseRecord(text);
    return isLiveKey(record, this.now()) ? record : undefined;
  }

  async list(tenant?: string): Promise<ApiKeyRecord[]> {
    const members = await this.redis.zrange(this.keys.apiKeyOrder(), 0, -1);
    if (members.length === 0) return [];
    const hashes = await this.redis.mget(members.map((member) => this.keys.apiKeyId(member.slice(member.indexOf('#') + 1))));
    const present = hashes.filter((hash): hash is string => hash !== null);
    if (present.length === 0) return [];
    const texts = await this.redis.mget(present.map((hash) => this.keys.apiKey(hash)));
    const records: ApiKeyRecord[] = [];
    for (const text of texts) {
      if (text === null) continue;
      const record = parseRecord(text);
      if (tenant === undefined || record.tenant === tenant) records.push(record);
    }
    return records;
  }

  async revoke(id: string): Promise<boolean> {
    const revoked = await revokeScript.run(this.redis, [this.keys.apiKeyId(id), this.keys.liveApiKeys()], [this.keys.apiKey(''), this.now(), id]);
    return revoked === 1;
  }

  async count(): Promise<number> {
    return this.redis.scard(this.keys.liveApiKeys());
  }
}
