/**
 * From an experiment's stored sums to what can be said about it: each variant's means with
 * always-valid intervals, each variant against the control, the guardrails, the sample-ratio
 * check and the decision the primary metric supports. Pure: every pod that reads the same sums
 * computes the same report.
 */

import type { StatTotals } from '../stores/store-types.js';
import { currentWeights, isActive, type ControlState, type DecisionKind } from './control-state.js';
import type { ExperimentDefinition, GuardrailDefinition } from './experiment-definition.js';
import { assignedMetric, expectedMetric, isRateMetric, reportedMetrics } from './experiment-metrics.js';
import { chiSquareGoodnessOfFit } from './statistics/chi-square.js';
import { differenceSequence, meanSequence, type Interval, type SequenceSettings } from './statistics/confidence-sequence.js';
import { meanOf, varianceOf, type Moments } from './statistics/moments.js';

/** GrowthBook's default: a p-value under this flags broken assignment. */
export const srmThreshold = 0.001;
/** Below this many expected assignments per variant the chi-square approximation is not trusted. */
const srmMinimumExpected = 5;

export interface MetricSummary {
  readonly count: number;
  readonly mean: number;
  readonly stddev: number;
  /** Always-valid at the experiment's α; undefined below two observations. */
  readonly interval: Interval | undefined;
}

export interface VariantReport {
  readonly name: string;
  readonly configuredWeight: number;
  /** The weight assignment follows now. */
  readonly weight: number;
  readonly active: boolean;
  readonly requests: number;
  readonly metrics: ReadonlyMap<string, MetricSummary>;
}

export interface Comparison {
  readonly variant: string;
  readonly metric: string;
  readonly difference: number;
  /** difference ÷ the control's mean (a point estimate). */
  readonly relative: number | undefined;
  readonly interval: Interval;
  /** The interval excludes 0 and both groups have the minimum samples. */
  readonly significant: boolean;
}

export interface GuardrailCheck {
  readonly variant: string;
  readonly guardrail: GuardrailDefinition;
  readonly samples: number;
  readonly estimate: number;
  /** The one-sided bound compared with the limit: the lower end for max and maxIncrease, the upper for min. */
  readonly bound: number;
  readonly breached: boolean;
}

export interface SampleRatioCheck {
  readonly applicable: boolean;
  readonly reason?: string;
  readonly observed: Readonly<Record<string, number>>;
  readonly expected: Readonly<Record<string, number>>;
  readonly statistic?: number;
  readonly degreesOfFreedom?: number;
  readonly pValue?: number;
  readonly mismatch: boolean;
}

export interface DecisionCandidate {
  readonly kind: DecisionKind;
  readonly variant?: string;
  readonly reason: string;
}

export interface ExperimentReport {
  readonly variants: readonly VariantReport[];
  readonly comparisons: readonly Comparison[];
  readonly guardrails: readonly GuardrailCheck[];
  readonly srm: SampleRatioCheck;
  /** What the primary metric supports now (fixed and shadow experiments); recorded decisions live in the state. */
  readonly candidate: DecisionCandidate;
  /** Requests of the variant being ramped, for the step's sample gate. */
  readonly statsOf: (variant: string, metric: string) => Moments | undefined;
}

function summarise(moments: Moments, settings: SequenceSettings): MetricSummary {
  const mean = meanOf(moments);
  const variance = varianceOf(moments);
  return {
    count: moments.count,
    mean,
    stddev: Math.sqrt(variance),
    interval: moments.count >= 2 ? meanSequence(mean, variance, moments.count, settings) : undefined,
  };
}

function indexStats(stats: readonly StatTotals[]): Map<string, Map<string, Moments>> {
  const byVariant = new Map<string, Map<string, Moments>>();
  for (const row of stats) {
    let metrics = byVariant.get(row.variant);
    if (!metrics) byVariant.set(row.variant, (metrics = new Map()));
    metrics.set(row.metric, { count: row.count, sum: row.sum, sumSquares: row.sumSquares });
  }
  return byVariant;
}

/** Metrics in report order: the built-in ones, then feedback and guardrail rates as they appear. */
function metricsPresent(byVariant: Map<string, Map<string, Moments>>): string[] {
  const extra = new Set<string>();
  for (const metrics of byVariant.values()) for (const metric of metrics.keys()) if (metric !== assignedMetric && metric !== expectedMetric && !(reportedMetrics as readonly string[]).includes(metric)) extra.add(metric);
  return [...reportedMetrics, ...[...extra].sort()];
}

