/** A pool: the instances that serve one model, the strategy that spreads calls over them, and their call settings. */

import type { PoolConfig } from '../config/config-schema.js';
import type { Balancer, BalanceRequest } from './balancers/balancer.js';
import { createBalancer } from './balancers/create-balancer.js';
import type { BreakerState } from './circuit-breaker.js';
import { InstanceState } from './instance-state.js';
import type { ChatProvider } from './providers/chat-provider.js';
import { createProvider } from './providers/create-provider.js';

export interface ModelPoolOptions {
  /** Turns `simulator://N` into the simulator's address; identity otherwise. */
  resolveUrl: (url: string) => string;
  random: () => number;
  onBreakerChange?: (pool: string, instance: string, state: BreakerState) => void;
  /** For tests: a provider other than the one the config names. */
  createProvider?: (config: PoolConfig, baseUrl: string) => ChatProvider;
}

export class ModelPool {
  readonly name: string;
  readonly config: PoolConfig;
  readonly instances: InstanceState[];
  readonly balancer: Balancer;
  /** Calls of the whole pool in flight, against `config.maxConcurrency`. */
  inFlight = 0;
  readonly #maxConcurrency: number;
  /** Reused by every pick: picks are synchronous, so one scratch list serves all concurrent calls. */
  readonly #candidates: InstanceState[] = [];

  constructor(name: string, config: PoolConfig, options: ModelPoolOptions) {
    this.name = name;
    this.config = config;
    this.#maxConcurrency = config.maxConcurrency ?? Number.POSITIVE_INFINITY;
    const makeProvider = options.createProvider ?? createProvider;
    this.instances = config.instances.map((instance, index) => {
      const url = options.resolveUrl(instance.url);
      const instanceName = instance.name ?? `${name}-${index}`;
      return new InstanceState({
        pool: name,
        name: instanceName,
        url,
        metricsUrl: instance.metricsUrl ?? `${url.replace(/\/+$/, '')}${config.metrics.path}`,
        index,
        provider: makeProvider(config, url),
        weight: instance.weight,
        maxConcurrency: instance.maxConcurrency ?? Number.POSITIVE_INFINITY,
        breaker: config.breaker,
        scraped: config.engine !== 'none',
        staleAfterMs: config.metrics.staleAfterMs,
        maxWaiting: config.saturation.maxWaiting,
        maxKvCacheUsage: config.saturation.maxKvCacheUsage,
        failurePenaltyMs: config.timeouts.firstTokenMs,
        onBreakerChange: options.onBreakerChange && ((state) => options.onBreakerChange!(name, instanceName, state)),
      });
    });
    this.balancer = createBalancer(config, this.instances, options.random);
  }

  get hasRoom(): boolean {
    return this.inFlight < this.#maxConcurrency;
  }

  /**
   * One instance for the next attempt, or undefined when none may take a call. Prefers
   * instances this call has not tried; saturated instances only when `allowSaturated`
   * (the last pool of a plan queues rather than fails).
   */
  pick(request: BalanceRequest, tried: readonly InstanceState[], allowSaturated: boolean): InstanceState | undefined {
    if (!this.hasRoom) return undefined;
    const now = request.now;
    const candidates = this.#candidates;
    candidates.length = 0;
    let eligibleTried: InstanceState | undefined;
    let saturatedCount = 0;
    for (const instance of this.instances) {
      if (!instance.hasCapacity || !instance.isAvailable(now)) continue;
      if (instance.isSaturated(now)) {
        saturatedCount++;
        continue;
      }
      if (tried.includes(instance)) eligibleTried ??= instance;
      else candidates.push(instance);
    }
    if (candidates.length === 0 && eligibleTried !== undefined) {
      // Every unsaturated instance was tried already: a retry may go back to one of them.
      for (const instance of this.instances) if (instance.hasCapacity && instance.isAvailable(now) && !instance.isSaturated(now)) candidates.push(instance);
    }
    if (candidates.length === 0 && allowSaturated && saturatedCount > 0) {
      for (const instance of this.instances) if (instance.hasCapacity && instance.isAvailable(now)) candidates.push(instance);
    }
    const chosen = candidates.length === 0 ? undefined : this.balancer.pick(candidates, request);
    candidates.length = 0;
    return chosen;
  }

  /** Milliseconds until an instance held back only by a Retry-After may take calls again; Infinity when none is. */
  cooldownWaitMs(now: number): number {
    if (!this.hasRoom) return Number.POSITIVE_INFINITY;
    let soonest = Number.POSITIVE_INFINITY;
    for (const instance of this.instances) {
      if (instance.coolingUntil > now && instance.hasCapacity && instance.breaker.allowsCall(now)) soonest = Math.min(soonest, instance.coolingUntil - now);
    }
    return soonest;
  }

  async close(): Promise<void> {
    await Promise.all(this.instances.map((instance) => instance.provider.close()));
  }
}
