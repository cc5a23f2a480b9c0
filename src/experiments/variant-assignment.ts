/**
 * Which variant of each experiment a request gets: a stable hash of (experiment, unit) laid over
 * the variants' current weights, inside the unit's slot of its layer. Pure and synchronous: it
 * reads only the catalog and the cached live states, so every pod agrees without asking anyone.
 */

import type { AgentConfig } from '../config/config-schema.js';
import { currentWeights, isActive, type ControlState } from './control-state.js';
import type { CatalogEntry, ExperimentCatalog } from './experiment-catalog.js';
import type { ExperimentDefinition, VariantDefinition } from './experiment-definition.js';
import { unitBucket } from './unit-hash.js';

export type UnitKind = 'session' | 'tenant' | 'api_key';

export interface AssignmentRequest {
  /** The route the call goes to: the agent's for a turn, `model` for a chat completion. */
  readonly route: string;
  /** Present for turns. */
  readonly agent?: { readonly name: string; readonly config: AgentConfig };
  readonly units: Readonly<Partial<Record<UnitKind, string>>>;
}

export interface AssignedVariant {
  readonly definition: ExperimentDefinition;
  /** Whose overrides the request gets. */
  readonly variant: VariantDefinition;
  /** Counted in the statistics (false once the experiment is stopped or promoted, or the unit's variant is stopped). */
  readonly recorded: boolean;
  /** The unit's key (`session:…`), for pins. */
  readonly unitKey: string;
  /** The active variants' probabilities at assignment, for the sample-ratio check. */
  readonly probabilities: ReadonlyMap<string, number> | undefined;
}

/** The variant whose cumulative weight range holds `bucket`; the last one with weight when rounding leaves a gap. */
export function variantAtBucket(definition: ExperimentDefinition, weights: ReadonlyMap<string, number>, bucket: number): VariantDefinition {
  let total = 0;
  for (const variant of definition.variants) total += weights.get(variant.name) ?? 0;
  let cumulative = 0;
  let lastWithWeight = definition.variants[definition.variants.length - 1]!;
  for (const variant of definition.variants) {
    const weight = weights.get(variant.name) ?? 0;
    if (weight <= 0) continue;
    lastWithWeight = variant;
    cumulative += weight / total;
    if (bucket < cumulative) return variant;
  }
  return lastWithWeight;
}

/** Active variants' shares of the traffic that is counted. */
function activeProbabilities(definition: ExperimentDefinition, weights: ReadonlyMap<string, number>, state: ControlState): Map<string, number> {
  const probabilities = new Map<string, number>();
  let total = 0;
  for (const variant of definition.variants) {
    if (!isActive(state, variant.name)) continue;
    const weight = weights.get(variant.name) ?? 0;
    probabilities.set(variant.name, weight);
    total += weight;
  }
  for (const [name, weight] of probabilities) probabilities.set(name, total > 0 ? weight / total : 0);
  return probabilities;
}

function applies(definition: ExperimentDefinition, request: AssignmentRequest): boolean {
  if (request.agent) return definition.appliesToTurn(request.agent.name, request.agent.config);
  return definition.appliesToRoute(request.route);
}

/** One experiment's assignment, or undefined when the request is not in it. */
export function assignOne(entry: CatalogEntry, request: AssignmentRequest, state: ControlState): AssignedVariant | undefined {
  const { definition } = entry;
  if (!definition.config.enabled || definition.mode === 'shadow' || !applies(definition, request)) return undefined;
  const unit = request.units[definition.config.unit];
  if (unit === undefined || unit === '') return undefined;
  const unitKey = `${definition.config.unit}:${unit}`;
  if (entry.slotStart > 0 || entry.slotEnd < 1) {
    const layerBucket = unitBucket(definition.layer, unitKey);
    if (layerBucket < entry.slotStart || layerBucket >= entry.slotEnd) return undefined;
  }
  const control = definition.variantsByName.get(definition.control)!;
  const weights = currentWeights(definition, state);
  if (state.status !== 'running') {
    // Stopped: the control's behaviour for everyone; promoted: the promoted variant's. Neither is counted any more.
    const served = state.status === 'promoted' && state.promoted !== undefined ? (definition.variantsByName.get(state.promoted) ?? control) : control;
    return { definition, variant: served, recorded: false, unitKey, probabilities: undefined };
  }
  const variant = variantAtBucket(definition, weights, unitBucket(`experiment:${definition.name}`, unitKey));
  if (!isActive(state, variant.name)) return { definition, variant: control, recorded: false, unitKey, probabilities: undefined };
  return { definition, variant, recorded: true, unitKey, probabilities: activeProbabilities(definition, weights, state) };
}

/** Every experiment the request is in, in the catalog's order. */
export function assignVariants(catalog: ExperimentCatalog, request: AssignmentRequest, stateOf: (name: string) => ControlState): AssignedVariant[] {
  const assigned: AssignedVariant[] = [];
  for (const entry of catalog.entries) {
    const one = assignOne(entry, request, stateOf(entry.definition.name));
    if (one) assigned.push(one);
  }
  return assigned;
}

/** A bandit unit already pinned elsewhere: the same experiment, served by `pinned`, counted only if it is active. */
export function withPinnedVariant(assigned: AssignedVariant, pinned: string, state: ControlState): AssignedVariant {
  const definition = assigned.definition;
  const variant = definition.variantsByName.get(pinned);
  if (!variant || variant === assigned.variant || !assigned.recorded) return assigned;
  if (!isActive(state, variant.name)) return { ...assigned, variant: definition.variantsByName.get(definition.control)!, recorded: false, probabilities: undefined };
  return { ...assigned, variant };
}
