/**
 * Each process's view of its experiments' live state: every `refreshMs` it reads each
 * experiment's state and statistics from the store, analyses them, and acts (guardrail stops,
 * ramp steps, bandit weights, decisions) with a compare-and-set, so a change made by any pod
 * reaches every pod within one refresh and is written once. Requests read the cached state.
 */

import type { ExperimentStore } from '../stores/store-types.js';
import type { Logger } from '../telemetry/logger.js';
import { initialState, parseControlState, type ControlState } from './control-state.js';
import { analyseExperiment, type ExperimentReport } from './experiment-analysis.js';
import type { ExperimentCatalog } from './experiment-catalog.js';
import { nextControlState } from './experiment-controller.js';
import type { ExperimentDefinition } from './experiment-definition.js';

export interface MonitorOptions {
  refreshMs: number;
  now: () => number;
  logger: Pick<Logger, 'info' | 'warn'>;
  /** Told of every state this process wrote, for logs and metrics. */
  onChange?: (definition: ExperimentDefinition, previous: ControlState, next: ControlState) => void;
}

interface Cached {
  revision: number;
  state: ControlState;
}

/** A change that could not be applied: the state as it is and why. */
export class StateChangeRefused extends Error {
  override readonly name = 'StateChangeRefused';
}

const updateAttempts = 8;

export class ExperimentMonitor {
  readonly #catalog: ExperimentCatalog;
  readonly #store: ExperimentStore;
  readonly #options: MonitorOptions;
  readonly #cache = new Map<string, Cached>();
  readonly #reports = new Map<string, ExperimentReport>();
  #timer: NodeJS.Timeout | undefined;
  #refreshing: Promise<void> | undefined;

  constructor(catalog: ExperimentCatalog, store: ExperimentStore, options: MonitorOptions) {
    this.#catalog = catalog;
    this.#store = store;
    this.#options = options;
  }

  /** The cached state; the initial one until the first read. */
  stateOf(name: string): ControlState {
    return this.#cache.get(name)?.state ?? initialState;
  }

  /** The report of the last refresh. */
  reportOf(name: string): ExperimentReport | undefined {
    return this.#reports.get(name);
  }

  /** Reads and acts once now; the first call is awaited before the generation serves. */
  refresh(): Promise<void> {
    this.#refreshing ??= Promise.all(this.#catalog.entries.map((entry) => this.#refreshOne(entry.definition))).then(
      () => {
        this.#refreshing = undefined;
      },
      (error: unknown) => {
        this.#refreshing = undefined;
        throw error;
      },
    );
    return this.#refreshing;
  }

  async #read(name: string): Promise<Cached> {
    const document = await this.#store.readControl(name);
    const cached = document === undefined ? { revision: 0, state: initialState } : { revision: document.revision, state: parseControlState(document.state) };
    this.#cache.set(name, cached);
    return cached;
  }

  async #refreshOne(definition: ExperimentDefinition): Promise<void> {
    const [cached, stats] = await Promise.all([this.#read(definition.name), this.#store.stats(definition.name)]);
    const report = analyseExperiment(definition, cached.state, stats);
    this.#reports.set(definition.name, report);
    const next = nextControlState(definition, cached.state, report, this.#options.now());
    if (next === undefined) return;
    if (await this.#store.writeControl(definition.name, cached.revision, next)) {
      this.#cache.set(definition.name, { revision: cached.revision + 1, state: next });
      this.#options.onChange?.(definition, cached.state, next);
    } else {
      // Another pod wrote first: take its state; this pod decides again on the next refresh.
      await this.#read(definition.name);
    }
  }

  /** Starts refreshing every `refreshMs` after one refresh now. */
  async start(): Promise<void> {
    await this.refresh();
    this.#timer ??= setInterval(() => {
      this.refresh().catch((error: unknown) => this.#options.logger.warn({ err: (error as Error).message }, 'refreshing experiments from the store failed'));
    }, this.#options.refreshMs);
    this.#timer.unref();
  }

  /** Stops refreshing (a retired generation: its successor decides now). */
  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /**
   * Applies `change` to the stored state with a compare-and-set, retrying against concurrent
   * writers; `change` throws StateChangeRefused (or any error) to refuse.
   */
  async update(definition: ExperimentDefinition, change: (state: ControlState) => ControlState): Promise<ControlState> {
    for (let attempt = 0; attempt < updateAttempts; attempt++) {
      const cached = await this.#read(definition.name);
      const next = change(cached.state);
      if (next === cached.state) return next;
      if (await this.#store.writeControl(definition.name, cached.revision, next)) {
        this.#cache.set(definition.name, { revision: cached.revision + 1, state: next });
        this.#options.onChange?.(definition, cached.state, next);
        return next;
      }
    }
    throw new Error(`experiment ${definition.name}: the state kept changing under ${updateAttempts} attempts to update it`);
  }

  /** The state and report read fresh from the store, for the API: every pod answers the same from the same store. */
  async fresh(definition: ExperimentDefinition): Promise<{ state: ControlState; report: ExperimentReport }> {
    const [cached, stats] = await Promise.all([this.#read(definition.name), this.#store.stats(definition.name)]);
    return { state: cached.state, report: analyseExperiment(definition, cached.state, stats) };
  }
}
