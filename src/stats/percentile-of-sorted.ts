/** The project's one percentile: nearest rank on an ascending-sorted sample, used by the lab, the planner and the benchmarks. */

/**
 * The smallest value with at least `quantile` of the first `count` samples at or below it.
 * Exact on the sample, no interpolation, so a test can predict it from a known
 * distribution. NaN when there are no samples.
 */
export function percentileOfSorted(sorted: ArrayLike<number>, count: number, quantile: number): number {
  if (count <= 0) return Number.NaN;
  const rank = Math.ceil(quantile * count);
  const index = Math.min(count - 1, Math.max(0, rank - 1));
  return sorted[index]!;
}
