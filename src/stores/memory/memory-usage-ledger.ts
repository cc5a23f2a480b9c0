/** The usage ledger as an array: the reference UsageLedger for tests. */

import type { UsageEntry, UsageLedger, UsageSummaryRow } from '../store-types.js';
import { checkTenant, checkUsageEntry, checkUsageWindow } from '../store-input.js';
import { summarizeUsage } from '../usage-summary.js';

export class MemoryUsageLedger implements UsageLedger {
  private readonly entries: UsageEntry[] = [];

  async record(entry: UsageEntry): Promise<void> {
    checkUsageEntry(entry);
    this.entries.push({ ...entry });
  }

  async summary(tenant: string, options?: { since?: number; until?: number }): Promise<UsageSummaryRow[]> {
    checkTenant(tenant);
    const { since, until } = checkUsageWindow(options);
    return summarizeUsage(this.entries.filter((entry) => entry.tenant === tenant && entry.at >= since && entry.at < until));
  }
}