/** The variance a guardrail's one-sample interval uses: a rate's is at least the one its limit implies, so a few lucky zeros cannot make it certain. */
function guardrailVariance(metric: string, moments: Moments, limit: number): number {
  const sample = varianceOf(moments);
  if (!isRateMetric(metric)) return sample;
  const mean = meanOf(moments);
  const atLimit = limit > 0 && limit < 1 ? limit * (1 - limit) : 0;
  return Math.max(sample, mean * (1 - mean), atLimit);
}

function checkGuardrail(
  definition: ExperimentDefinition,
  guardrail: GuardrailDefinition,
  variant: string,
  byVariant: Map<string, Map<string, Moments>>,
): GuardrailCheck | undefined {
  const config = definition.config;
  const settings: SequenceSettings = { alpha: config.alpha, tuningSamples: config.guardrailTuningSamples };
  const moments = byVariant.get(variant)?.get(guardrail.metric);
  if (!moments || moments.count < 2) return undefined;
  const ready = moments.count >= config.guardrailMinSamples;
  const mean = meanOf(moments);
  if (guardrail.kind === 'maxIncrease') {
    const control = byVariant.get(definition.control)?.get(guardrail.metric);
    if (!control || control.count < 2) return undefined;
    const interval = differenceSequence(
      { count: moments.count, mean, variance: guardrailVariance(guardrail.metric, moments, 0) },
      { count: control.count, mean: meanOf(control), variance: guardrailVariance(guardrail.metric, control, 0) },
      settings,
    );
    const breached = ready && control.count >= config.guardrailMinSamples && interval.lower > guardrail.limit;
    return { variant, guardrail, samples: moments.count, estimate: interval.estimate, bound: interval.lower, breached };
  }
  const interval = meanSequence(mean, guardrailVariance(guardrail.metric, moments, guardrail.limit), moments.count, settings);
  const bound = guardrail.kind === 'max' ? interval.lower : interval.upper;
  const breached = ready && (guardrail.kind === 'max' ? bound > guardrail.limit : bound < guardrail.limit);
  return { variant, guardrail, samples: moments.count, estimate: mean, bound, breached };
}

function sampleRatio(definition: ExperimentDefinition, state: ControlState, byVariant: Map<string, Map<string, Moments>>): SampleRatioCheck {
  const observed: Record<string, number> = {};
  const expected: Record<string, number> = {};
  for (const variant of definition.variants) {
    observed[variant.name] = byVariant.get(variant.name)?.get(assignedMetric)?.count ?? 0;
    expected[variant.name] = byVariant.get(variant.name)?.get(expectedMetric)?.sum ?? 0;
  }
  if (definition.mode === 'shadow') return { applicable: false, reason: 'a shadow experiment mirrors a sample of calls; it assigns no units', observed, expected, mismatch: false };
  if (definition.mode === 'bandit') return { applicable: false, reason: 'a bandit pins units where they first landed, so counts follow past weights', observed, expected, mismatch: false };
  const names = definition.variants.map((variant) => variant.name).filter((name) => (expected[name] ?? 0) > 0);
  const fit = chiSquareGoodnessOfFit(
    names.map((name) => observed[name]!),
    names.map((name) => expected[name]!),
  );
  if (!fit) return { applicable: false, reason: 'fewer than two variants have traffic', observed, expected, mismatch: false };
  const enough = names.every((name) => expected[name]! >= srmMinimumExpected);
  return {
    applicable: true,
    observed,
    expected,
    statistic: fit.statistic,
    degreesOfFreedom: fit.degreesOfFreedom,
    pValue: fit.pValue,
    mismatch: enough && fit.pValue < srmThreshold && state.status === 'running',
  };
}

