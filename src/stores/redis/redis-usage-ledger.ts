/** The usage ledger in Redis: one sorted set per tenant, scored by time, summed per route, pool and model on demand. */

import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { UsageEntry, UsageLedger, UsageSummaryRow } from '../store-types.js';
import { checkTenant, checkUsageEntry, checkUsageWindow } from '../store-input.js';
import type { RedisKeyNames } from './redis-key-names.js';
import { summarizeUsage } from '../usage-summary.js';

/** ZRANGEBYSCORE bounds; the open ends of a window become -inf and +inf. */
function lowerBound(since: number): string {
  return since <= Number.MIN_SAFE_INTEGER ? '-inf' : String(since);
}

function upperBoundExclusive(until: number): string {
  return until >= Number.MAX_SAFE_INTEGER ? '+inf' : `(${until}`;
}

export class RedisUsageLedger implements UsageLedger {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeyNames,
  ) {}

  async record(entry: UsageEntry): Promise<void> {
    checkUsageEntry(entry);
    const { at, tenant, route, pool, model, promptTokens, completionTokens, costUsd } = entry;
    // A random nonce keeps two identical calls in the same millisecond two members.
    const member = JSON.stringify({ at, route, pool, model, promptTokens, completionTokens, costUsd, nonce: randomBytes(6).toString('base64url') });
    await this.redis.zadd(this.keys.usage(tenant), at, member);
  }

  async summary(tenant: string, options?: { since?: number; until?: number }): Promise<UsageSummaryRow[]> {
    checkTenant(tenant);
    const { since, until } = checkUsageWindow(options);
    const members = await this.redis.zrangebyscore(this.keys.usage(tenant), lowerBound(since), upperBoundExclusive(until));
    return summarizeUsage(members.map((member) => JSON.parse(member) as Omit<UsageEntry, 'tenant'>));
  }
}
