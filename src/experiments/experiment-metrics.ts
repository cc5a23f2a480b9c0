/**
 * The metrics every variant collects, and the internal counters beside them. A quantile
 * guardrail (`latency_p95_ms ≤ L`) is kept as the share of calls over L, which is what the
 * quantile bound means (p95 ≤ L ⇔ at most 5 % of calls exceed L) and is additive, unlike a quantile.
 */

/** Counted at assignment: how many requests each variant got. */
export const assignedMetric = 'assigned';
/** Summed at assignment: each active variant's probability then, so the counts can be checked against it (SRM). */
export const expectedMetric = 'expected';

export const errorRateMetric = 'error_rate';
export const fallbackRateMetric = 'fallback_rate';
export const ttftMetric = 'ttft_ms';
export const latencyMetric = 'latency_ms';
export const tokensMetric = 'tokens';
export const costMetric = 'cost_usd';

/** The order metrics are listed in. */
export const reportedMetrics = [errorRateMetric, fallbackRateMetric, ttftMetric, latencyMetric, tokensMetric, costMetric] as const;

/** Metrics whose every observation is 0 or 1. */
export function isRateMetric(metric: string): boolean {
  return metric === errorRateMetric || metric === fallbackRateMetric || metric.includes(':over:');
}

export function feedbackMetric(name: string): string {
  return `feedback.${name}`;
}

export interface QuantileBound {
  /** ttft_ms or latency_ms. */
  readonly base: string;
  /** 0.95 for p95. */
  readonly quantile: number;
}

/** `latency_p95_ms` → latency_ms at 0.95; undefined for a metric that is not a quantile. */
export function parseQuantileMetric(metric: string): QuantileBound | undefined {
  const match = /^(latency|ttft)_p([0-9.]+)_ms$/.exec(metric);
  return match ? { base: `${match[1]}_ms`, quantile: Number(match[2]) / 100 } : undefined;
}

/** The rate metric counting calls over `limit` of `base`. */
export function exceedanceMetric(base: string, limit: number): string {
  return `${base}:over:${limit}`;
}
