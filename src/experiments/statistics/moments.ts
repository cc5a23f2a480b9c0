/**
 * Mean and variance from the additive form the store keeps: count, sum and sum of squares.
 * Additive, so every pod's increments commute and none is lost (docs/experiments.md says why
 * this form rather than Welford's running mean and M2, and how accurate it stays).
 */

export interface Moments {
  readonly count: number;
  readonly sum: number;
  readonly sumSquares: number;
}

export const emptyMoments: Moments = { count: 0, sum: 0, sumSquares: 0 };

export function addMoments(left: Moments, right: Moments): Moments {
  return { count: left.count + right.count, sum: left.sum + right.sum, sumSquares: left.sumSquares + right.sumSquares };
}

/** The moments of one observation. */
export function momentsOf(value: number): Moments {
  return { count: 1, sum: value, sumSquares: value * value };
}

export function meanOf(moments: Moments): number {
  return moments.count > 0 ? moments.sum / moments.count : Number.NaN;
}

/**
 * The unbiased sample variance, (Σx² − (Σx)²/n) / (n − 1). The subtraction loses relative
 * precision of about ε·mean²/variance (ε = 2⁻⁵³); it is clamped at zero so rounding can never
 * make it negative.
 */
export function varianceOf(moments: Moments): number {
  const { count, sum, sumSquares } = moments;
  if (count < 2) return Number.NaN;
  const centred = sumSquares - (sum * sum) / count;
  return Math.max(0, centred / (count - 1));
}
