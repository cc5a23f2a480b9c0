/**
 * The composition root: builds the long-lived base once and a generation from the config, and
 * swaps generations without dropping a request. The HTTP server, the Lambda handler, the CLI and
 * the tests all run on it; nothing below this layer imports it.
 */

import type { SwitchboardConfig } from '../config/config-schema.js';
import type { LlmSimulator } from '../lab/llm-simulator.js';
import type { ServerHost } from '../server/server-host.js';
import type { Store } from '../stores/store-types.js';
import type { Logger } from '../telemetry/logger.js';
import type { Metrics } from '../telemetry/metrics.js';
import { Generation } from './generation.js';
import { createRuntimeBase, type RuntimeBase, type RuntimeOptions } from './runtime-base.js';

export type { RuntimeOptions } from './runtime-base.js';

export interface Runtime extends ServerHost {
  readonly base: RuntimeBase;
  readonly store: Store;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly simulators: readonly LlmSimulator[];
  /** The generation new requests start on. */
  readonly current: Generation;
  /** Milliseconds the runtime took to build. */
  readonly buildMs: number;
  acquire(): Generation;
  /**
   * Builds a generation from `config` and makes it current: requests already running finish on
   * the one they started on, which is closed once they have. Resolves with the new generation;
   * if building fails, the current one keeps serving and the error is thrown.
   */
  swap(config: SwitchboardConfig): Promise<Generation>;
  close(): Promise<void>;
}

export async function createRuntime(config: SwitchboardConfig, options: RuntimeOptions = {}): Promise<Runtime> {
  const started = performance.now();
  const base = await createRuntimeBase(config, options);
  let current: Generation;
  try {
    current = await Generation.build(1, config, base);
  } catch (error) {
    await base.close();
    throw error;
  }
  const retiring = new Set<Generation>();
  return {
    base,
    store: base.store,
    logger: base.logger,
    metrics: base.metrics,
    tracer: base.tracer,
    simulators: base.simulators,
    settings: config.server,
    buildMs: performance.now() - started,
    get current() {
      return current;
    },
    acquire: () => current.hold(),
    async swap(next) {
      const built = await Generation.build(current.number + 1, next, base);
      const previous = current;
      current = built;
      retiring.add(previous);
      previous
        .retire()
        .catch((error: unknown) => base.logger.warn({ err: (error as Error).message, generation: previous.number }, 'closing a retired generation failed'))
        .finally(() => retiring.delete(previous));
      return built;
    },
    async close() {
      await Promise.all([current, ...retiring].map((generation) => generation.close()));
      await base.close();
    },
  };
}
