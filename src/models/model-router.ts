/**
 * The model router's facade: picks a route's pools by its rules, then hands the call to the
 * caller chain (fallback across pools → retries within a pool → one attempt on one instance).
 */

import type { ChatCallRequest, ChatCallResult, TokenUsage } from '../chat/chat-types.js';
import type { SwitchboardConfig } from '../config/config-schema.js';
import { SwitchboardError } from '../errors.js';
import type { Logger } from '../telemetry/logger.js';
import { noopSpan, type Span } from '../telemetry/tracing.js';
import type { CallerSignal } from './caller-abort.js';
import type { ChatCaller, StreamStart } from './calling/chat-caller.js';
import { FallbackCaller } from './calling/fallback-caller.js';
import { InstanceCaller } from './calling/instance-caller.js';
import { ModelCall } from './calling/model-call.js';
import { RetryingCaller } from './calling/retrying-caller.js';
import { relayStream, type RelayedStream } from './calling/stream-relay.js';
import { TracingCaller } from './calling/tracing-caller.js';
import { ModelPool, type ModelPoolOptions } from './model-pool.js';
import { unsupportedField } from './providers/provider-fields.js';
import { newDecision, type RouteDecision } from './route-decision.js';
import { CompiledRoute, type RouteOverride, type RoutePlan, type RoutingHints } from './route-plan.js';
import type { RouterObserver } from './router-observer.js';

export type { RouteOverride, RoutingHints } from './route-plan.js';
export type { RouteDecision } from './route-decision.js';
export type { RouterObserver } from './router-observer.js';

/** Per call: an experiment variant's pools instead of the rules' (`override`), and the span the call is made for (`parent`). */
export interface RouterCallOptions {
  override?: RouteOverride;
  parent?: Span;
  /** The decision to fill in, so a call that fails still tells the access log where it went. */
  decision?: RouteDecision;
}

export interface RouterOptions {
  random?: () => number;
  /** Milliseconds, monotonic; breakers, cool-downs and scrape ages are measured on it. */
  now?: () => number;
  observer?: RouterObserver;
  /** Debug lines name the rule, pool and instance of each call. */
  logger?: Pick<Logger, 'debug' | 'isLevelEnabled'>;
  createProvider?: ModelPoolOptions['createProvider'];
}

export class ModelRouter {
  readonly pools = new Map<string, ModelPool>();
  /** When the routes were loaded: the `created` time of /v1/models entries. */
  readonly createdAt = Date.now();
  readonly #routes = new Map<string, CompiledRoute>();
  readonly #now: () => number;
  readonly #logger: RouterOptions['logger'];
  readonly #instances: InstanceCaller;
  readonly #caller: ChatCaller;

  constructor(config: Pick<SwitchboardConfig, 'pools' | 'routes'>, resolveUrl: (url: string) => string, options: RouterOptions = {}) {
    const random = options.random ?? Math.random;
    this.#now = options.now ?? (() => performance.now());
    this.#logger = options.logger;
    const observer = options.observer;
    this.#instances = new InstanceCaller({ now: this.#now, observer });
    this.#caller = new TracingCaller(new FallbackCaller(new RetryingCaller(this.#instances, { random, now: this.#now, observer }), observer), { now: this.#now });
    const poolOptions: ModelPoolOptions = {
      resolveUrl,
      random,
      createProvider: options.createProvider,
      onBreakerChange: observer && ((pool, instance, state) => observer.breakerChanged(pool, instance, state)),
    };
    for (const [name, pool] of Object.entries(config.pools)) {
      const built = new ModelPool(name, pool, poolOptions);
      this.pools.set(name, built);
      for (const instance of built.instances) observer?.breakerChanged(name, instance.name, instance.breaker.state);
    }
    for (const [name, route] of Object.entries(config.routes)) this.#routes.set(name, new CompiledRoute(name, route, this.pools));
  }

  /** The router's clock, for the load scraper. */
  now(): number {
    return this.#now();
  }

  routeNames(): string[] {
    return [...this.#routes.keys()];
  }

  hasRoute(name: string): boolean {
    return this.#routes.has(name);
  }

  /** The model name a route's primary pool sends upstream. */
  upstreamModel(route: string): string {
    return this.#routeOrThrow(route).defaultPlan.pools[0]!.config.model;
  }

  /** The pools and rule a call would use; for explaining and testing the rules. */
  plan(route: string, request: ChatCallRequest, hints?: RoutingHints): RoutePlan {
    return this.#routeOrThrow(route).select(request, hints);
  }

  #routeOrThrow(name: string): CompiledRoute {
    const route = this.#routes.get(name);
    if (!route) throw new SwitchboardError('model_not_found', `The model route "${name}" does not exist.`, { param: 'model' });
    return route;
  }

