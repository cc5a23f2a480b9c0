/** The audit log in an array: the reference AuditLog for tests. */

import { checkAuditEntry, checkAuditLimit } from '../api-key-hash.js';
import type { AuditEntry, AuditLog } from '../store-types.js';

export class MemoryAuditLog implements AuditLog {
  private readonly entries: AuditEntry[] = [];

  async record(entry: AuditEntry): Promise<void> {
    this.entries.push(structuredClone(checkAuditEntry(entry)));
  }

  async list(options?: { limit?: number }): Promise<AuditEntry[]> {
    const limit = checkAuditLimit(options);
    return this.entries.slice(-limit).reverse().map((entry) => structuredClone(entry));
  }
}
