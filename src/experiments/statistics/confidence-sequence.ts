/**
 * Always-valid confidence sequences from the normal mixture boundary (Robbins 1970; Howard,
 * Ramdas, McAuliffe & Sekhon 2021, eq. (14); in its asymptotic, plug-in-variance form by
 * Waudby-Smith, Arnold, Wu, Ramdas et al. 2021 — the boundary GrowthBook and Eppo use; it is
 * also the inversion of Johari, Pekelis & Walsh's mSPRT). An interval from it may be looked at
 * after every observation: the chance that it ever excludes the true value is at most α.
 */

/**
 * The optimal tuning: with u = Nρ², the half-width at N* observations is smallest when
 * u = −2 ln α + ln(1 + u) (from setting the derivative of (1+u)/u · (ln(1+u) − 2 ln α) to 0).
 * A few fixed-point steps converge to 1e-12.
 */
export function optimalMixingFactor(alpha: number): number {
  let u = mixingFactors.get(alpha);
  if (u !== undefined) return u;
  const base = -2 * Math.log(alpha);
  u = base;
  for (let step = 0; step < 60; step++) u = base + Math.log(1 + u);
  if (mixingFactors.size < 64) mixingFactors.set(alpha, u);
  return u;
}

/** Computed once per α: a few configured levels, so the cache stays tiny. */
const mixingFactors = new Map<number, number>();

export interface SequenceSettings {
  /** The error rate over the whole sequence, both sides together. */
  readonly alpha: number;
  /** The number of observations (both groups together for a difference) where the interval is tightest. */
  readonly tuningSamples: number;
}

/**
 * Half-width of the interval for an estimate whose variance is `estimatorVariance` after
 * `observations` observations: sqrt( v(v+τ²)/τ² · (2 ln(1/α) + ln((v+τ²)/v)) ) with
 * τ² = v·N·ρ², ρ² = u* ÷ N*. Written as the equivalent σ·sqrt(2(Nρ²+1)/(N²ρ²) · ln(√(Nρ²+1)/α))
 * with σ² = N·v, which stays finite for every N ≥ 1.
 */
export function mixtureHalfWidth(estimatorVariance: number, observations: number, settings: SequenceSettings): number {
  if (!(estimatorVariance >= 0) || !(observations >= 1)) return Number.POSITIVE_INFINITY;
  const rhoSquared = optimalMixingFactor(settings.alpha) / settings.tuningSamples;
  const spread = observations * rhoSquared;
  const unitVariance = observations * estimatorVariance;
  const radiusSquared = (unitVariance * 2 * (spread + 1) * Math.log(Math.sqrt(spread + 1) / settings.alpha)) / (observations * observations * rhoSquared);
  return Math.sqrt(radiusSquared);
}

export interface Interval {
  readonly estimate: number;
  readonly lower: number;
  readonly upper: number;
}

/** The interval for one group's mean. */
export function meanSequence(mean: number, variance: number, count: number, settings: SequenceSettings): Interval {
  const halfWidth = mixtureHalfWidth(variance / count, count, settings);
  return { estimate: mean, lower: mean - halfWidth, upper: mean + halfWidth };
}

export interface GroupSummary {
  readonly count: number;
  readonly mean: number;
  readonly variance: number;
}

/** The interval for treatment − control, two independent groups (Welch's variance of the difference). */
export function differenceSequence(treatment: GroupSummary, control: GroupSummary, settings: SequenceSettings): Interval {
  const estimate = treatment.mean - control.mean;
  const estimatorVariance = treatment.variance / treatment.count + control.variance / control.count;
  const halfWidth = mixtureHalfWidth(estimatorVariance, treatment.count + control.count, settings);
  return { estimate, lower: estimate - halfWidth, upper: estimate + halfWidth };
}