  #newCall(routeName: string, request: ChatCallRequest, signal: CallerSignal, hints: RoutingHints | undefined, options: RouterCallOptions | undefined, decision = newDecision(routeName)): ModelCall {
    const route = this.#routeOrThrow(routeName);
    const override = options?.override;
    const plan = override ? route.overridden(override, request, hints, this.pools) : route.select(request, hints);
    decision.rule = plan.rule;
    refuseUnsupportedFields(routeName, plan, request);
    return new ModelCall(request, signal, hints, plan, decision, options?.parent ?? noopSpan);
  }

  /** One whole answer; `options.override` (an experiment's variant) replaces the pools the rules would pick, `options.parent` is the span the call is made for. */
  async call(routeName: string, request: ChatCallRequest, signal: CallerSignal, hints?: RoutingHints, options?: RouterCallOptions): Promise<{ result: ChatCallResult; decision: RouteDecision }> {
    const call = this.#newCall(routeName, request, signal, hints, options, options?.decision);
    const result = await this.#caller.call(call);
    this.#logDecision(call.decision);
    return { result, decision: call.decision };
  }

  /** Embeddings of `input`, one vector per text in order, over the route's pools with the same retries, fallbacks and breakers as a chat call. */
  async embed(routeName: string, input: readonly string[], signal: CallerSignal, hints?: RoutingHints, options?: RouterCallOptions): Promise<{ vectors: number[][]; usage: TokenUsage; decision: RouteDecision }> {
    const request: ChatCallRequest = { model: '', messages: [], embeddingInput: input };
    const { result, decision } = await this.call(routeName, request, signal, hints, options);
    return { vectors: result.embeddings ?? [], usage: result.usage, decision };
  }

  /**
   * A streamed call. Retries and fallbacks happen only until the first part; once it is
   * handed to the caller a failure ends the iteration with an error, and the caller must
   * tell its client.
   */
  stream(routeName: string, request: ChatCallRequest, signal: CallerSignal, hints?: RoutingHints, options?: RouterCallOptions): { decision: RouteDecision; parts: RelayedStream } {
    this.#routeOrThrow(routeName);
    const decision = newDecision(routeName);
    // Nothing is called before the first part is asked for: the generator runs `begin` then.
    const begin = () => this.#startStream(routeName, request, signal, hints, options, decision);
    return { decision, parts: relayStream(begin, signal, this.#instances) };
  }

  async #startStream(routeName: string, request: ChatCallRequest, signal: CallerSignal, hints: RoutingHints | undefined, options: RouterCallOptions | undefined, decision: RouteDecision): Promise<StreamStart> {
    // The caller holds `decision` already: the chain fills it in as the call moves down.
    const start = await this.#caller.stream(this.#newCall(routeName, request, signal, hints, options, decision));
    this.#logDecision(decision);
    return start;
  }

  async close(): Promise<void> {
    await Promise.all([...this.pools.values()].map((pool) => pool.close()));
  }

  #logDecision(decision: RouteDecision): void {
    if (this.#logger?.isLevelEnabled('debug')) {
      this.#logger.debug({ route: decision.route, rule: decision.rule, pool: decision.pool, instance: decision.instance, attempts: decision.attempts }, 'model call routed');
    }
  }
}

/**
 * A field one of the plan's pools could not honour is refused before any call, naming the field: a fallback
 * to that pool would otherwise drop it silently. Every pool of the plan is checked, not only the first.
 */
function refuseUnsupportedFields(routeName: string, plan: RoutePlan, request: ChatCallRequest): void {
  for (const pool of plan.pools) {
    const field = unsupportedField(pool.config.provider, request);
    if (field === undefined) continue;
    throw new SwitchboardError(
      'invalid_request',
      `The field "${field.param}" is not supported on model route "${routeName}": its pool "${pool.name}" speaks ${pool.config.provider === 'anthropic' ? "Anthropic's Messages API" : pool.config.provider}, and ${field.reason}.`,
      { param: field.param },
    );
  }
}
