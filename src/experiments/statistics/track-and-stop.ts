/**
 * Best-arm identification by track-and-stop (Garivier & Kaufmann 2016, "Optimal Best Arm
 * Identification with Fixed Confidence"), for Gaussian arms with plug-in variances: traffic
 * tracks the allocation that separates the best arm from each challenger fastest, with a floor
 * of forced exploration, and the experiment stops when the generalised likelihood ratio
 * between the leader and its closest challenger passes log((1 + ln N) / δ).
 */

export interface Arm {
  readonly name: string;
  readonly count: number;
  /** The mean on the "higher is better" scale (lower-is-better metrics are negated by the caller). */
  readonly mean: number;
  readonly variance: number;
}

/** The smallest variance assumed for an arm, so an arm whose first answers all agreed does not look infinitely certain. */
const varianceFloor = 1e-12;

function leaderIndex(arms: readonly Arm[]): number {
  let best = 0;
  for (let index = 1; index < arms.length; index++) if (arms[index]!.mean > arms[best]!.mean) best = index;
  return best;
}

/**
 * For a share `leaderShare` of the leader, the common value z that every challenger's
 * separation Δ²/(2(σ_b²/w_b + σ_j²/w_j)) reaches when the rest of the traffic is split to
 * equalise them, and the shares that do it; found by bisection on z.
 */
function equalisedShares(arms: readonly Arm[], leader: number, leaderShare: number): { value: number; shares: number[] } {
  const leaderNoise = Math.max(arms[leader]!.variance, varianceFloor) / leaderShare;
  let minimumGap = Number.POSITIVE_INFINITY;
  for (let index = 0; index < arms.length; index++) if (index !== leader) minimumGap = Math.min(minimumGap, (arms[leader]!.mean - arms[index]!.mean) ** 2);
  const sharesFor = (z: number): number[] =>
    arms.map((arm, index) => {
      if (index === leader) return leaderShare;
      const room = (arms[leader]!.mean - arm.mean) ** 2 / (2 * z) - leaderNoise;
      return room > 0 ? Math.max(arm.variance, varianceFloor) / room : Number.POSITIVE_INFINITY;
    });
  let low = 0;
  // Above this z the leader's own noise alone exceeds the closest challenger's gap.
  let high = minimumGap / (2 * leaderNoise);
  for (let step = 0; step < 60; step++) {
    const middle = (low + high) / 2;
    const total = sharesFor(middle).reduce((sum, share) => sum + share, 0);
    if (total > 1) high = middle;
    else low = middle;
  }
  return { value: low, shares: sharesFor(low) };
}

/**
 * The optimal allocation w* (golden-section search over the leader's share), as shares that
 * sum to 1. Uniform when the arms cannot be told apart yet (a tie for the lead, or one arm).
 */
export function optimalAllocation(arms: readonly Arm[]): number[] {
  const uniform = arms.map(() => 1 / arms.length);
  if (arms.length < 2) return uniform;
  const leader = leaderIndex(arms);
  if (arms.some((arm, index) => index !== leader && arm.mean === arms[leader]!.mean)) return uniform;
  const ratio = (Math.sqrt(5) - 1) / 2;
  let low = 1e-6;
  let high = 1 - 1e-6;
  for (let step = 0; step < 40; step++) {
    const left = high - ratio * (high - low);
    const right = low + ratio * (high - low);
    if (equalisedShares(arms, leader, left).value < equalisedShares(arms, leader, right).value) low = left;
    else high = right;
  }
  const { shares } = equalisedShares(arms, leader, (low + high) / 2);
  const total = shares.reduce((sum, share) => sum + (Number.isFinite(share) ? share : 0), 0);
  return shares.map((share) => (Number.isFinite(share) && total > 0 ? share / total : 0));
}

/** Shares moved towards uniform so that every arm gets at least `floor` (forced exploration). */
export function withExplorationFloor(shares: readonly number[], floor: number): number[] {
  const count = shares.length;
  const boundedFloor = Math.min(floor, 1 / count);
  // Mixing with uniform by ε gives each arm at least ε/K; the smallest ε that meets the floor.
  let mix = 0;
  for (const share of shares) if (share < boundedFloor) mix = Math.max(mix, (boundedFloor - share) / (1 / count - share));
  return shares.map((share) => (1 - mix) * share + mix / count);
}

export interface StoppingCheck {
  /** The arm with the best mean. */
  readonly leader: string;
  /** min over challengers j of (μ_b − μ_j)² / (2(σ_b²/n_b + σ_j²/n_j)). */
  readonly statistic: number;
  /** log((1 + ln N) / δ), N the total count. */
  readonly threshold: number;
  readonly stop: boolean;
}

/** Whether the leader is the best arm with confidence 1 − δ; never before every arm has `minimumSamples`. */
export function glrStoppingCheck(arms: readonly Arm[], delta: number, minimumSamples: number): StoppingCheck {
  const leader = leaderIndex(arms);
  const best = arms[leader]!;
  let statistic = Number.POSITIVE_INFINITY;
  let total = 0;
  for (let index = 0; index < arms.length; index++) {
    const arm = arms[index]!;
    total += arm.count;
    if (index === leader) continue;
    const noise = Math.max(best.variance, varianceFloor) / best.count + Math.max(arm.variance, varianceFloor) / arm.count;
    statistic = Math.min(statistic, (best.mean - arm.mean) ** 2 / (2 * noise));
  }
  const threshold = Math.log((1 + Math.log(Math.max(total, 1))) / delta);
  const ready = arms.every((arm) => arm.count >= minimumSamples);
  return { leader: best.name, statistic, threshold, stop: ready && arms.length > 1 && statistic > threshold };
}
