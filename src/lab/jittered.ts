/** The simulator's jitter: a uniform draw in [0, 1) moves a mean latency by up to ± a fraction of itself. */

/** `mean` moved by a uniform relative jitter: `draw` in [0, 1) maps to [mean·(1−jitter), mean·(1+jitter)). */
export function jittered(mean: number, jitter: number, draw: number): number {
  return mean * (1 + jitter * (2 * draw - 1));
}
