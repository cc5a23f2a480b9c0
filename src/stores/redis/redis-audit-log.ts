/** The audit log in Redis: a list of JSON entries, newest at the head. */

import type { Redis } from 'ioredis';
import { checkAuditEntry, checkAuditLimit } from '../api-key-hash.js';
import type { AuditEntry, AuditLog } from '../store-types.js';
import type { RedisKeyNames } from './redis-key-names.js';

export class RedisAuditLog implements AuditLog {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeyNames,
  ) {}

  async record(entry: AuditEntry): Promise<void> {
    await this.redis.lpush(this.keys.auditLog(), JSON.stringify(checkAuditEntry(entry)));
  }

  async list(options?: { limit?: number }): Promise<AuditEntry[]> {
    const texts = await this.redis.lrange(this.keys.auditLog(), 0, checkAuditLimit(options) - 1);
    return texts.map((text) => JSON.parse(text) as AuditEntry);
  }
}