function decide(definition: ExperimentDefinition, comparisons: readonly Comparison[], byVariant: Map<string, Map<string, Moments>>, state: ControlState): DecisionCandidate {
  const { name: metric, higherIsBetter } = definition.config.primaryMetric;
  const config = definition.config;
  const treatments = definition.variants.filter((variant) => variant.name !== definition.control && isActive(state, variant.name));
  if (treatments.length === 0) return { kind: 'running', reason: 'no active variant besides the control' };
  const primary = comparisons.filter((comparison) => comparison.metric === metric && treatments.some((variant) => variant.name === comparison.variant));
  const better = (comparison: Comparison) => (higherIsBetter ? comparison.interval.lower > 0 : comparison.interval.upper < 0);
  const worse = (comparison: Comparison) => (higherIsBetter ? comparison.interval.upper < 0 : comparison.interval.lower > 0);
  const winners = primary.filter((comparison) => comparison.significant && better(comparison));
  if (winners.length > 0) {
    const best = winners.reduce((left, right) => ((higherIsBetter ? right.difference > left.difference : right.difference < left.difference) ? right : left));
    return { kind: 'winner', variant: best.variant, reason: `${best.variant} beats ${definition.control} on ${metric}: difference ${formatInterval(best.interval)}` };
  }
  if (primary.length === treatments.length && primary.every((comparison) => comparison.significant && worse(comparison))) {
    return { kind: 'winner', variant: definition.control, reason: `${definition.control} beats every variant on ${metric}` };
  }
  const maxSamples = config.maxSamples;
  if (maxSamples !== undefined) {
    const counts = [definition.control, ...treatments.map((variant) => variant.name)].map((name) => byVariant.get(name)?.get(metric)?.count ?? 0);
    if (counts.every((count) => count >= maxSamples)) return { kind: 'no difference', reason: `every variant reached ${maxSamples} samples of ${metric} and no interval excludes 0` };
  }
  return { kind: 'running', reason: `no interval of ${metric} excludes 0 yet` };
}

function formatInterval(interval: Interval): string {
  return `${interval.estimate.toPrecision(4)} [${interval.lower.toPrecision(4)}, ${interval.upper.toPrecision(4)}]`;
}

export function analyseExperiment(definition: ExperimentDefinition, state: ControlState, stats: readonly StatTotals[]): ExperimentReport {
  const config = definition.config;
  const byVariant = indexStats(stats);
  const treatments = definition.variants.filter((variant) => variant.name !== definition.control);
  // Bonferroni over the treatments: each comparison at α / (k − 1), so the family's error stays at α.
  const comparisonSettings: SequenceSettings = { alpha: config.alpha / Math.max(1, treatments.length), tuningSamples: config.tuningSamples };
  const summarySettings: SequenceSettings = { alpha: config.alpha, tuningSamples: config.tuningSamples };
  const weights = currentWeights(definition, state);
  const metrics = metricsPresent(byVariant);
  const variants: VariantReport[] = definition.variants.map((variant) => {
    const stored = byVariant.get(variant.name);
    const summaries = new Map<string, MetricSummary>();
    for (const metric of metrics) {
      const moments = stored?.get(metric);
      if (moments && moments.count > 0) summaries.set(metric, summarise(moments, summarySettings));
    }
    return {
      name: variant.name,
      configuredWeight: variant.configuredWeight,
      weight: definition.mode === 'shadow' ? (variant.name === 'shadow' ? (config.shadow?.share ?? 0) : 1) : (weights.get(variant.name) ?? 0),
      active: isActive(state, variant.name),
      requests: stored?.get(assignedMetric)?.count ?? 0,
      metrics: summaries,
    };
  });
  const comparisons: Comparison[] = [];
  const control = byVariant.get(definition.control);
  for (const treatment of treatments) {
    const stored = byVariant.get(treatment.name);
    for (const metric of metrics) {
      const left = stored?.get(metric);
      const right = control?.get(metric);
      if (!left || !right || left.count < 2 || right.count < 2) continue;
      const interval = differenceSequence(
        { count: left.count, mean: meanOf(left), variance: varianceOf(left) },
        { count: right.count, mean: meanOf(right), variance: varianceOf(right) },
        comparisonSettings,
      );
      const controlMean = meanOf(right);
      comparisons.push({
        variant: treatment.name,
        metric,
        difference: interval.estimate,
        relative: controlMean !== 0 ? interval.estimate / controlMean : undefined,
        interval,
        significant: left.count >= config.minSamples && right.count >= config.minSamples && (interval.lower > 0 || interval.upper < 0),
      });
    }
  }
  const guardrails: GuardrailCheck[] = [];
  for (const treatment of treatments) {
    for (const guardrail of definition.guardrails) {
      const check = checkGuardrail(definition, guardrail, treatment.name, byVariant);
      if (check) guardrails.push(check);
    }
  }
  return {
    variants,
    comparisons,
    guardrails,
    srm: sampleRatio(definition, state, byVariant),
    candidate: decide(definition, comparisons, byVariant, state),
    statsOf: (variant, metric) => byVariant.get(variant)?.get(metric),
  };
}
