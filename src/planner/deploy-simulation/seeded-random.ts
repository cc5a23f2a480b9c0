/** Seeded randomness for the deploy simulation, so every plan is reproducible from its seed. */

import { SeededRandom } from '../../lab/seeded-random.js';

/** The lab's mulberry32 generator: one PRNG for the whole project. */
export { SeededRandom };

export interface RandomSource {
  /** A uniform number in [0, 1). */
  next(): number;
}

/**
 * An independent stream for one purpose (arrivals, service times, Lambda, Kubernetes), so
 * that changing how often one part draws does not shift the numbers another part sees.
 */
export function randomStream(seed: number, purpose: number): SeededRandom {
  let mixed = Math.imul((seed ^ 0x9e3779b9) >>> 0, 0x85ebca6b) ^ Math.imul((purpose + 1) >>> 0, 0xc2b2ae35);
  mixed ^= mixed >>> 16;
  mixed = Math.imul(mixed, 0x7feb352d);
  mixed ^= mixed >>> 15;
  return new SeededRandom(mixed >>> 0);
}

/** A standard normal draw (Box–Muller; one of the pair is discarded to keep the stream stateless). */
export function standardNormal(random: RandomSource): number {
  const first = Math.max(random.next(), Number.MIN_VALUE);
  const second = random.next();
  return Math.sqrt(-2 * Math.log(first)) * Math.cos(2 * Math.PI * second);
}
