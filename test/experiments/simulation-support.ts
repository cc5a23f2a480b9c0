/** Seeded simulations of experiments for the statistics tests: draws, variants' sums, and the real analysis code run after every batch. */

import type { SwitchboardConfig } from '../../src/config/config-schema.js';
import { parseConfig } from '../../src/config/load-config.js';
import { initialState, type ControlState } from '../../src/experiments/control-state.js';
import { analyseExperiment, type ExperimentReport } from '../../src/experiments/experiment-analysis.js';
import { compileExperiment, type ExperimentDefinition } from '../../src/experiments/experiment-definition.js';
import { SeededRandom } from '../../src/stats/seeded-random.js';
import type { StatTotals } from '../../src/stores/store-types.js';

/** A standard normal draw (Box–Muller). */
export function normal(random: SeededRandom): number {
  const u = 1 - random.next();
  const v = random.next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** A latency draw: lognormal with this median and log-scale spread (skewed, as latencies are). */
export function lognormal(random: SeededRandom, median: number, spread: number): number {
  return median * Math.exp(spread * normal(random));
}

export function bernoulli(random: SeededRandom, probability: number): number {
  return random.next() < probability ? 1 : 0;
}

/** An experiment definition as the config would build it, with two variants and the given settings. */
/** A minimal valid config around `experiments`: pools `main` and `other`, route `assistant`, agent `helper`. */
export function configWith(experiments: Record<string, unknown>): SwitchboardConfig {
  return parseConfig({
    logging: { level: 'silent' },
    pools: { main: { model: 'm', instances: [{ url: 'http://127.0.0.1:1' }] }, other: { model: 'o', instances: [{ url: 'http://127.0.0.1:2' }] } },
    routes: { assistant: { pool: 'main' } },
    agents: { helper: { route: 'assistant' } },
    intent: { defaultAgent: 'helper' },
    experiments,
  });
}

/** `experiment` is config input: defaults fill what it leaves out. */
export function definitionWith(experiment: Record<string, unknown>, variants: Record<string, { weight: number }> = { control: { weight: 0.5 }, candidate: { weight: 0.5 } }): ExperimentDefinition {
  const config = configWith({ trial: { routes: ['assistant'], variants, ...experiment } });
  return compileExperiment('trial', config.experiments.trial!);
}

/** Running sums per (variant, metric), in the stored shape. */
export class SimulatedStats {
  readonly #rows = new Map<string, Map<string, StatTotals>>();

  add(variant: string, metric: string, value: number): void {
    this.addTotals(variant, metric, 1, value, value * value);
  }

  addTotals(variant: string, metric: string, count: number, sum: number, sumSquares: number): void {
    let metrics = this.#rows.get(variant);
    if (!metrics) this.#rows.set(variant, (metrics = new Map()));
    let row = metrics.get(metric);
    if (!row) metrics.set(metric, (row = { variant, metric, count: 0, sum: 0, sumSquares: 0 }));
    row.count += count;
    row.sum += sum;
    row.sumSquares += sumSquares;
  }

  /** Counts an assignment and its probability, as the engine does. */
  assign(variant: string, probabilities: Record<string, number>): void {
    this.add(variant, 'assigned', 1);
    for (const [name, probability] of Object.entries(probabilities)) this.add(name, 'expected', probability);
  }

  rows(): StatTotals[] {
    return [...this.#rows.values()].flatMap((metrics) => [...metrics.values()].map((row) => ({ ...row })));
  }

  analyse(definition: ExperimentDefinition, state: ControlState = initialState): ExperimentReport {
    return analyseExperiment(definition, state, this.rows());
  }
}
