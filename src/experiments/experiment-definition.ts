/**
 * An experiment as compiled once per generation from its config: its variants in hashing order
 * with their overrides, its mode, what it applies to, and the metrics its guardrails need.
 */

import type { AgentConfig, ExperimentConfig, GuardrailConfig, VariantConfig } from '../config/config-schema.js';
import type { RouteOverride } from '../models/model-router.js';
import { exceedanceMetric, parseQuantileMetric } from './experiment-metrics.js';

export type ExperimentMode = 'fixed' | 'ramp' | 'bandit' | 'shadow';

/** The two sides of a shadow experiment. */
export const liveVariant = 'live';
export const shadowVariant = 'shadow';

export interface VariantDefinition {
  readonly name: string;
  readonly configuredWeight: number;
  readonly config: VariantConfig;
  /** Where its calls go instead; undefined when it changes neither pool nor model. */
  readonly route: RouteOverride | undefined;
}

export interface GuardrailDefinition {
  readonly config: GuardrailConfig;
  /** The stored metric tested: the metric itself, or the share over the limit for a quantile. */
  readonly metric: string;
  /** The bound the stored metric's mean is held to. */
  readonly limit: number;
  readonly kind: 'max' | 'min' | 'maxIncrease';
  /** For quantile guardrails: `p95 ≤ 2000 ms`. */
  readonly label: string;
}

export interface ExperimentDefinition {
  readonly name: string;
  readonly config: ExperimentConfig;
  readonly mode: ExperimentMode;
  readonly control: string;
  /** Non-control variants first, in declared order, then the control: a ramp only ever moves units from the control to the variant. */
  readonly variants: readonly VariantDefinition[];
  readonly variantsByName: ReadonlyMap<string, VariantDefinition>;
  readonly guardrails: readonly GuardrailDefinition[];
  /** Rate metrics the guardrails need collected (shares over a latency limit). */
  readonly exceedances: readonly { base: string; limit: number; metric: string }[];
  /** The layer that makes it exclusive with others; its own name when it has none. */
  readonly layer: string;
  appliesToTurn(agentName: string, agent: AgentConfig): boolean;
  appliesToRoute(route: string): boolean;
}

function compileGuardrail(config: GuardrailConfig): GuardrailDefinition {
  const quantile = parseQuantileMetric(config.metric);
  if (quantile) {
    const limit = config.max!;
    return { config, metric: exceedanceMetric(quantile.base, limit), limit: 1 - quantile.quantile, kind: 'max', label: `${config.metric} ≤ ${limit}` };
  }
  if (config.max !== undefined) return { config, metric: config.metric, limit: config.max, kind: 'max', label: `${config.metric} ≤ ${config.max}` };
  if (config.min !== undefined) return { config, metric: config.metric, limit: config.min, kind: 'min', label: `${config.metric} ≥ ${config.min}` };
  return { config, metric: config.metric, limit: config.maxIncrease!, kind: 'maxIncrease', label: `${config.metric} ≤ control + ${config.maxIncrease}` };
}

function routeOverrideOf(experiment: string, variant: string, config: VariantConfig): RouteOverride | undefined {
  if (config.pool === undefined && config.model === undefined) return undefined;
  const override: { label: string; pool?: string; fallbacks?: readonly string[]; model?: string } = { label: `${experiment}/${variant}` };
  if (config.pool !== undefined) override.pool = config.pool;
  if (config.fallbacks !== undefined) override.fallbacks = config.fallbacks;
  if (config.model !== undefined) override.model = config.model;
  return override;
}

export function compileExperiment(name: string, config: ExperimentConfig): ExperimentDefinition {
  const mode: ExperimentMode = config.shadow ? 'shadow' : config.ramp ? 'ramp' : config.bandit ? 'bandit' : 'fixed';
  let declared: [string, VariantConfig][] = Object.entries(config.variants);
  let control = config.control ?? declared[0]?.[0] ?? liveVariant;
  if (config.shadow) {
    const shadowRoute: VariantConfig = { weight: 0, pool: config.shadow.pool, fallbacks: [], ...(config.shadow.model === undefined ? {} : { model: config.shadow.model }) };
    declared = [
      [liveVariant, { weight: 1 }],
      [shadowVariant, shadowRoute],
    ];
    control = liveVariant;
  }
  const ordered = [...declared.filter(([variant]) => variant !== control), ...declared.filter(([variant]) => variant === control)];
  const variants: VariantDefinition[] = ordered.map(([variant, variantConfig]) => ({
    name: variant,
    configuredWeight: variantConfig.weight,
    config: variantConfig,
    route: routeOverrideOf(name, variant, variantConfig),
  }));
  const guardrails = config.guardrails.map(compileGuardrail);
  const exceedances: { base: string; limit: number; metric: string }[] = [];
  for (const guardrail of config.guardrails) {
    const quantile = parseQuantileMetric(guardrail.metric);
    if (quantile && !exceedances.some((known) => known.base === quantile.base && known.limit === guardrail.max)) {
      exceedances.push({ base: quantile.base, limit: guardrail.max!, metric: exceedanceMetric(quantile.base, guardrail.max!) });
    }
  }
  const routes = new Set(config.routes);
  const agents = new Set(config.agents);
  return {
    name,
    config,
    mode,
    control,
    variants,
    variantsByName: new Map(variants.map((variant) => [variant.name, variant])),
    guardrails,
    exceedances,
    layer: config.layer === undefined ? `experiment:${name}` : `layer:${config.layer}`,
    appliesToTurn: (agentName, agent) => agents.has(agentName) || routes.has(agent.route),
    appliesToRoute: (route) => routes.has(route),
  };
}
