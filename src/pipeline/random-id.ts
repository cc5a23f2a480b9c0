/** Random ids for turns and session leases, cut from a pooled buffer of CSPRNG bytes: one randomFillSync per 341 ids, not one per id. */

import { randomFillSync } from 'node:crypto';

const idBytes = 12;
const pool = Buffer.allocUnsafe(idBytes * 341);
let offset = pool.length;

/** 12 random bytes as 16 base64url characters: as unguessable as `randomBytes(12)`, which it replaces on the hot path. */
export function randomId(): string {
  if (offset === pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  const id = pool.toString('base64url', offset, offset + idBytes);
  offset += idBytes;
  return id;
}
