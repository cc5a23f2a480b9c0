/** Session leases in Redis: one JSON value per leased session, taken and released by scripts so check and write are one step. */

import type { Redis } from 'ioredis';
import type { AcquireLeaseOutcome, SessionLease } from '../store-types.js';
import { checkLease, checkTenant } from '../store-input.js';
import type { RedisKeyNames } from './redis-key-names.js';
import { RedisScript } from './redis-script.js';

/**
 * The expiry decision uses the store's clock (ARGV[2]), as every other store does; Redis' own
 * expiry only collects the key a while after that.
 */
const acquireScript = new RedisScript(`
local current = redis.call('GET', KEYS[1])
if current then
  local lease = cjson.decode(current)
  if tonumber(lease.expiresAt) > tonumber(ARGV[2]) and lease.holder ~= ARGV[3] then return current end
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[4])
return false
`);

const releaseScript = new RedisScript(`
local current = redis.call('GET', KEYS[1])
if current and cjson.decode(current).holder == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 0
`);

/** How long after its logical expiry Redis keeps a lease key, so a clock skew between pods cannot drop a live one early. */
const collectAfterMs = 60_000;

interface StoredLease extends SessionLease {
  expiresAt: number;
}

export class RedisSessionLeases {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeyNames,
    private readonly now: () => number,
  ) {}

  async acquire(tenant: string, id: string, lease: SessionLease, ttlMs: number): Promise<AcquireLeaseOutcome> {
    checkTenant(tenant);
    const { ttlMs: checkedTtl, ...checked } = checkLease(lease, ttlMs);
    const now = this.now();
    const stored: StoredLease = { ...checked, expiresAt: now + checkedTtl };
    const held = await acquireScript.run(this.redis, [this.keys.sessionLease(id)], [JSON.stringify(stored), now, checked.holder, checkedTtl + collectAfterMs]);
    if (typeof held !== 'string') return { kind: 'acquired' };
    const { expiresAt: _expiresAt, ...other } = JSON.parse(held) as StoredLease;
    return { kind: 'held', lease: other };
  }

  async release(id: string, holder: string): Promise<void> {
    await releaseScript.run(this.redis, [this.keys.sessionLease(id)], [holder]);
  }
}
