/**
 * The experiments of one generation as one service: assignment for each request, the statistics
 * buffer, the monitor that syncs live state with the store and acts on it, shadow traffic,
 * feedback, and the API's reads and admin actions. Live state lives in the store, so it outlives
 * the generation: a reload builds a new engine that reads the same state.
 */

import type { SwitchboardConfig } from '../config/config-schema.js';
import { SwitchboardError } from '../errors.js';
import type { ModelRouter } from '../models/model-router.js';
import type { UsageRecorder } from '../models/usage-recorder.js';
import type { ExperimentStore, FeedbackRecord, StatIncrement, VariantRef } from '../stores/store-types.js';
import type { Logger } from '../telemetry/logger.js';
import { isActive, type ControlState } from './control-state.js';
import { ExperimentCatalog, type CatalogEntry } from './experiment-catalog.js';
import { liveVariant, shadowVariant } from './experiment-definition.js';
import { promoteChange, rampChange, stopChange, type RampInput, type StopInput } from './experiment-admin.js';
import { assignedMetric, expectedMetric, feedbackMetric } from './experiment-metrics.js';
import { ExperimentMonitor } from './experiment-monitor.js';
import { experimentSummaryView, experimentView } from './experiment-view.js';
import { RequestExperiments } from './request-experiments.js';
import { ShadowMirror } from './shadow-mirror.js';
import { StatsBuffer } from './stats-buffer.js';
import { assignVariants, withPinnedVariant, type AssignedVariant, type AssignmentRequest } from './variant-assignment.js';

export interface ExperimentEngineOptions {
  store: ExperimentStore;
  router: Pick<ModelRouter, 'call' | 'stream' | 'plan'>;
  usage: Pick<UsageRecorder, 'record'>;
  logger: Pick<Logger, 'info' | 'warn' | 'debug'>;
  now?: () => number;
  /** For shadow sampling. */
  random?: () => number;
}

export interface FeedbackInput {
  tenant: string;
  turnId?: string;
  sessionId?: string;
  /** The metric's name without the `feedback.` prefix. */
  metric: string;
  value: number;
  comment?: string;
}

export interface FeedbackOutcome {
  recorded: boolean;
  feedback: FeedbackRecord;
}

/** Units cached as pinned, per engine; past it the cache starts over (a pin is also in the store). */
const maxCachedPins = 20_000;

export class ExperimentEngine {
  readonly catalog: ExperimentCatalog;
  readonly monitor: ExperimentMonitor;
  readonly buffer: StatsBuffer;
  readonly mirror: ShadowMirror;
  readonly #store: ExperimentStore;
  readonly #router: Pick<ModelRouter, 'plan'>;
  readonly #logger: ExperimentEngineOptions['logger'];
  readonly #now: () => number;
  readonly #random: () => number;
  readonly #sync: SwitchboardConfig['experimentSync'];
  readonly #ttlSeconds: number;
  readonly #pins = new Map<string, string>();
  readonly #hasBandit: boolean;

  constructor(config: Pick<SwitchboardConfig, 'experiments' | 'experimentSync' | 'sessions'>, options: ExperimentEngineOptions) {
    this.catalog = new ExperimentCatalog(config);
    this.#store = options.store;
    this.#router = options.router;
    this.#logger = options.logger;
    this.#now = options.now ?? Date.now;
    this.#random = options.random ?? Math.random;
    this.#sync = config.experimentSync;
    this.#ttlSeconds = config.sessions.ttlSeconds;
    this.#hasBandit = this.catalog.entries.some((entry) => entry.definition.mode === 'bandit');
    this.buffer = new StatsBuffer(options.store, options.logger);
    this.mirror = new ShadowMirror(options.router, options.usage, this.buffer, options.logger);
    this.monitor = new ExperimentMonitor(this.catalog, options.store, {
      refreshMs: config.experimentSync.refreshMs,
      now: this.#now,
      logger: options.logger,
      onChange: (definition, _previous, next) => {
        const latest = next.history[next.history.length - 1];
        this.#logger.info({ experiment: definition.name, status: next.status, event: latest?.event }, 'experiment state changed');
      },
    });
  }

