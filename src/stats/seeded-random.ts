/** Seeded randomness for the lab and the planner: a mulberry32 generator, a stateless 32-bit mixer, and independent streams per purpose. */

/** What a simulation draws from; SeededRandom is the implementation, tests may pass a fixed sequence. */
export interface RandomSource {
  /** A uniform number in [0, 1). */
  next(): number;
}

/** mulberry32: four multiplies per draw, a 2^32 period, and good enough spread for latencies, faults, arrivals and word picks. */
export class SeededRandom implements RandomSource {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A uniform 32-bit unsigned integer. */
  nextUint32(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let value = this.state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return (value ^ (value >>> 14)) >>> 0;
  }

  /** A uniform number in [0, 1). */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** A uniform integer in [0, maxExclusive). */
  int(maxExclusive: number): number {
    return Math.floor(this.next() * maxExclusive);
  }
}

/** The first rounds of the mixer: two 32-bit integers into one. Both public functions start here, so their outputs stay what they always were. */
function mixRounds(first: number, second: number): number {
  let value = Math.imul((first ^ 0x9e3779b9) >>> 0, 0x85ebca6b) ^ Math.imul(second >>> 0, 0xc2b2ae35);
  value ^= value >>> 16;
  value = Math.imul(value, 0x7feb352d);
  value ^= value >>> 15;
  return value >>> 0;
}

/** Mixes two 32-bit integers into one well-spread 32-bit integer; the same inputs always give the same output. */
export function mix32(first: number, second: number): number {
  let value = Math.imul(mixRounds(first, second), 0x846ca68b);
  value ^= value >>> 16;
  return value >>> 0;
}

/**
 * An independent stream for one purpose (arrivals, service times, one per platform), so
 * that changing how often one part draws does not shift the numbers another part sees.
 */
export function randomStream(seed: number, purpose: number): SeededRandom {
  return new SeededRandom(mixRounds(seed, purpose + 1));
}

/** An exponential draw with mean `mean`: the gap between Poisson arrivals, or a memoryless duration. `1 − u` keeps the logarithm off zero. */
export function exponentialDraw(random: RandomSource, mean: number): number {
  return -Math.log(1 - random.next()) * mean;
}
