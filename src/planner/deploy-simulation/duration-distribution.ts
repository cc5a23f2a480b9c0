/**
 * Durations ("250ms", "4s", "10min", "24h") and duration distributions ("4s-7s",
 * "uniform:4s,7s", "fixed:1s", "exponential:5s", "normal:5s,1s", "lognormal:1s,3s" with
 * median and p99), parsed from flags and the defaults file. Values are in milliseconds.
 */

import { exponentialDraw, type RandomSource } from '../../stats/seeded-random.js';

export interface DurationDistribution {
  /** The text it was parsed from, normalised. */
  readonly spec: string;
  readonly meanMs: number;
  /** The value below which `quantile` of draws fall. */
  quantileMs(quantile: number): number;
  sample(random: RandomSource): number;
}

const unitMs: Record<string, number> = { ms: 1, s: 1000, sec: 1000, m: 60_000, min: 60_000, h: 3_600_000 };

export class DistributionSyntaxError extends Error {
  override readonly name = 'DistributionSyntaxError';
}

/** "250ms", "4s", "1.5min", "24h"; a bare number needs a unit unless it is 0. */
export function parseDuration(text: string, fallbackUnit?: string): number {
  const match = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*([a-z]*)\s*$/i.exec(text);
  if (!match) throw new DistributionSyntaxError(`not a duration: ${JSON.stringify(text)} (write it like 250ms, 4s, 10min or 24h)`);
  const value = Number(match[1]);
  const unit = (match[2] ?? '').toLowerCase() || fallbackUnit;
  if (unit === undefined) {
    if (value === 0) return 0;
    throw new DistributionSyntaxError(`duration ${JSON.stringify(text)} needs a unit: ms, s, min or h`);
  }
  const factor = unitMs[unit];
  if (factor === undefined) throw new DistributionSyntaxError(`unknown unit ${JSON.stringify(unit)} in ${JSON.stringify(text)}: use ms, s, min or h`);
  return value * factor;
}

/** Inverse of the standard normal CDF (Acklam's rational approximation, relative error below 1.2e-9). */
export function inverseStandardNormal(probability: number): number {
  if (probability <= 0) return -Infinity;
  if (probability >= 1) return Infinity;
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const low = 0.02425;
  if (probability < low) {
    const q = Math.sqrt(-2 * Math.log(probability));
    return (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  }
  if (probability > 1 - low) return -inverseStandardNormal(1 - probability);
  const q = probability - 0.5;
  const r = q * q;
  return ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) / (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1);
}

const z99 = inverseStandardNormal(0.99);

/** A standard normal draw (Box–Muller; one of the pair is discarded to keep the stream stateless). */
export function standardNormal(random: RandomSource): number {
  const first = Math.max(random.next(), Number.MIN_VALUE);
  const second = random.next();
  return Math.sqrt(-2 * Math.log(first)) * Math.cos(2 * Math.PI * second);
}

export function fixedDuration(valueMs: number): DurationDistribution {
  return { spec: `fixed:${formatMs(valueMs)}`, meanMs: valueMs, quantileMs: () => valueMs, sample: () => valueMs };
}

export function uniformDuration(lowMs: number, highMs: number): DurationDistribution {
  if (highMs < lowMs) throw new DistributionSyntaxError(`uniform range ends before it starts: ${formatMs(lowMs)} > ${formatMs(highMs)}`);
  return {
    spec: `uniform:${formatMs(lowMs)},${formatMs(highMs)}`,
    meanMs: (lowMs + highMs) / 2,
    quantileMs: (quantile) => lowMs + quantile * (highMs - lowMs),
    sample: (random) => lowMs + random.next() * (highMs - lowMs),
  };
}

export function exponentialDuration(meanMs: number): DurationDistribution {
  return {
    spec: `exponential:${formatMs(meanMs)}`,
    meanMs,
    quantileMs: (quantile) => -meanMs * Math.log(1 - quantile),
    sample: (random) => exponentialDraw(random, meanMs),
  };
}

