/**
 * What an admin may do to a running experiment — stop it or one variant, promote a variant,
 * set the weights or the ramp's step — as changes of its live state. Each refuses bad input
 * with a catalogue error and changes nothing.
 */

import { SwitchboardError } from '../errors.js';
import { withEvent, type ControlState } from './control-state.js';
import type { ExperimentReport } from './experiment-analysis.js';
import type { ExperimentDefinition } from './experiment-definition.js';
import { assignedMetric } from './experiment-metrics.js';

const weightTolerance = 1e-6;

function knownVariant(definition: ExperimentDefinition, variant: string): void {
  if (!definition.variantsByName.has(variant)) {
    throw new SwitchboardError('variant_not_found', `Experiment "${definition.name}" has no variant "${variant}"; its variants are ${definition.variants.map((one) => one.name).join(', ')}.`, {
      param: 'variant',
    });
  }
}

function running(definition: ExperimentDefinition, state: ControlState): void {
  if (state.status !== 'running') {
    const detail = state.status === 'promoted' ? `promoted (${state.promoted})` : `stopped${state.stopReason ? `: ${state.stopReason}` : ''}`;
    throw new SwitchboardError('experiment_not_running', `Experiment "${definition.name}" is ${detail}.`);
  }
}

export interface StopInput {
  variant?: string;
  reason?: string;
}

export function stopChange(definition: ExperimentDefinition, input: StopInput, now: number): (state: ControlState) => ControlState {
  if (input.variant !== undefined) {
    knownVariant(definition, input.variant);
    if (input.variant === definition.control) {
      throw new SwitchboardError('invalid_request', `"${input.variant}" is the control of "${definition.name}"; stop the whole experiment instead (no variant).`, { param: 'variant' });
    }
  }
  const reason = input.reason ?? 'stopped by an admin';
  return (state) => {
    if (state.status === 'stopped') return state;
    running(definition, state);
    if (input.variant === undefined) return withEvent({ ...state, status: 'stopped', stopReason: reason }, now, `experiment stopped: ${reason}`);
    if (state.stopped[input.variant] !== undefined) return state;
    return withEvent({ ...state, stopped: { ...state.stopped, [input.variant]: { at: now, by: 'admin', reason } } }, now, `${input.variant} stopped: ${reason}`);
  };
}

export function promoteChange(definition: ExperimentDefinition, variant: string, now: number): (state: ControlState) => ControlState {
  if (definition.mode === 'shadow') throw new SwitchboardError('invalid_request', `"${definition.name}" is a shadow experiment: it serves no variant to promote.`);
  knownVariant(definition, variant);
  return (state) => {
    if (state.status === 'promoted' && state.promoted === variant) return state;
    running(definition, state);
    const stop = state.stopped[variant];
    if (stop !== undefined) throw new SwitchboardError('experiment_not_running', `Variant "${variant}" of "${definition.name}" was stopped (${stop.by}: ${stop.reason}); it cannot be promoted.`);
    return withEvent({ ...state, status: 'promoted', promoted: variant }, now, `${variant} promoted by an admin`);
  };
}

export interface RampInput {
  step?: number;
  weights?: Record<string, number>;
}

export function rampChange(definition: ExperimentDefinition, input: RampInput, report: ExperimentReport | undefined, now: number): (state: ControlState) => ControlState {
  if (definition.mode === 'shadow') throw new SwitchboardError('invalid_request', `"${definition.name}" is a shadow experiment: its share is shadow.share in the config.`);
  if ((input.step === undefined) === (input.weights === undefined)) throw new SwitchboardError('invalid_request', 'Give either "step" (a ramp step) or "weights" (one per variant).');
  if (input.weights !== undefined) {
    const weights = input.weights;
    for (const name of Object.keys(weights)) knownVariant(definition, name);
    const missing = definition.variants.filter((variant) => weights[variant.name] === undefined).map((variant) => variant.name);
    if (missing.length > 0) throw new SwitchboardError('invalid_request', `Invalid field "weights": it lacks ${missing.join(', ')}; give a weight for every variant.`, { param: 'weights' });
    for (const [name, weight] of Object.entries(weights)) {
      if (!Number.isFinite(weight) || weight < 0 || weight > 1) throw new SwitchboardError('invalid_request', `Invalid field "weights.${name}": must be a number from 0 to 1.`, { param: `weights.${name}` });
    }
    const total = Object.values(weights).reduce((sum, weight) => sum + weight, 0);
    if (Math.abs(total - 1) > weightTolerance) throw new SwitchboardError('invalid_request', `Invalid field "weights": the weights sum to ${Number(total.toFixed(9))}; they must sum to 1.`, { param: 'weights' });
    const description = definition.variants.map((variant) => `${variant.name} ${(weights[variant.name]! * 100).toFixed(1)}%`).join(', ');
    return (state) => {
      running(definition, state);
      return withEvent({ ...state, weights: { ...weights }, weightsSource: 'admin' }, now, `weights set by an admin: ${description}`);
    };
  }
  const ramp = definition.config.ramp;
  if (!ramp) throw new SwitchboardError('invalid_request', `"${definition.name}" has no ramp; set "weights" instead.`, { param: 'step' });
  const step = input.step!;
  if (!Number.isInteger(step) || step < 0 || step >= ramp.steps.length) {
    throw new SwitchboardError('invalid_request', `Invalid field "step": must be an integer from 0 to ${ramp.steps.length - 1} (the ramp's steps are ${ramp.steps.join(', ')}).`, { param: 'step' });
  }
  const samples = report?.statsOf(ramp.variant, assignedMetric)?.count ?? 0;
  return (state) => {
    running(definition, state);
    const { weights: _weights, weightsSource: _source, ...rest } = state;
    return withEvent({ ...rest, ramp: { step, stepStartedAt: now, stepStartSamples: samples, status: 'ramping' } }, now, `ramp set by an admin to step ${step + 1}/${ramp.steps.length} (${ramp.steps[step]! * 100}%)`);
  };
}
