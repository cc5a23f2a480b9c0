/**
 * An experiment's live state, shared by every pod through the store and kept across reloads:
 * stopped variants and why, a promotion, weights set by an admin or the bandit, the ramp's step,
 * and the decision once one is reached. Read leniently: a field this build does not know, or a
 * variant the config no longer has, is ignored rather than failing the experiment.
 */

import type { ExperimentDefinition } from './experiment-definition.js';

export type ExperimentStatus = 'running' | 'stopped' | 'promoted';
export type DecisionKind = 'running' | 'winner' | 'no difference' | 'stopped by guardrail';

export interface VariantStop {
  readonly at: number;
  readonly by: 'guardrail' | 'admin' | 'spend cap';
  readonly reason: string;
}

export interface RecordedDecision {
  readonly kind: Exclude<DecisionKind, 'running'>;
  readonly variant?: string;
  readonly metric?: string;
  readonly at: number;
  readonly reason: string;
}

export interface RampState {
  readonly step: number;
  readonly stepStartedAt: number;
  /** The ramped variant's request count when the step began. */
  readonly stepStartSamples: number;
  readonly status: 'ramping' | 'complete' | 'rolled back';
}

export interface ControlState {
  readonly status: ExperimentStatus;
  readonly promoted?: string;
  readonly stopReason?: string;
  readonly stopped: Readonly<Record<string, VariantStop>>;
  /** Weights set by an admin or the bandit, replacing the config's (and the ramp's). */
  readonly weights?: Readonly<Record<string, number>>;
  readonly weightsSource?: 'admin' | 'bandit';
  readonly rebalancedAt?: number;
  readonly ramp?: RampState;
  readonly decision?: RecordedDecision;
  /** The latest changes, newest last, at most `historyLength`. */
  readonly history: readonly { readonly at: number; readonly event: string }[];
}

export const historyLength = 50;

export const initialState: ControlState = { status: 'running', stopped: {}, history: [] };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function finite(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** The state as stored, checked field by field; anything malformed reads as its default. */
export function parseControlState(value: unknown): ControlState {
  if (!isRecord(value)) return initialState;
  const status = value.status === 'stopped' || value.status === 'promoted' ? value.status : 'running';
  const stopped: Record<string, VariantStop> = {};
  if (isRecord(value.stopped)) {
    for (const [variant, stop] of Object.entries(value.stopped)) {
      if (!isRecord(stop)) continue;
      const by = stop.by === 'admin' || stop.by === 'spend cap' ? stop.by : 'guardrail';
      stopped[variant] = { at: finite(stop.at) ?? 0, by, reason: typeof stop.reason === 'string' ? stop.reason : '' };
    }
  }
  const state: { -readonly [Key in keyof ControlState]: ControlState[Key] } = { status, stopped, history: [] };
  if (typeof value.promoted === 'string') state.promoted = value.promoted;
  if (typeof value.stopReason === 'string') state.stopReason = value.stopReason;
  if (isRecord(value.weights)) {
    const weights: Record<string, number> = {};
    for (const [variant, weight] of Object.entries(value.weights)) if (finite(weight) !== undefined && (weight as number) >= 0) weights[variant] = weight as number;
    state.weights = weights;
    state.weightsSource = value.weightsSource === 'bandit' ? 'bandit' : 'admin';
  }
  if (finite(value.rebalancedAt) !== undefined) state.rebalancedAt = value.rebalancedAt as number;
  if (isRecord(value.ramp)) {
    const ramp = value.ramp;
    const rampStatus = ramp.status === 'complete' || ramp.status === 'rolled back' ? ramp.status : 'ramping';
    state.ramp = { step: Math.max(0, Math.trunc(finite(ramp.step) ?? 0)), stepStartedAt: finite(ramp.stepStartedAt) ?? 0, stepStartSamples: finite(ramp.stepStartSamples) ?? 0, status: rampStatus };
  }
  if (isRecord(value.decision)) {
    const decision = value.decision;
    const kind = decision.kind === 'winner' || decision.kind === 'no difference' || decision.kind === 'stopped by guardrail' ? decision.kind : undefined;
    if (kind) {
      const recorded: { -readonly [Key in keyof RecordedDecision]: RecordedDecision[Key] } = { kind, at: finite(decision.at) ?? 0, reason: typeof decision.reason === 'string' ? decision.reason : '' };
      if (typeof decision.variant === 'string') recorded.variant = decision.variant;
      if (typeof decision.metric === 'string') recorded.metric = decision.metric;
      state.decision = recorded;
    }
  }
  if (Array.isArray(value.history)) {
    state.history = value.history
      .filter((entry): entry is { at: number; event: string } => isRecord(entry) && finite(entry.at) !== undefined && typeof entry.event === 'string')
      .slice(-historyLength);
  }
  return state;
}

/** The state with one more history line. */
export function withEvent(state: ControlState, at: number, event: string): ControlState {
  return { ...state, history: [...state.history, { at, event }].slice(-historyLength) };
}

/** The weights assignment follows now, before stopped variants are taken out: a promotion, the admin's or bandit's, the ramp's step, or the config's. */
export function currentWeights(definition: ExperimentDefinition, state: ControlState): Map<string, number> {
  const weights = new Map<string, number>();
  if (state.status === 'promoted' && state.promoted !== undefined && definition.variantsByName.has(state.promoted)) {
    for (const variant of definition.variants) weights.set(variant.name, variant.name === state.promoted ? 1 : 0);
    return weights;
  }
  if (state.status === 'stopped') {
    for (const variant of definition.variants) weights.set(variant.name, variant.name === definition.control ? 1 : 0);
    return weights;
  }
  const ramp = definition.config.ramp;
  if (state.weights !== undefined && definition.variants.every((variant) => state.weights![variant.name] !== undefined)) {
    for (const variant of definition.variants) weights.set(variant.name, state.weights[variant.name]!);
  } else if (ramp) {
    const step = Math.min(state.ramp?.step ?? 0, ramp.steps.length - 1);
    const share = ramp.steps[step]!;
    for (const variant of definition.variants) weights.set(variant.name, variant.name === ramp.variant ? share : 1 - share);
  } else {
    for (const variant of definition.variants) weights.set(variant.name, variant.configuredWeight);
  }
  return weights;
}

/** Whether units that land on this variant are served by it and counted: not stopped, weight above 0, experiment running. */
export function isActive(state: ControlState, variant: string): boolean {
  return state.status === 'running' && state.stopped[variant] === undefined;
}
