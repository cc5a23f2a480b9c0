/** A quantile from cumulative histogram buckets, interpolated linearly inside the bucket, as Prometheus' histogram_quantile does. */

/**
 * `bounds` are the buckets' upper bounds in ascending order (the last may be +Inf) and `cumulative`
 * the count at or below each. NaN without observations; the highest finite bound when the quantile
 * falls in the +Inf bucket.
 */
export function histogramQuantile(quantile: number, bounds: readonly number[], cumulative: readonly number[]): number {
  const total = cumulative[cumulative.length - 1] ?? 0;
  if (total <= 0) return Number.NaN;
  const rank = quantile * total;
  for (let index = 0; index < bounds.length; index++) {
    const count = cumulative[index]!;
    if (count < rank) continue;
    const upper = bounds[index]!;
    if (upper === Number.POSITIVE_INFINITY) return bounds[index - 1] ?? Number.NaN;
    const lower = index === 0 ? 0 : bounds[index - 1]!;
    const below = index === 0 ? 0 : cumulative[index - 1]!;
    const inBucket = count - below;
    return inBucket <= 0 ? upper : lower + (upper - lower) * ((rank - below) / inBucket);
  }
  return bounds[bounds.length - 1]!;
}