  /** Reads every experiment's live state once (the generation serves only after), then keeps syncing. */
  async start(): Promise<void> {
    if (this.catalog.size === 0) return;
    await this.monitor.start();
    this.buffer.start(this.#sync.flushMs);
  }

  /** Whether any experiment is configured: when none is, a request pays for nothing more than this check. */
  get active(): boolean {
    return this.catalog.size > 0;
  }

  /**
   * The experiments a request is in; undefined when none applies. Synchronous (it reads cached
   * state only) unless a bandit has to look up or write a unit's pin.
   */
  assign(request: AssignmentRequest & { readonly tenant: string }): RequestExperiments | undefined | Promise<RequestExperiments | undefined> {
    if (this.catalog.size === 0) return undefined;
    const assigned = assignVariants(this.catalog, request, (name) => this.monitor.stateOf(name));
    if (this.#hasBandit && assigned.some((one) => one.definition.mode === 'bandit' && one.recorded)) {
      return Promise.all(assigned.map((one) => this.#pinned(one))).then((pinned) => this.#finish(pinned, request));
    }
    return this.#finish(assigned, request);
  }

  #finish(assigned: AssignedVariant[], request: AssignmentRequest): RequestExperiments | undefined {
    const shadows = this.#sampleShadows(request);
    if (assigned.length === 0 && shadows.length === 0) return undefined;
    for (const one of assigned) {
      if (!one.recorded) continue;
      this.buffer.observe(one.definition.name, one.variant.name, assignedMetric, 1);
      for (const [variant, probability] of one.probabilities ?? []) this.buffer.add(one.definition.name, variant, expectedMetric, 1, probability, probability * probability);
    }
    for (const definition of shadows) this.buffer.observe(definition.name, liveVariant, assignedMetric, 1);
    return new RequestExperiments(assigned, shadows, { buffer: this.buffer, mirror: this.mirror, router: this.#router });
  }

  /** A bandit keeps a unit where it first landed while the weights move; other modes are sticky by the hash alone. */
  async #pinned(one: AssignedVariant): Promise<AssignedVariant> {
    if (one.definition.mode !== 'bandit' || !one.recorded) return one;
    const key = `${one.definition.name}\u0000${one.unitKey}`;
    let pinned = this.#pins.get(key);
    if (pinned === undefined) {
      pinned = await this.#store.pinVariant(one.definition.name, one.unitKey, one.variant.name, this.#ttlSeconds);
      if (this.#pins.size >= maxCachedPins) this.#pins.clear();
      this.#pins.set(key, pinned);
    }
    return withPinnedVariant(one, pinned, this.monitor.stateOf(one.definition.name));
  }

  #sampleShadows(request: AssignmentRequest) {
    const sampled = [];
    for (const { definition } of this.catalog.entries) {
      if (definition.mode !== 'shadow' || !definition.config.enabled) continue;
      const applies = request.agent ? definition.appliesToTurn(request.agent.name, request.agent.config) : definition.appliesToRoute(request.route);
      if (!applies || !isActive(this.monitor.stateOf(definition.name), shadowVariant)) continue;
      if (this.#random() < definition.config.shadow!.share) sampled.push(definition);
    }
    return sampled;
  }

  /** Keeps which variants served a committed turn (or completion), off the caller's clock; a lost write is logged. */
  recordExposure(id: string, tenant: string, sessionId: string | undefined, experiments: RequestExperiments | undefined): void {
    const variants = experiments?.counted ?? [];
    const record = { id, tenant, at: this.#now(), variants, ...(sessionId === undefined ? {} : { sessionId }) };
    setImmediate(() => {
      this.#store.recordExposure(record, this.#ttlSeconds).catch((error: unknown) => this.#logger.warn({ err: (error as Error).message, id }, 'recording a turn\'s variants failed'));
    });
  }

  /** Feedback on a turn (or completion) or a session, counted once per target and metric for the variants that served it. */
  async feedback(input: FeedbackInput): Promise<FeedbackOutcome> {
    const targetKind = input.turnId !== undefined ? 'turn' : 'session';
    const targetId = input.turnId ?? input.sessionId!;
    const exposure = targetKind === 'turn' ? await this.#store.findExposure(input.tenant, targetId) : await this.#store.latestExposure(input.tenant, targetId);
    if (targetKind === 'turn' && exposure === undefined) throw new SwitchboardError('turn_not_found', `No turn or completion "${targetId.slice(0, 200)}".`, { param: 'turn_id' });
    const metric = feedbackMetric(input.metric);
    const variants: VariantRef[] = (exposure?.variants ?? []).filter((ref) => {
      const entry = this.catalog.get(ref.experiment);
      return entry !== undefined && entry.definition.mode !== 'shadow' && entry.definition.variantsByName.has(ref.variant);
    });
    const feedback: FeedbackRecord = { tenant: input.tenant, targetKind, targetId, metric, value: input.value, at: this.#now(), variants, ...(input.comment === undefined ? {} : { comment: input.comment }) };
    const increments: StatIncrement[] = variants.map((ref) => ({ experiment: ref.experiment, variant: ref.variant, metric, count: 1, sum: input.value, sumSquares: input.value * input.value }));
    const outcome = await this.#store.recordFeedback(feedback, increments);
    if (outcome === 'recorded') return { recorded: true, feedback };
    const first = await this.#store.findFeedback(input.tenant, targetKind, targetId, metric);
    return { recorded: false, feedback: first ?? feedback };
  }

  #entry(name: string): CatalogEntry {
    const entry = this.catalog.get(name);
    if (!entry) {
      const known = this.catalog.entries.map((one) => one.definition.name);
      throw new SwitchboardError('experiment_not_found', `No experiment "${name.slice(0, 100)}"${known.length ? `; known: ${known.join(', ')}` : ' (none is configured)'}.`);
    }
    return entry;
  }

  async list() {
    return Promise.all(
      this.catalog.entries.map(async ({ definition }) => {
        const { state, report } = await this.monitor.fresh(definition);
        return experimentSummaryView(definition, state, report);
      }),
    );
  }

  async describe(name: string) {
    const { definition } = this.#entry(name);
    const { state, report } = await this.monitor.fresh(definition);
    return experimentView(definition, state, report);
  }

  async #change(name: string, change: (definition: CatalogEntry['definition']) => (state: ControlState) => ControlState) {
    const { definition } = this.#entry(name);
    await this.monitor.update(definition, change(definition));
    return this.describe(name);
  }

  stop(name: string, input: StopInput) {
    return this.#change(name, (definition) => stopChange(definition, input, this.#now()));
  }

  promote(name: string, variant: string) {
    return this.#change(name, (definition) => promoteChange(definition, variant, this.#now()));
  }

  async ramp(name: string, input: RampInput) {
    const { definition } = this.#entry(name);
    const { report } = await this.monitor.fresh(definition);
    return this.#change(name, () => rampChange(definition, input, report, this.#now()));
  }

  /** Adds this process's buffered statistics to the store now. */
  flush(): Promise<void> {
    return this.buffer.flush();
  }

  /** A retired generation stops deciding (its successor does) but still counts its last requests. */
  retire(): void {
    this.monitor.stop();
  }

  async close(): Promise<void> {
    this.monitor.stop();
    this.mirror.close();
    await this.buffer.close();
  }
}
