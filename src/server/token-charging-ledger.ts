/** A usage ledger that also charges each recorded model call's tokens to the tenant's token budget: every call is recorded once, so it is charged once. */

import type { UsageEntry, UsageLedger } from '../stores/store-types.js';

export function withTokenCharging(ledger: UsageLedger, charge: (tenant: string, tokens: number) => void): UsageLedger {
  return {
    record(entry: UsageEntry): Promise<void> {
      charge(entry.tenant, entry.promptTokens + entry.completionTokens);
      return ledger.record(entry);
    },
    summary: (tenant, options) => ledger.summary(tenant, options),
  };
}
