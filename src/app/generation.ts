/**
 * A generation: everything built from the reloadable part of the config — pools and their load
 * scraper, routes, agents, intent, usage pricing — over the runtime's long-lived base. Every
 * request holds the generation it started on until its response is over; a retired generation
 * closes its pools once the last such request has let go.
 */

import { limitsTokens } from '../access/create-rate-limiter.js';
import type { SwitchboardConfig } from '../config/config-schema.js';
import { ExperimentEngine } from '../experiments/experiment-engine.js';
import type { TieredIntentClassifier } from '../intent/tiered-intent-classifier.js';
import { buildIntentCascade, type BuiltIntentCascade } from '../intent/build-intent-cascade.js';
import { BackendLoadScraper } from '../models/backend-load-scraper.js';
import { ModelRouter } from '../models/model-router.js';
import { UsageRecorder } from '../models/usage-recorder.js';
import { consoleSnapshot } from '../server/console/console-snapshot.js';
import type { HeldGeneration, ReloadReport, RouteServices } from '../server/server-host.js';
import { intentMetricsObserver, routerMetricsObserver, usageMetricsObserver } from './metrics-observers.js';
import type { RuntimeBase } from './runtime-base.js';

export class Generation implements HeldGeneration {
  /** 1 for the config the process started with, one more per swap. */
  readonly number: number;
  readonly config: SwitchboardConfig;
  readonly router: ModelRouter;
  readonly intent: TieredIntentClassifier;
  readonly usage: UsageRecorder;
  readonly experiments: ExperimentEngine;
  readonly services: RouteServices;
  readonly #scraper: BackendLoadScraper;
  readonly #intent: BuiltIntentCascade;
  #held = 0;
  #retired = false;
  #retiring: Promise<void> | undefined;
  #closing: Promise<void> | undefined;
  #closedFlag = false;
  #whenIdle: (() => void) | undefined;

  private constructor(number: number, config: SwitchboardConfig, base: RuntimeBase, reload: () => Promise<ReloadReport>) {
    this.number = number;
    this.config = config;
    this.router = new ModelRouter(config, base.resolveUrl, { observer: routerMetricsObserver(base.metrics, base.logger), logger: base.logger });
    this.#scraper = new BackendLoadScraper(this.router.pools.values(), { now: () => this.router.now(), logger: base.logger });
    this.#intent = buildIntentCascade(config, {
      router: this.router,
      embeddings: base.store.embeddings,
      observer: intentMetricsObserver(base.metrics),
      warn: (message, error) => base.logger.warn({ err: (error as Error)?.message }, message),
    });
    this.intent = this.#intent.cascade;
    this.usage = new UsageRecorder(this.router.pools.values(), base.store.usage, {
      observer: usageMetricsObserver(base.metrics, base.admission, limitsTokens(config)),
      logger: base.logger,
    });
    this.experiments = new ExperimentEngine(config, { store: base.store.experiments, router: this.router, usage: this.usage, logger: base.logger });
    this.services = {
      generation: number,
      authenticator: base.authenticator,
      admission: base.admission,
      budgets: base.budgets,
      sessions: base.store.sessions,
      store: base.store,
      metrics: base.metrics,
      metricsKey: config.server.metricsKey,
      logger: base.logger,
      router: this.router,
      usage: this.usage,
      intent: this.intent,
      agents: config.agents,
      sessionSettings: config.sessions,
      experiments: this.experiments,
      recentTurns: base.recentTurns,
      consoleSnapshot: () =>
        consoleSnapshot({ sampler: base.consoleSampler, recentTurns: base.recentTurns, generation: number, routes: config.routes, pools: this.router.pools, experiments: this.experiments }),
      reload,
    };
  }

  /**
   * Builds a generation; queue-aware pools get their engines' numbers, and experiments their live
   * state from the store, and the embedding intent tier its example vectors, before the first call.
   */
  static async build(number: number, config: SwitchboardConfig, base: RuntimeBase, reload: () => Promise<ReloadReport>): Promise<Generation> {
    const generation = new Generation(number, config, base, reload);
    try {
      await Promise.all([generation.#scraper.start(), generation.experiments.start(), generation.#intent.prepare()]);
    } catch (error) {
      await generation.close();
      throw error;
    }
    return generation;
  }

  /** Requests running on this generation now. */
  get held(): number {
    return this.#held;
  }

  get retired(): boolean {
    return this.#retired;
  }

  /** True once its pools and scraper are closed. */
  get closed(): boolean {
    return this.#closedFlag;
  }

  /** Takes the generation for one request; the server calls release() when the response is over. */
  hold(): this {
    this.#held++;
    return this;
  }

  release(): void {
    this.#held--;
    if (this.#held === 0) this.#whenIdle?.();
  }

  /** Takes no new requests (the runtime hands out its successor) and closes once the last one held ends; resolves then. */
  retire(): Promise<void> {
    this.#retired = true;
    this.experiments.retire();
    this.#retiring ??= (this.#held === 0 ? Promise.resolve() : new Promise<void>((resolve) => (this.#whenIdle = resolve))).then(() => this.close());
    return this.#retiring;
  }

  /** Closes now, held requests or not: for shutdown, after the server drained what it could. */
  close(): Promise<void> {
    this.#retired = true;
    return (this.#closing ??= this.#close());
  }

  async #close(): Promise<void> {
    await this.experiments.close();
    await this.#scraper.close();
    await this.router.close();
    this.#closedFlag = true;
  }
}
