/** Latency summaries by nearest rank: exact on the sample, so tests can predict them. */

export interface LatencySummary {
  count: number;
  meanMs: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
}

/** The smallest sample with at least `quantile` of the samples at or below it. */
export function nearestRank(sorted: ArrayLike<number>, quantile: number): number {
  const count = sorted.length;
  if (count === 0) return Number.NaN;
  const index = Math.min(count - 1, Math.max(0, Math.ceil(quantile * count) - 1));
  return sorted[index]!;
}

/** Summarises `values` (copied, then sorted). NaN fields when empty. */
export function summarizeLatency(values: Float64Array): LatencySummary {
  const sorted = values.slice().sort();
  let sum = 0;
  for (const value of sorted) sum += value;
  return {
    count: sorted.length,
    meanMs: sorted.length > 0 ? sum / sorted.length : Number.NaN,
    p50Ms: nearestRank(sorted, 0.5),
    p95Ms: nearestRank(sorted, 0.95),
    p99Ms: nearestRank(sorted, 0.99),
    maxMs: sorted.length > 0 ? sorted[sorted.length - 1]! : Number.NaN,
  };
}
