/** Hybrid routing rules: which pools, in which order, serve a call of a route, by agent, intent, tenant, tier, prompt size and cost. */

import type { RouteConfig } from '../config/config-schema.js';
import type { ChatCallRequest } from '../chat/chat-types.js';
import type { ModelPool } from './model-pool.js';
import { estimatePromptTokens } from './token-estimate.js';

/** What the caller knows about a call beyond its messages; every field optional. */
export interface RoutingHints {
  tenant?: string;
  /** The tier of the caller's key. */
  tier?: string;
  agent?: string;
  intent?: string;
  /** Request headers, for a pool whose affinity is keyed by a header; an HTTP exchange fits as is. */
  headers?: { header(name: string): string | undefined };
}

/** The pools a call may use, in order, and the rule that chose them. */
export interface RoutePlan {
  readonly rule: string;
  readonly pools: readonly ModelPool[];
  /** Pools whose estimated cost is above it are skipped; undefined for no ceiling. */
  readonly maxCostUsd: number | undefined;
  /** Upstream model names by pool name, instead of the pool's own (an experiment's variant). */
  readonly models?: ReadonlyMap<string, string>;
}

/**
 * Where one call goes instead of where the route's rules send it: an experiment's variant.
 * `pool` replaces the plan's pools (then `fallbacks`, else the route's own fallbacks); `model`
 * is sent upstream by the first pool instead of its configured model name.
 */
export interface RouteOverride {
  /** The plan's rule name in the decision (`experiment/variant`). */
  readonly label: string;
  readonly pool?: string;
  readonly fallbacks?: readonly string[];
  readonly model?: string;
}

interface CompiledRule extends RoutePlan {
  readonly agents: ReadonlySet<string> | undefined;
  readonly intents: ReadonlySet<string> | undefined;
  readonly tiers: ReadonlySet<string> | undefined;
  readonly tenants: ReadonlySet<string> | undefined;
  readonly minPromptTokens: number;
  readonly maxPromptTokens: number;
}

/** The cost of a call on a pool if it used all its output allowance: what a ceiling is checked against. */
export function estimateCostUsd(pool: ModelPool, promptTokens: number, maxTokens: number | undefined): number {
  const { inputPerMillionTokens, outputPerMillionTokens } = pool.config.prices;
  return (promptTokens * inputPerMillionTokens + (maxTokens ?? pool.config.defaultMaxTokens) * outputPerMillionTokens) / 1_000_000;
}

const toSet = (values: readonly string[] | undefined) => (values === undefined ? undefined : new Set(values));

export class CompiledRoute {
  readonly name: string;
  readonly config: RouteConfig;
  readonly defaultPlan: RoutePlan;
  readonly #rules: CompiledRule[];
  /** Whether any rule looks at the prompt's size or cost, so other routes never count characters. */
  readonly #needsPromptTokens: boolean;

  constructor(name: string, config: RouteConfig, pools: ReadonlyMap<string, ModelPool>) {
    this.name = name;
    this.config = config;
    const poolsOf = (names: readonly string[]) => names.map((pool) => pools.get(pool)!);
    this.defaultPlan = { rule: 'default', pools: poolsOf([config.pool, ...config.fallbacks]), maxCostUsd: undefined };
    this.#rules = config.rules.map((rule) => ({
      rule: rule.name,
      pools: poolsOf([rule.pool, ...rule.fallbacks]),
      maxCostUsd: rule.when.maxCostUsd,
      agents: toSet(rule.when.agents),
      intents: toSet(rule.when.intents),
      tiers: toSet(rule.when.tiers),
      tenants: toSet(rule.when.tenants),
      minPromptTokens: rule.when.minPromptTokens ?? 0,
      maxPromptTokens: rule.when.maxPromptTokens ?? Number.POSITIVE_INFINITY,
    }));
    this.#needsPromptTokens = config.rules.some((rule) => rule.when.minPromptTokens !== undefined || rule.when.maxPromptTokens !== undefined || rule.when.maxCostUsd !== undefined);
  }

  /** The plan for an override: its pools (checked against the router's), or the rules' with the first pool's model replaced. */
  overridden(override: RouteOverride, request: ChatCallRequest, hints: RoutingHints | undefined, pools: ReadonlyMap<string, ModelPool>): RoutePlan {
    let planned: readonly ModelPool[];
    if (override.pool === undefined) {
      planned = this.select(request, hints).pools;
    } else {
      const names = [override.pool, ...(override.fallbacks ?? this.config.fallbacks.filter((pool) => pool !== override.pool))];
      planned = names.map((name) => {
        const pool = pools.get(name);
        if (!pool) throw new Error(`route override ${override.label} names pool "${name}", which this router does not have`);
        return pool;
      });
    }
    const models = override.model === undefined ? undefined : new Map([[planned[0]!.name, override.model]]);
    return { rule: override.label, pools: planned, maxCostUsd: undefined, models };
  }

  /** The first rule whose conditions all hold, else the route's own pools. */
  select(request: ChatCallRequest, hints: RoutingHints | undefined): RoutePlan {
    if (this.#rules.length === 0) return this.defaultPlan;
    const promptTokens = this.#needsPromptTokens ? estimatePromptTokens(request.messages) : 0;
    for (const rule of this.#rules) {
      if (!matchesSet(rule.agents, hints?.agent) || !matchesSet(rule.intents, hints?.intent)) continue;
      if (!matchesSet(rule.tiers, hints?.tier) || !matchesSet(rule.tenants, hints?.tenant)) continue;
      if (promptTokens < rule.minPromptTokens || promptTokens > rule.maxPromptTokens) continue;
      if (rule.maxCostUsd !== undefined && estimateCostUsd(rule.pools[0]!, promptTokens, request.maxTokens) > rule.maxCostUsd) continue;
      return rule;
    }
    return this.defaultPlan;
  }
}

function matchesSet(allowed: ReadonlySet<string> | undefined, value: string | undefined): boolean {
  return allowed === undefined || (value !== undefined && allowed.has(value));
}
