/** Prometheus metrics of one runtime, on a registry of its own so several runtimes can live in one process (tests). */

import { CounterCell } from './counter-cell.js';
import { HistogramCell } from './histogram-cell.js';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from './prom-client-core.js';

const stageBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
// From a few microseconds (rules, trained) to seconds (an LLM judge at its timeout).
const intentBuckets = [0.00001, 0.00005, 0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
const upstreamBuckets = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30, 60];

export class Metrics {
  readonly registry = new Registry();
  readonly requests = new Counter({ name: 'switchboard_requests_total', help: 'HTTP requests answered, by route pattern, status code and model route (empty when the request called no model).', labelNames: ['route', 'code', 'model_route'], registers: [this.registry] });
  readonly inflight = new Gauge({ name: 'switchboard_inflight_requests', help: 'Requests being served now (turns, chat completions).', registers: [this.registry] });
  readonly stageDuration = new Histogram({ name: 'switchboard_stage_duration_seconds', help: 'Time spent in each pipeline stage of a turn.', labelNames: ['stage'], buckets: stageBuckets, registers: [this.registry] });
  readonly upstreamDuration = new Histogram({ name: 'switchboard_upstream_duration_seconds', help: 'Duration of each upstream model call attempt, failed ones included.', labelNames: ['pool', 'instance'], buckets: upstreamBuckets, registers: [this.registry] });
  readonly upstreamFailures = new Counter({ name: 'switchboard_upstream_failures_total', help: 'Upstream model call attempts that failed.', labelNames: ['pool', 'instance'], registers: [this.registry] });
  readonly upstreamTtft = new Histogram({ name: 'switchboard_upstream_ttft_seconds', help: 'Time to first token of upstream calls.', labelNames: ['pool'], buckets: upstreamBuckets, registers: [this.registry] });
  readonly tokens = new Counter({ name: 'switchboard_tokens_total', help: 'Tokens sent to and received from models, by tenant, pool, model and direction (input, output).', labelNames: ['tenant', 'pool', 'model', 'direction'], registers: [this.registry] });
  readonly upstreamRetries = new Counter({ name: 'switchboard_upstream_retries_total', help: 'Attempts made again in the same pool after a retryable upstream failure, by model route and pool.', labelNames: ['model_route', 'pool'], registers: [this.registry] });
  readonly fallbacks = new Counter({ name: 'switchboard_fallbacks_total', help: "Calls moved to the plan's next pool, by model route and the pools it left and went to.", labelNames: ['model_route', 'from', 'to'], registers: [this.registry] });
  readonly breakerTransitions = new Counter({ name: 'switchboard_upstream_breaker_transitions_total', help: 'Circuit breaker changes of each upstream instance, by the state entered (closed, half_open, open).', labelNames: ['pool', 'instance', 'state'], registers: [this.registry] });
  readonly turns = new Counter({ name: 'switchboard_turns_total', help: 'Turns answered, by the agent that answered and the detected intent.', labelNames: ['agent', 'intent'], registers: [this.registry] });
  readonly breakerState = new Gauge({ name: 'switchboard_upstream_breaker_state', help: 'Circuit breaker of each upstream instance: 0 closed, 1 half-open, 2 open.', labelNames: ['pool', 'instance'], registers: [this.registry] });
  readonly configGeneration = new Gauge({ name: 'switchboard_config_generation', help: 'The config generation serving new requests: 1 at start, one more per applied reload.', registers: [this.registry] });
  readonly configReloads = new Counter({ name: 'switchboard_config_reloads_total', help: 'Config reloads by outcome: applied, unchanged, invalid, refused (a restart-only section changed), failed.', labelNames: ['outcome'], registers: [this.registry] });
  readonly costUsd = new Counter({ name: 'switchboard_cost_usd_total', help: 'Model cost in US dollars from the configured prices, by tenant and pool.', labelNames: ['tenant', 'pool'], registers: [this.registry] });
  readonly admissionQueued: Gauge = new Gauge({ name: 'switchboard_admission_queued', help: 'Requests waiting for an admission slot now (read at each scrape).', registers: [this.registry], collect: (): void => this.admissionQueued.set(this.#admission?.queued ?? 0) });
  readonly admissionLimits = new Gauge({ name: 'switchboard_admission_limits', help: 'The admission limits of this process: max_in_flight and max_queued.', labelNames: ['limit'], registers: [this.registry] });
  readonly admissionRejections = new Counter({ name: 'switchboard_admission_rejections_total', help: 'Requests refused by admission control, by tenant and reason (rate_limited, tenant_concurrency_exceeded, server_overloaded).', labelNames: ['tenant', 'reason'], registers: [this.registry] });
  readonly intentDecisions = new Counter({ name: 'switchboard_intent_decisions_total', help: 'Intent decisions by the tier that decided (or ask, default, clarified) and the intent (none for out of scope, ask for a clarifying question).', labelNames: ['tier', 'intent'], registers: [this.registry] });
  readonly intentTierDuration = new Histogram({ name: 'switchboard_intent_tier_duration_seconds', help: 'Time each intent tier took per message it saw (the LLM tier includes its model call).', labelNames: ['tier'], buckets: intentBuckets, registers: [this.registry] });

  /** Label-bound children, so the hot path does no label lookups. */
  readonly #stageChildren = new Map<string, HistogramCell>();
  readonly #tokenChildren = new Map<string, { input: CounterCell; output: CounterCell }>();
  readonly #requestCells = new Map<string, Map<number, Map<string, CounterCell>>>();
  readonly #turnCells = new Map<string, CounterCell>();
  readonly #costCells = new Map<string, CounterCell>();
  /** By pool, then instance: an attempt's duration and failures are counted once per attempt, every request. */
  readonly #upstreamChildren = new Map<string, Map<string, { duration: HistogramCell; failures: ReturnType<Counter['labels']> }>>();
  readonly #ttftChildren = new Map<string, HistogramCell>();
  #admission: { readonly queued: number } | undefined;

  constructor(options: { defaultMetrics?: boolean } = {}) {
    if (options.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry });
  }

  observeStage(stage: string, seconds: number): void {
    let child = this.#stageChildren.get(stage);
    if (!child) {
      child = new HistogramCell(this.stageDuration, { stage });
      this.#stageChildren.set(stage, child);
    }
    child.observe(seconds);
  }

  /** One answered request, by route pattern, status and model route. */
  countRequest(route: string, code: number, modelRoute: string): void {
    // Nested maps: the route patterns and model routes are the same strings every time (their hashes kept), where a joined key was a new string to hash per request.
    let byCode = this.#requestCells.get(route);
    if (!byCode) this.#requestCells.set(route, (byCode = new Map()));
    let byModelRoute = byCode.get(code);
    if (!byModelRoute) byCode.set(code, (byModelRoute = new Map()));
    let cell = byModelRoute.get(modelRoute);
    if (!cell) byModelRoute.set(modelRoute, (cell = new CounterCell(this.requests, { route, code: String(code), model_route: modelRoute })));
    cell.inc();
  }

  /** One answered turn, by the agent that answered and the detected intent. */
  countTurn(agent: string, intent: string): void {
    const key = `${agent}\u0000${intent}`;
    let cell = this.#turnCells.get(key);
    if (!cell) this.#turnCells.set(key, (cell = new CounterCell(this.turns, { agent, intent })));
    cell.inc();
  }

  countTokens(tenant: string, pool: string, model: string, input: number, output: number): void {
    const key = `${tenant}\u0000${pool}\u0000${model}`;
    let children = this.#tokenChildren.get(key);
    if (!children) {
      children = { input: new CounterCell(this.tokens, { tenant, pool, model, direction: 'input' }), output: new CounterCell(this.tokens, { tenant, pool, model, direction: 'output' }) };
      this.#tokenChildren.set(key, children);
    }
    if (input > 0) children.input.inc(input);
    if (output > 0) children.output.inc(output);
  }

  /** The admission controller whose queue is read at each scrape, and its limits. */
  observeAdmission(admission: { readonly queued: number }, limits: { maxInFlight: number; maxQueued: number }): void {
    this.#admission = admission;
    this.admissionLimits.labels('max_in_flight').set(limits.maxInFlight);
    this.admissionLimits.labels('max_queued').set(limits.maxQueued);
  }

  admissionRejected(tenant: string, reason: string): void {
    this.admissionRejections.labels(tenant, reason).inc();
  }

  upstreamEnded(pool: string, instance: string, seconds: number, ok: boolean): void {
    let instances = this.#upstreamChildren.get(pool);
    if (!instances) this.#upstreamChildren.set(pool, (instances = new Map()));
    let children = instances.get(instance);
    if (!children) instances.set(instance, (children = { duration: new HistogramCell(this.upstreamDuration, { pool, instance }), failures: this.upstreamFailures.labels(pool, instance) }));
    children.duration.observe(seconds);
    if (!ok) children.failures.inc();
  }

  firstToken(pool: string, seconds: number): void {
    let child = this.#ttftChildren.get(pool);
    if (!child) this.#ttftChildren.set(pool, (child = new HistogramCell(this.upstreamTtft, { pool })));
    child.observe(seconds);
  }

  breakerChanged(pool: string, instance: string, state: number): void {
    this.breakerState.labels(pool, instance).set(state);
  }

  countCost(tenant: string, pool: string, usd: number): void {
    const key = `${tenant}\u0000${pool}`;
    let cell = this.#costCells.get(key);
    if (!cell) this.#costCells.set(key, (cell = new CounterCell(this.costUsd, { tenant, pool })));
    cell.inc(usd);
  }
}
