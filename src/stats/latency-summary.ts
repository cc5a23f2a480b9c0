/** The project's one latency summary: count, mean, nearest-rank p50/p90/p95/p99 and max of exact samples. */

import { percentileOfSorted } from './percentile-of-sorted.js';

/** In the unit of the samples (milliseconds everywhere in Switchboard). */
export interface LatencySummary {
  /** How many samples the summary was computed from. */
  count: number;
  mean: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  max: number;
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
    count,
    mean: sum / count,
    p50: percentileOfSorted(sorted, count, 0.5),
    p90: percentileOfSorted(sorted, count, 0.9),
    p95: percentileOfSorted(sorted, count, 0.95),
    p99: percentileOfSorted(sorted, count, 0.99),
    max: sorted[count - 1]!,
  };
}
