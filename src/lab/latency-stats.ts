/** Percentile summaries from exact samples: p50/p90/p99/max/mean of a latency column. */

export interface LatencySummary {
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
  /** How many samples the summary was computed from. */
  count: number;
}

/**
 * Nearest-rank percentile of an ascending-sorted sample: the smallest value with at least
 * `quantile` of the samples at or below it. Exact on the sample, no interpolation, so a
 * test can predict it from a known distribution.
 */
export function percentileOfSorted(sorted: ArrayLike<number>, count: number, quantile: number): number {
  if (count <= 0) return Number.NaN;
  const rank = Math.ceil(quantile * count);
  const index = Math.min(count - 1, Math.max(0, rank - 1));
  return sorted[index]!;
}

/** Summarises the first `count` values of `values`; null when there are none. Does not modify `values`. */
export function summarizeLatencies(values: Float64Array | readonly number[], count = values.length): LatencySummary | null {
  if (count <= 0) return null;
  // A copy: callers keep their columns in recording order.
  const sorted = values instanceof Float64Array ? values.slice(0, count) : Float64Array.from(values.slice(0, count));
  sorted.sort();
  let sum = 0;
  for (let index = 0; index < count; index++) sum += sorted[index]!;
  return {
    p50: percentileOfSorted(sorted, count, 0.5),
    p90: percentileOfSorted(sorted, count, 0.9),
    p99: percentileOfSorted(sorted, count, 0.99),
    max: sorted[count - 1]!,
    mean: sum / count,
    count,
  };
}

/** Rounds a summary's numbers for output (three decimals is well below loopback noise). */
export function roundSummary(summary: LatencySummary | null, decimals = 3): LatencySummary | null {
  if (!summary) return null;
  const factor = 10 ** decimals;
  const round = (value: number): number => Math.round(value * factor) / factor;
  return { p50: round(summary.p50), p90: round(summary.p90), p99: round(summary.p99), max: round(summary.max), mean: round(summary.mean), count: summary.count };
}
