/**
 * Pearson's chi-square goodness of fit, for the sample-ratio-mismatch check: do the observed
 * assignment counts fit the weights the assignment was meant to follow? The p-value is the
 * regularised upper incomplete gamma function Q(k/2, x/2), computed by its series below
 * a + 1 and by Lentz's continued fraction above (Numerical Recipes, 3rd ed., §6.2).
 */

const epsilon = 1e-15;
const tiny = 1e-300;
const maxIterations = 1000;

/** ln Γ(x) for x > 0, Lanczos (g = 7, n = 9), accurate to ~1e-15 relative. */
export function logGamma(x: number): number {
  const coefficients = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012,
    9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  const shifted = x - 1;
  let sum = coefficients[0]!;
  for (let index = 1; index < coefficients.length; index++) sum += coefficients[index]! / (shifted + index);
  const t = shifted + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (shifted + 0.5) * Math.log(t) - t + Math.log(sum);
}

/** P(a, x) by its power series; converges fast for x < a + 1. */
function lowerSeries(a: number, x: number): number {
  let term = 1 / a;
  let sum = term;
  for (let n = 1; n < maxIterations; n++) {
    term *= x / (a + n);
    sum += term;
    if (Math.abs(term) < Math.abs(sum) * epsilon) break;
  }
  return sum * Math.exp(-x + a * Math.log(x) - logGamma(a));
}

/** Q(a, x) by the modified Lentz continued fraction; converges fast for x ≥ a + 1. */
function upperFraction(a: number, x: number): number {
  let b = x + 1 - a;
  let c = 1 / tiny;
  let d = 1 / b;
  let h = d;
  for (let n = 1; n < maxIterations; n++) {
    const an = -n * (n - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < epsilon) break;
  }
  return Math.exp(-x + a * Math.log(x) - logGamma(a)) * h;
}

/** The regularised upper incomplete gamma function Q(a, x) = Γ(a, x) / Γ(a). */
export function regularizedUpperGamma(a: number, x: number): number {
  if (!(a > 0) || !(x >= 0)) return Number.NaN;
  if (x === 0) return 1;
  return x < a + 1 ? 1 - lowerSeries(a, x) : upperFraction(a, x);
}

/** P(χ²_k ≥ statistic). */
export function chiSquareSurvival(statistic: number, degreesOfFreedom: number): number {
  return regularizedUpperGamma(degreesOfFreedom / 2, statistic / 2);
}

export interface GoodnessOfFit {
  readonly statistic: number;
  readonly degreesOfFreedom: number;
  readonly pValue: number;
}

/** Σ (O − E)² / E over the groups with E > 0; k − 1 degrees of freedom. Undefined with fewer than two groups or no data. */
export function chiSquareGoodnessOfFit(observed: readonly number[], expected: readonly number[]): GoodnessOfFit | undefined {
  let statistic = 0;
  let groups = 0;
  for (let index = 0; index < observed.length; index++) {
    const wanted = expected[index]!;
    if (!(wanted > 0)) continue;
    const difference = observed[index]! - wanted;
    statistic += (difference * difference) / wanted;
    groups++;
  }
  if (groups < 2) return undefined;
  return { statistic, degreesOfFreedom: groups - 1, pValue: chiSquareSurvival(statistic, groups - 1) };
}
