/** The model router: picks a route's pools by its rules, then runs one call with timeouts, retries, breakers and fallbacks. */

import type { SwitchboardConfig } from '../config/config-schema.js';
import { SwitchboardError, isSwitchboardError } from '../errors.js';
import type { Logger } from '../telemetry/logger.js';
import { backoffDelayMs, sleep } from './backoff.js';
import type { BalanceRequest } from './balancers/balancer.js';
import type { ChatCallRequest, ChatCallResult, ChatStreamPart } from './chat-types.js';
import type { BreakerState } from './circuit-breaker.js';
import type { InstanceState } from './instance-state.js';
import { ModelPool, type ModelPoolOptions } from './model-pool.js';
import { CompiledRoute, estimateCostUsd, type RoutePlan, type RoutingHints } from './route-plan.js';
import { estimatePromptTokens } from './token-estimate.js';
import { UpstreamAttempt, type AttemptOutcome } from './upstream-attempt.js';
import { UpstreamError, isUpstreamError } from './upstream-error.js';

export type { RoutingHints } from './route-plan.js';

/** Why a call went where it went; returned with every turn. */
export interface RouteDecision {
  route: string;
  /** The rule that chose the pools, or `default`. */
  rule: string;
  /** The pool and instance of the last attempt: the ones that answered when the call succeeded. */
  pool: string;
  instance: string;
  /** The model name that pool sends upstream. */
  model: string;
  attempts: number;
}

export interface RouterObserver {
  upstreamEnded(pool: string, instance: string, seconds: number, ok: boolean): void;
  firstToken(pool: string, seconds: number): void;
  /** Called for every instance at start (closed) and on each change. */
  breakerChanged(pool: string, instance: string, state: BreakerState): void;
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

/** Retry-After values past this are treated as this: a backend's odd answer must not bench an instance for hours. */
const maxCooldownMs = 5 * 60_000;

/** What a streamed attempt hands back once its first part arrived. */
interface StreamStart {
  first: ChatStreamPart;
  iterator: AsyncIterator<ChatStreamPart>;
  attempt: UpstreamAttempt;
}

type AttemptRunner<T> = (attempt: UpstreamAttempt, request: ChatCallRequest) => Promise<T>;

export class ModelRouter {
  readonly pools = new Map<string, ModelPool>();
  /** When the routes were loaded: the `created` time of /v1/models entries. */
  readonly createdAt = Date.now();
  readonly #routes = new Map<string, CompiledRoute>();
  readonly #random: () => number;
  readonly #now: () => number;
  readonly #observer: RouterObserver | undefined;
  readonly #logger: RouterOptions['logger'];
  // Bound once, so a call allocates no closure for its attempts.
  readonly #runCall: AttemptRunner<ChatCallResult> = (attempt, request) => this.#tryCall(attempt, request);
  readonly #runStream: AttemptRunner<StreamStart> = (attempt, request) => this.#tryStream(attempt, request);

