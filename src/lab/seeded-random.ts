/** A small seeded PRNG (mulberry32) and a stateless 32-bit mixer: all of the simulator's randomness comes from here. */

/** Mixes two 32-bit integers into one well-spread 32-bit integer; the same inputs always give the same output. */
export function mix32(first: number, second: number): number {
  let value = Math.imul((first ^ 0x9e3779b9) >>> 0, 0x85ebca6b) ^ Math.imul(second >>> 0, 0xc2b2ae35);
  value ^= value >>> 16;
  value = Math.imul(value, 0x7feb352d);
  value ^= value >>> 15;
  value = Math.imul(value, 0x846ca68b);
  value ^= value >>> 16;
  return value >>> 0;
}

/** mulberry32: four multiplies per draw, a 2^32 period, and good enough spread for latencies, faults and word picks. */
export class SeededRandom {
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

/** `mean` moved by a uniform relative jitter: `draw` in [0, 1) maps to [mean·(1−jitter), mean·(1+jitter)). */
export function jittered(mean: number, jitter: number, draw: number): number {
  return mean * (1 + jitter * (2 * draw - 1));
}
