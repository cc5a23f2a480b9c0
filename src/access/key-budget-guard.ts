/**
 * Monthly key budgets, enforced at admission: a key with a budget is refused with
 * `budget_exceeded` once its tenant's use this calendar month (UTC), read from the usage
 * ledger, reaches the budget in tokens or dollars. The month's totals are cached per tenant
 * for a few seconds, so a busy tenant costs the ledger one read per window, not one per request.
 */

import { SwitchboardError } from '../errors.js';
import type { ApiKeyRecord, UsageLedger } from '../stores/store-types.js';

interface MonthTotals {
  tokens: number;
  usd: number;
}

interface CacheEntry {
  month: number;
  expiresAt: number;
  totals: Promise<MonthTotals>;
}

/** The first millisecond of the calendar month (UTC) holding `at`, and of the next one. */
export function monthBounds(at: number): { start: number; end: number } {
  const date = new Date(at);
  return { start: Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1), end: Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1) };
}

export class KeyBudgetGuard {
  readonly #ledger: Pick<UsageLedger, 'summary'>;
  readonly #cacheMs: number;
  readonly #now: () => number;
  /** Bounded by the tenants whose keys have budgets. */
  readonly #cache = new Map<string, CacheEntry>();

  constructor(ledger: Pick<UsageLedger, 'summary'>, options: { cacheMs: number; now?: () => number }) {
    this.#ledger = ledger;
    this.#cacheMs = options.cacheMs;
    this.#now = options.now ?? Date.now;
  }

  /** Throws `budget_exceeded` when the key has a budget its tenant has used up this month; a key without one costs nothing. */
  async check(caller: Pick<ApiKeyRecord, 'id' | 'tenant' | 'budget'>): Promise<void> {
    const budget = caller.budget;
    if (budget === undefined) return;
    const now = this.#now();
    const { start, end } = monthBounds(now);
    const totals = await this.#totals(caller.tenant, start, now);
    const retryAfterSeconds = Math.ceil((end - now) / 1000);
    const resets = new Date(end).toISOString();
    if (budget.tokensPerMonth !== undefined && totals.tokens >= budget.tokensPerMonth) {
      throw new SwitchboardError('budget_exceeded', `Key ${caller.id} has a budget of ${budget.tokensPerMonth} tokens per month; tenant "${caller.tenant}" has used ${totals.tokens} this month. It resets at ${resets}.`, { retryAfterSeconds });
    }
    if (budget.usdPerMonth !== undefined && totals.usd >= budget.usdPerMonth) {
      throw new SwitchboardError('budget_exceeded', `Key ${caller.id} has a budget of $${budget.usdPerMonth} per month; tenant "${caller.tenant}" has used $${totals.usd.toFixed(4)} this month. It resets at ${resets}.`, { retryAfterSeconds });
    }
  }

  #totals(tenant: string, monthStart: number, now: number): Promise<MonthTotals> {
    const cached = this.#cache.get(tenant);
    if (cached && cached.month === monthStart && cached.expiresAt > now) return cached.totals;
    const totals = this.#ledger.summary(tenant, { since: monthStart }).then((rows) => {
      let tokens = 0;
      let usd = 0;
      for (const row of rows) {
        tokens += row.promptTokens + row.completionTokens;
        usd += row.costUsd;
      }
      return { tokens, usd };
    });
    // Concurrent requests share one read; a failed read is not kept.
    if (this.#cacheMs > 0) {
      this.#cache.set(tenant, { month: monthStart, expiresAt: now + this.#cacheMs, totals });
      totals.catch(() => this.#cache.delete(tenant));
    }
    return totals;
  }
}