  constructor(config: SwitchboardConfig, resolveUrl: (url: string) => string, options: RouterOptions = {}) {
    this.#random = options.random ?? Math.random;
    this.#now = options.now ?? (() => performance.now());
    this.#observer = options.observer;
    this.#logger = options.logger;
    const observer = this.#observer;
    const poolOptions: ModelPoolOptions = {
      resolveUrl,
      random: this.#random,
      createProvider: options.createProvider,
      onBreakerChange: observer && ((pool, instance, state) => observer.breakerChanged(pool, instance, state)),
    };
    for (const [name, pool] of Object.entries(config.pools)) {
      const built = new ModelPool(name, pool, poolOptions);
      this.pools.set(name, built);
      for (const instance of built.instances) observer?.breakerChanged(name, instance.url, instance.breaker.state);
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

  async call(routeName: string, request: ChatCallRequest, signal: AbortSignal, hints?: RoutingHints): Promise<{ result: ChatCallResult; decision: RouteDecision }> {
    const decision = newDecision(routeName);
    const result = await this.#withRetries(routeName, request, signal, hints, decision, false, this.#runCall);
    return { result, decision };
  }

  /**
   * A streamed call. Retries and fallbacks happen only until the first part; once it is
   * handed to the caller a failure ends the iteration with an error, and the caller must
   * tell its client.
   */
  stream(routeName: string, request: ChatCallRequest, signal: AbortSignal, hints?: RoutingHints): { decision: RouteDecision; parts: AsyncGenerator<ChatStreamPart> } {
    this.#routeOrThrow(routeName);
    const decision = newDecision(routeName);
    return { decision, parts: this.#streamParts(routeName, request, signal, hints, decision) };
  }

  async close(): Promise<void> {
    await Promise.all([...this.pools.values()].map((pool) => pool.close()));
  }

  async #tryCall(attempt: UpstreamAttempt, request: ChatCallRequest): Promise<ChatCallResult> {
    try {
      const result = await attempt.instance.provider.call(request, attempt.signal);
      // A whole answer's first output is the answer.
      this.#firstToken(attempt);
      this.#end(attempt, 'ok');
      return result;
    } catch (error) {
      this.#end(attempt, attempt.outcomeOf(error));
      throw error;
    }
  }

  async #tryStream(attempt: UpstreamAttempt, request: ChatCallRequest): Promise<StreamStart> {
    try {
      const parts = await attempt.instance.provider.stream(request, attempt.signal);
      const iterator = parts[Symbol.asyncIterator]();
      const step = await iterator.next();
      if (step.done) throw new UpstreamError('stream-broken', attempt.instance.url, `stream from ${attempt.instance.url} ended before any output`);
      this.#firstToken(attempt);
      return { first: step.value, iterator, attempt };
    } catch (error) {
      this.#end(attempt, attempt.outcomeOf(error));
      throw error;
    }
  }

  #firstToken(attempt: UpstreamAttempt): void {
    const ttftMs = attempt.firstToken(this.#now());
    this.#observer?.firstToken(attempt.pool.name, ttftMs / 1000);
  }

  #end(attempt: UpstreamAttempt, outcome: AttemptOutcome): void {
    const elapsedMs = attempt.end(outcome, this.#now());
    if (elapsedMs !== undefined) this.#observer?.upstreamEnded(attempt.pool.name, attempt.instance.url, elapsedMs / 1000, outcome === 'ok');
  }

  /**
   * Runs attempts pool by pool in the plan's order until one succeeds, a failure is not
   * retryable, or every pool's attempts are spent. A pool with no instance able to take
   * the call (down, open-circuited, saturated, at its limits) is passed over at once.
   */
  async #withRetries<T>(
    routeName: string,
    request: ChatCallRequest,
    signal: AbortSignal,
    hints: RoutingHints | undefined,
    decision: RouteDecision,
    streamed: boolean,
    run: AttemptRunner<T>,
  ): Promise<T> {
    const plan = this.#routeOrThrow(routeName).select(request, hints);
    decision.rule = plan.rule;
    const lastUsable = this.#lastUsablePool(plan, request);
    const balance: BalanceRequest = { affinityKey: undefined, now: 0 };
    let lastError: UpstreamError | undefined;
    for (let poolIndex = 0; poolIndex <= lastUsable; poolIndex++) {
      const pool = plan.pools[poolIndex]!;
      if (!this.#withinCeiling(plan, pool, request)) continue;
      balance.affinityKey = affinityKey(pool, request, hints);
      const { attempts } = pool.config.retry;
      const tried: InstanceState[] = [];
      const upstreamRequest: ChatCallRequest = { ...request, model: pool.config.model };
      let cooldownWaits = 0;
      for (let attemptNumber = 1; attemptNumber <= attempts; ) {
        balance.now = this.#now();
        const instance = pool.pick(balance, tried, poolIndex === lastUsable);
        if (!instance) {
          // Held back only by a backend's Retry-After, and not for long: wait for it rather than give the pool up.
          const waitMs = pool.cooldownWaitMs(balance.now);
          if (waitMs > pool.config.retry.maxDelayMs || cooldownWaits++ >= attempts) break;
          await sleep(backoffDelayMs(attemptNumber, pool.config.retry, this.#random, waitMs + 1), signal);
          continue;
        }
        tried.push(instance);
        decision.pool = pool.name;
        decision.instance = instance.url;
        decision.model = pool.config.model;
        decision.attempts++;
        const attempt = new UpstreamAttempt(pool, instance, signal, balance.now, streamed);
        try {
          const result = await run(attempt, upstreamRequest);
          this.#logDecision(decision);
          return result;
        } catch (error) {
          if (signal.aborted) throw signal.reason ?? error;
          if (!isUpstreamError(error) || !error.retryable) throw toClientError(error);
          lastError = error;
          if (error.retryAfterMs !== undefined) instance.coolingUntil = this.#now() + Math.min(error.retryAfterMs, maxCooldownMs);
        }
        if (attemptNumber++ < attempts) await sleep(backoffDelayMs(attemptNumber - 1, pool.config.retry, this.#random), signal);
      }
    }
    if (!lastError) {
      throw new SwitchboardError(
        'no_healthy_upstream',
        `No instance of route "${routeName}" (rule ${plan.rule}) can take a call now: every pool is down, open-circuited, saturated or at its limits.`,
        { retryAfterSeconds: 1 },
      );
    }
    throw toClientError(lastError);
  }

  /** The index of the last pool under the plan's cost ceiling: there, saturated instances are used rather than failing. */
  #lastUsablePool(plan: RoutePlan, request: ChatCallRequest): number {
    for (let index = plan.pools.length - 1; index > 0; index--) if (this.#withinCeiling(plan, plan.pools[index]!, request)) return index;
    return 0;
  }

  #withinCeiling(plan: RoutePlan, pool: ModelPool, request: ChatCallRequest): boolean {
    if (plan.maxCostUsd === undefined) return true;
    return estimateCostUsd(pool, estimatePromptTokens(request.messages), request.maxTokens) <= plan.maxCostUsd;
  }

  #logDecision(decision: RouteDecision): void {
    if (this.#logger?.isLevelEnabled('debug')) {
      this.#logger.debug({ route: decision.route, rule: decision.rule, pool: decision.pool, instance: decision.instance, attempts: decision.attempts }, 'model call routed');
    }
  }

  async *#streamParts(routeName: string, request: ChatCallRequest, signal: AbortSignal, hints: RoutingHints | undefined, decision: RouteDecision): AsyncGenerator<ChatStreamPart> {
    // The first part is fetched inside the retry loop; everything after it is past the point of no retry.
    const { first, iterator, attempt } = await this.#withRetries(routeName, request, signal, hints, decision, true, this.#runStream);
    let ok = false;
    try {
      yield first;
      if (first.type === 'finish') {
        ok = true;
        return;
      }
      for (;;) {
        let step: IteratorResult<ChatStreamPart>;
        try {
          step = await iterator.next();
        } catch (error) {
          this.#end(attempt, attempt.outcomeOf(error));
          if (signal.aborted) throw signal.reason ?? error;
          throw toClientError(error);
        }
        if (step.done) break;
        if (step.value.type === 'finish') ok = true;
        yield step.value;
      }
      if (!ok) {
        this.#end(attempt, 'failed');
        throw new SwitchboardError('upstream_error', `stream from ${attempt.instance.url} ended without a finish`);
      }
    } finally {
      if (ok) {
        this.#end(attempt, 'ok');
      } else {
        // The consumer stopped early or the stream failed: end the upstream request too.
        attempt.controller.abort(new UpstreamError('aborted', attempt.instance.url, 'the stream ended before its finish'));
        this.#end(attempt, 'neutral');
        await iterator.return?.(undefined).catch(() => undefined);
      }
    }
  }
}

function newDecision(route: string): RouteDecision {
  return { route, rule: 'default', pool: '', instance: '', model: '', attempts: 0 };
}

/** The configured header's value when the request has one, else the session id. */
function affinityKey(pool: ModelPool, request: ChatCallRequest, hints: RoutingHints | undefined): string | undefined {
  const header = pool.config.affinity.header;
  if (header !== undefined) {
    const value = hints?.headers?.header(header);
    if (value) return value;
  }
  return request.sessionId;
}

/** An upstream failure as the client sees it: the status says whose fault, the message says what happened. */
function toClientError(error: unknown): SwitchboardError {
  if (isSwitchboardError(error)) return error;
  if (isUpstreamError(error)) {
    const timedOut = error.kind === 'first-token-timeout' || error.kind === 'total-timeout';
    const retryAfterSeconds = error.retryAfterMs === undefined ? undefined : Math.ceil(error.retryAfterMs / 1000);
    return new SwitchboardError(timedOut ? 'upstream_timeout' : 'upstream_error', error.message, { cause: error, retryAfterSeconds });
  }
  return new SwitchboardError('internal_error', 'Internal error.', { cause: error });
}
