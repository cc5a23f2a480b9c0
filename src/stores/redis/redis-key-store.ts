/** API keys in Redis: the record under the key's SHA-256, an id → hash pointer for revoking, an ordered index for listing. */

import type { Redis } from 'ioredis';
import type { ApiKeyRecord, KeyRole, KeyStore } from '../store-types.js';
import { lookupHashOf, newApiKey, type RandomBytes } from '../api-key-hash.js';
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

function parseRecord(text: string): ApiKeyRecord {
  const parsed = JSON.parse(text) as ApiKeyRecord;
  const record: ApiKeyRecord = { id: parsed.id, tenant: parsed.tenant, role: parsed.role, tier: parsed.tier, createdAt: parsed.createdAt };
  if (parsed.revokedAt !== undefined && parsed.revokedAt !== null) record.revokedAt = parsed.revokedAt;
  return record;
}

export class RedisKeyStore implements KeyStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeyNames,
    private readonly now: () => number,
    private readonly randomBytes?: RandomBytes,
  ) {}

  async create(input: { tenant: string; role?: KeyRole; tier?: string }): Promise<{ key: string; record: ApiKeyRecord }> {
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

  async verify(key: string): Promise<ApiKeyRecord | undefined> {
    const keyHash = lookupHashOf(key);
    if (keyHash === undefined) return undefined;
    const text = await this.redis.get(this.keys.apiKey(keyHash));
    if (text === null) return undefined;
    const record = parseRecord(text);
    return record.revokedAt === undefined ? record : undefined;
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
