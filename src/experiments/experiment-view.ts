/** An experiment as the API shows it (GET /v1/experiments/{name}): its state, each variant's numbers, the comparisons, guardrails, SRM and decision. */

import type { ControlState } from './control-state.js';
import type { ExperimentReport, MetricSummary } from './experiment-analysis.js';
import type { ExperimentDefinition } from './experiment-definition.js';

/** Numbers rounded to 6 significant digits, so every pod prints the same text for the same sums. */
function round(value: number | undefined): number | null {
  if (value === undefined || !Number.isFinite(value)) return null;
  return Number(value.toPrecision(6));
}

function metricView(summary: MetricSummary) {
  return {
    count: summary.count,
    mean: round(summary.mean),
    stddev: round(summary.stddev),
    interval: summary.interval ? [round(summary.interval.lower), round(summary.interval.upper)] : null,
  };
}

export function decisionView(definition: ExperimentDefinition, state: ControlState, report: ExperimentReport | undefined) {
  if (state.decision) {
    const { kind, variant, metric, at, reason } = state.decision;
    return { kind, variant: variant ?? null, metric: metric ?? definition.config.primaryMetric.name, at, reason };
  }
  const candidate = report?.candidate;
  return { kind: 'running' as const, variant: null, metric: definition.config.primaryMetric.name, at: null, reason: candidate?.reason ?? 'no data read yet' };
}

/** The short form, for the list. */
export function experimentSummaryView(definition: ExperimentDefinition, state: ControlState, report: ExperimentReport | undefined) {
  return {
    object: 'experiment',
    name: definition.name,
    description: definition.config.description,
    enabled: definition.config.enabled,
    mode: definition.mode,
    status: state.status,
    unit: definition.config.unit,
    control: definition.control,
    variants: (report?.variants ?? []).map((variant) => ({ name: variant.name, weight: round(variant.weight), active: variant.active, requests: variant.requests })),
    decision: decisionView(definition, state, report),
  };
}

export function experimentView(definition: ExperimentDefinition, state: ControlState, report: ExperimentReport) {
  const config = definition.config;
  const ramp = config.ramp;
  return {
    ...experimentSummaryView(definition, state, report),
    layer: config.layer ?? null,
    traffic: config.traffic,
    applies_to: { routes: config.routes, agents: config.agents },
    primary_metric: { name: config.primaryMetric.name, higher_is_better: config.primaryMetric.higherIsBetter },
    alpha: config.alpha,
    min_samples: config.minSamples,
    promoted: state.promoted ?? null,
    stop_reason: state.stopReason ?? null,
    variants: report.variants.map((variant) => ({
      name: variant.name,
      configured_weight: round(variant.configuredWeight),
      weight: round(variant.weight),
      active: variant.active,
      stopped: state.stopped[variant.name] ?? null,
      requests: variant.requests,
      overrides: Object.fromEntries(Object.entries(definition.variantsByName.get(variant.name)!.config).filter(([field]) => field !== 'weight')),
      metrics: Object.fromEntries([...variant.metrics].map(([metric, summary]) => [metric, metricView(summary)])),
    })),
    comparisons: report.comparisons.map((comparison) => ({
      variant: comparison.variant,
      against: definition.control,
      metric: comparison.metric,
      difference: round(comparison.difference),
      relative: round(comparison.relative),
      interval: [round(comparison.interval.lower), round(comparison.interval.upper)],
      significant: comparison.significant,
    })),
    guardrails: report.guardrails.map((check) => ({
      variant: check.variant,
      metric: check.guardrail.config.metric,
      limit: check.guardrail.label,
      samples: check.samples,
      estimate: round(check.estimate),
      bound: round(check.bound),
      breached: check.breached,
    })),
    srm: {
      applicable: report.srm.applicable,
      reason: report.srm.reason ?? null,
      observed: report.srm.observed,
      expected: Object.fromEntries(Object.entries(report.srm.expected).map(([name, value]) => [name, round(value)])),
      chi_square: round(report.srm.statistic),
      degrees_of_freedom: report.srm.degreesOfFreedom ?? null,
      p_value: round(report.srm.pValue),
      mismatch: report.srm.mismatch,
    },
    ramp: ramp
      ? {
          variant: ramp.variant,
          steps: ramp.steps,
          step: state.ramp?.step ?? 0,
          share: ramp.steps[Math.min(state.ramp?.step ?? 0, ramp.steps.length - 1)],
          status: state.ramp?.status ?? 'ramping',
          step_started_at: state.ramp?.stepStartedAt ?? null,
          samples_in_step: Math.max(0, (report.statsOf(ramp.variant, 'assigned')?.count ?? 0) - (state.ramp?.stepStartSamples ?? 0)),
          min_samples: ramp.minSamples,
          dwell_ms: ramp.dwellMs,
        }
      : null,
    bandit: config.bandit ? { ...config.bandit, rebalanced_at: state.rebalancedAt ?? null, weights_source: state.weightsSource ?? null } : null,
    shadow: config.shadow
      ? {
          pool: config.shadow.pool,
          model: config.shadow.model ?? null,
          share: config.shadow.share,
          max_spend_usd: config.shadow.maxSpendUsd,
          spent_usd: round(report.statsOf('shadow', 'cost_usd')?.sum ?? 0),
          mirroring: state.status === 'running' && state.stopped.shadow === undefined,
        }
      : null,
    history: state.history,
  };
}
