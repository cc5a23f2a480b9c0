/** Session leases held in this process's memory: the memory store's, and the reference the other backends follow. */

import type { AcquireLeaseOutcome, SessionLease } from './store-types.js';
import { checkLease, checkTenant } from './store-input.js';

interface HeldLease {
  lease: SessionLease;
  expiresAt: number;
}

export class SessionLeaseTable {
  readonly #leases = new Map<string, HeldLease>();

  constructor(private readonly now: () => number) {}

  acquire(tenant: string, id: string, lease: SessionLease, ttlMs: number): AcquireLeaseOutcome {
    checkTenant(tenant);
    const checked = checkLease(lease, ttlMs);
    const now = this.now();
    const held = this.#leases.get(id);
    if (held !== undefined && held.expiresAt > now && held.lease.holder !== checked.holder) return { kind: 'held', lease: { ...held.lease } };
    const { ttlMs: _ttl, ...stored } = checked;
    this.#leases.set(id, { lease: stored, expiresAt: now + ttlMs });
    return { kind: 'acquired' };
  }

  release(id: string, holder: string): void {
    if (this.#leases.get(id)?.lease.holder === holder) this.#leases.delete(id);
  }
}