/** Normal, redrawn below zero (the mean is nominal when the spread reaches zero). */
export function normalDuration(meanMs: number, deviationMs: number): DurationDistribution {
  return {
    spec: `normal:${formatMs(meanMs)},${formatMs(deviationMs)}`,
    meanMs,
    quantileMs: (quantile) => Math.max(0, meanMs + deviationMs * inverseStandardNormal(quantile)),
    sample: (random) => {
      for (let attempt = 0; attempt < 16; attempt++) {
        const value = meanMs + deviationMs * standardNormal(random);
        if (value >= 0) return value;
      }
      return meanMs;
    },
  };
}

/** Log-normal given by its median and 99th percentile: a right-skewed latency with a tail. */
export function lognormalDuration(medianMs: number, p99Ms: number): DurationDistribution {
  if (medianMs <= 0) throw new DistributionSyntaxError('lognormal median must be positive');
  if (p99Ms < medianMs) throw new DistributionSyntaxError(`lognormal p99 (${formatMs(p99Ms)}) must be at least its median (${formatMs(medianMs)})`);
  const sigma = Math.log(p99Ms / medianMs) / z99;
  const mu = Math.log(medianMs);
  return {
    spec: `lognormal:${formatMs(medianMs)},${formatMs(p99Ms)}`,
    meanMs: Math.exp(mu + (sigma * sigma) / 2),
    quantileMs: (quantile) => Math.exp(mu + sigma * inverseStandardNormal(quantile)),
    sample: (random) => Math.exp(mu + sigma * standardNormal(random)),
  };
}

export function formatMs(valueMs: number): string {
  if (valueMs !== 0 && valueMs % 3_600_000 === 0) return `${valueMs / 3_600_000}h`;
  if (valueMs !== 0 && valueMs % 60_000 === 0) return `${valueMs / 60_000}min`;
  if (valueMs !== 0 && valueMs % 1000 === 0) return `${valueMs / 1000}s`;
  if (valueMs >= 1000) return `${Number((valueMs / 1000).toFixed(3))}s`;
  return `${Number(valueMs.toFixed(3))}ms`;
}

/** Parses a distribution; see the module comment for the forms. */
export function parseDistribution(text: string): DurationDistribution {
  const trimmed = text.trim();
  const colon = trimmed.indexOf(':');
  if (colon < 0) {
    // "4s-7s" or "4-7s": a uniform range, the unit of the upper end applying to a bare lower end.
    const range = /^(\d+(?:\.\d+)?)\s*([a-z]*)\s*(?:-|–|\.\.)\s*(\d+(?:\.\d+)?)\s*([a-z]+)$/i.exec(trimmed);
    if (range) {
      const upperUnit = range[4]!;
      return uniformDuration(parseDuration(`${range[1]}${range[2] || upperUnit}`), parseDuration(`${range[3]}${upperUnit}`));
    }
    return fixedDuration(parseDuration(trimmed));
  }
  const kind = trimmed.slice(0, colon).toLowerCase();
  const args = trimmed.slice(colon + 1).split(',').map((part) => parseDuration(part));
  const expect = (count: number, shape: string): void => {
    if (args.length !== count) throw new DistributionSyntaxError(`${kind} takes ${shape}, got ${JSON.stringify(text)}`);
  };
  switch (kind) {
    case 'fixed':
      expect(1, 'one duration (fixed:1s)');
      return fixedDuration(args[0]!);
    case 'uniform':
      expect(2, 'two durations (uniform:4s,7s)');
      return uniformDuration(args[0]!, args[1]!);
    case 'exponential':
      expect(1, 'its mean (exponential:5s)');
      return exponentialDuration(args[0]!);
    case 'normal':
      expect(2, 'mean and standard deviation (normal:5s,1s)');
      return normalDuration(args[0]!, args[1]!);
    case 'lognormal':
      expect(2, 'median and p99 (lognormal:1s,3s)');
      return lognormalDuration(args[0]!, args[1]!);
    default:
      throw new DistributionSyntaxError(`unknown distribution ${JSON.stringify(kind)}: use fixed, uniform, exponential, normal, lognormal or a range like 4s-7s`);
  }
}
