/** Builds instance states and pool configs for the router's unit tests, with providers that never touch the network. */

import { parseConfig } from '../../src/config/load-config.js';
import type { ConfigInput } from '../../src/config/config-schema.js';
import { InstanceState, type InstanceSettings } from '../../src/models/instance-state.js';
import type { ChatProvider } from '../../src/models/providers/chat-provider.js';

export const idleProvider: ChatProvider = {
  instance: 'idle',
  call: () => Promise.reject(new Error('not used')),
  stream: () => Promise.reject(new Error('not used')),
  close: () => Promise.resolve(),
};

export function makeInstance(index: number, overrides: Partial<InstanceSettings> = {}): InstanceState {
  return new InstanceState({
    pool: 'pool',
    name: `pool-${index}`,
    url: `http://instance-${index}:8000`,
    metricsUrl: `http://instance-${index}:8000/metrics`,
    index,
    provider: idleProvider,
    weight: 1,
    maxConcurrency: Number.POSITIVE_INFINITY,
    breaker: { failureRate: 0.5, minimumCalls: 5, windowMs: 10_000, openMs: 5_000, halfOpenProbes: 1 },
    scraped: false,
    staleAfterMs: 1_000,
    maxWaiting: 5,
    maxKvCacheUsage: 0.8,
    failurePenaltyMs: 1_000,
    ...overrides,
  });
}

/** A deterministic stream of numbers in [0, 1): a 32-bit LCG, enough for picking among a few instances. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 4_294_967_296;
  };
}

/** A minimal valid config around the given pools and routes; `declared` adds the agents, tiers and tenants that rules name. */
export function routerConfig(pools: ConfigInput['pools'], routes: ConfigInput['routes'], declared: Partial<Pick<ConfigInput, 'agents' | 'limits' | 'tenants'>> = {}) {
  return parseConfig({
    pools,
    routes,
    agents: { helper: { route: Object.keys(routes)[0]! }, ...declared.agents },
    intent: { defaultAgent: 'helper' },
    logging: { level: 'silent' },
    limits: declared.limits,
    tenants: declared.tenants,
  });
}

type PoolInput = ConfigInput['pools'][string];

export function poolConfig(input: Omit<PoolInput, 'model'> & { model?: string }): PoolInput {
  return { model: 'test-model', ...input };
}
