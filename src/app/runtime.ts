/**
 * The composition root: builds the long-lived base once and a generation from the config, and
 * swaps generations without dropping a request. The HTTP server, the Lambda handler, the CLI and
 * the tests all run on it; nothing below this layer imports it.
 */

import { isDeepStrictEqual } from 'node:util';
import type { SwitchboardConfig } from '../config/config-schema.js';
import type { LlmSimulator } from '../lab/llm-simulator.js';
import type { ReloadReport, ServerHost } from '../server/server-host.js';
import type { Store } from '../stores/store-types.js';
import type { Logger } from '../telemetry/logger.js';
import type { Metrics } from '../telemetry/metrics.js';
import { poolChanges, readSource, reloadReport, restartOnlyChanges, type ConfigSource } from './config-reload.js';
import { Generation } from './generation.js';
import { createRuntimeBase, type RuntimeBase, type RuntimeOptions as BaseOptions } from './runtime-base.js';

export type { ConfigSource } from './config-reload.js';

export interface RuntimeOptions extends BaseOptions {
  /** Where `reload()` reads the config again; without it a reload rebuilds from the config the runtime started with. */
  configSource?: ConfigSource;
}

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
  /**
   * Reads the config source again and, if it is valid and changes only reloadable sections,
   * swaps in a generation built from it; otherwise the current one keeps serving. Reloads run
   * one at a time. Never throws: the report says what happened.
   */
  reload(): Promise<ReloadReport>;
  close(): Promise<void>;
}

export async function createRuntime(config: SwitchboardConfig, options: RuntimeOptions = {}): Promise<Runtime> {
  const started = performance.now();
  const base = await createRuntimeBase(config, options);
  const source: ConfigSource = options.configSource ?? { name: 'the config the process started with', load: () => config };
  const { metrics, logger } = base;
  let current: Generation;
  // Swaps and reloads run one after another, so generation numbers and retirements never interleave.
  let queue: Promise<unknown> = Promise.resolve();
  const serially = <T>(work: () => Promise<T>): Promise<T> => {
    const run = queue.then(work, work);
    queue = run.catch(() => undefined);
    return run;
  };
  const retiring = new Set<Generation>();
  const swapNow = async (next: SwitchboardConfig): Promise<Generation> => {
    const built = await Generation.build(current.number + 1, next, base, reload);
    const previous = current;
    current = built;
    metrics.configGeneration.set(built.number);
    retiring.add(previous);
    previous
      .retire()
      .catch((error: unknown) => logger.warn({ err: (error as Error).message, generation: previous.number }, 'closing a retired generation failed'))
      .finally(() => retiring.delete(previous));
    return built;
  };
  const reloadNow = async (): Promise<ReloadReport> => {
    const generation = current.number;
    const read = readSource(source, generation);
    let report: ReloadReport;
    if ('report' in read) {
      report = read.report;
    } else {
      const next = read.config;
      const restartOnly = restartOnlyChanges(base.config, next);
      const pools = poolChanges(current.config, next);
      if (restartOnly.length > 0) {
        report = reloadReport('refused', {
          generation,
          source: source.name,
          message: `the new config changes ${restartOnly.join(', ')}, which only a restart applies; nothing was reloaded`,
          problems: restartOnly,
        });
      } else if (isDeepStrictEqual(next, current.config)) {
        report = reloadReport('unchanged', { generation, source: source.name, message: 'the config is the one serving; nothing to reload' });
      } else {
        try {
          const built = await swapNow(next);
          report = reloadReport('applied', { generation: built.number, source: source.name, message: `generation ${built.number} serves the new config`, ...pools });
        } catch (error) {
          report = reloadReport('failed', { generation, source: source.name, message: `building the new generation failed: ${(error as Error).message}; the current one keeps serving`, problems: [(error as Error).message] });
        }
      }
    }
    metrics.configReloads.labels(report.outcome).inc();
    const log = { outcome: report.outcome, generation: report.generation, source: report.source, problems: report.problems, poolsAdded: report.poolsAdded, poolsRemoved: report.poolsRemoved };
    if (report.outcome === 'applied' || report.outcome === 'unchanged') logger.info(log, `config reload: ${report.message}`);
    else logger.error(log, `config reload ${report.outcome}: ${report.message}`);
    return report;
  };
  const reload = (): Promise<ReloadReport> => serially(reloadNow);
  try {
    current = await Generation.build(1, config, base, reload);
  } catch (error) {
    await base.close();
    throw error;
  }
  metrics.configGeneration.set(1);
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
    swap: (next) => serially(() => swapNow(next)),
    reload,
    async close() {
      await Promise.all([current, ...retiring].map((generation) => generation.close()));
      await base.close();
    },
  };
}
