/** Sums usage entries per route, pool and model, in that order: for backends that cannot GROUP BY themselves. */

import type { UsageEntry, UsageSummaryRow } from './store-types.js';

export function summarizeUsage(entries: Iterable<Pick<UsageEntry, 'route' | 'pool' | 'model' | 'promptTokens' | 'completionTokens' | 'costUsd'>>): UsageSummaryRow[] {
  const rows = new Map<string, UsageSummaryRow>();
  for (const entry of entries) {
    const groupKey = `${entry.route}\u0000${entry.pool}\u0000${entry.model}`;
    let row = rows.get(groupKey);
    if (row === undefined) {
      row = { route: entry.route, pool: entry.pool, model: entry.model, requests: 0, promptTokens: 0, completionTokens: 0, costUsd: 0 };
      rows.set(groupKey, row);
    }
    row.requests++;
    row.promptTokens += entry.promptTokens;
    row.completionTokens += entry.completionTokens;
    row.costUsd += entry.costUsd;
  }
  return [...rows.values()].sort((left, right) => compareText(left.route, right.route) || compareText(left.pool, right.pool) || compareText(left.model, right.model));
}

function compareText(left: string, right: string): number {
  return left < right ? -1 : left > right ? 1 : 0;
}
