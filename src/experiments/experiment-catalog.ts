/** The experiments of one generation, compiled once: each definition, and each one's slot of its layer's units. */

import type { SwitchboardConfig } from '../config/config-schema.js';
import { compileExperiment, type ExperimentDefinition } from './experiment-definition.js';

export interface CatalogEntry {
  readonly definition: ExperimentDefinition;
  /** The part [start, end) of its layer's buckets whose units it takes. */
  readonly slotStart: number;
  readonly slotEnd: number;
}

export class ExperimentCatalog {
  readonly entries: readonly CatalogEntry[];
  readonly #byName: ReadonlyMap<string, CatalogEntry>;

  constructor(config: Pick<SwitchboardConfig, 'experiments'>) {
    const offsets = new Map<string, number>();
    const entries: CatalogEntry[] = [];
    // Layer members take consecutive slots in declared order; a member keeps its slot while disabled, so the others' units do not move.
    for (const [name, experimentConfig] of Object.entries(config.experiments)) {
      const definition = compileExperiment(name, experimentConfig);
      const start = offsets.get(definition.layer) ?? 0;
      const end = Math.min(1, start + experimentConfig.traffic);
      offsets.set(definition.layer, end);
      entries.push({ definition, slotStart: start, slotEnd: end });
    }
    this.entries = entries;
    this.#byName = new Map(entries.map((entry) => [entry.definition.name, entry]));
  }

  get(name: string): CatalogEntry | undefined {
    return this.#byName.get(name);
  }

  get size(): number {
    return this.entries.length;
  }
}
