/**
 * What a pod does with a fresh report: stop a variant whose guardrail is breached, move a ramp
 * on (or finish it), rebalance a bandit and stop it when its leader is clear, and record the
 * first decision. Pure: it returns the next state (or undefined for no change) and the monitor
 * writes it with a compare-and-set, so when several pods decide at once exactly one write wins.
 */

import { isActive, withEvent, type ControlState, type RampState } from './control-state.js';
import type { ExperimentReport } from './experiment-analysis.js';
import { shadowVariant, type ExperimentDefinition } from './experiment-definition.js';
import { assignedMetric, costMetric } from './experiment-metrics.js';
import { glrStoppingCheck, optimalAllocation, withExplorationFloor, type Arm } from './statistics/track-and-stop.js';
import { meanOf, varianceOf } from './statistics/moments.js';

function stopForGuardrails(definition: ExperimentDefinition, state: ControlState, report: ExperimentReport, now: number): ControlState {
  let next = state;
  for (const check of report.guardrails) {
    if (!check.breached || !isActive(next, check.variant)) continue;
    const reason = `guardrail ${check.guardrail.label} breached: ${check.bound.toPrecision(4)} is past the limit after ${check.samples} samples (estimate ${check.estimate.toPrecision(4)})`;
    next = withEvent({ ...next, stopped: { ...next.stopped, [check.variant]: { at: now, by: 'guardrail', reason } } }, now, `${check.variant} stopped: ${reason}`);
    if (definition.config.ramp?.variant === check.variant && next.ramp) next = { ...next, ramp: { ...next.ramp, status: 'rolled back' } };
  }
  const treatments = definition.variants.filter((variant) => variant.name !== definition.control);
  if (next !== state && next.decision === undefined && treatments.every((variant) => next.stopped[variant.name]?.by === 'guardrail')) {
    const stopped = treatments.map((variant) => variant.name).join(', ');
    next = { ...next, decision: { kind: 'stopped by guardrail', variant: stopped, at: now, reason: next.stopped[treatments[0]!.name]!.reason } };
  }
  return next;
}

function stopShadowAtSpendCap(definition: ExperimentDefinition, state: ControlState, report: ExperimentReport, now: number): ControlState {
  const cap = definition.config.shadow?.maxSpendUsd;
  if (cap === undefined || !isActive(state, shadowVariant)) return state;
  const spent = report.statsOf(shadowVariant, costMetric)?.sum ?? 0;
  if (spent < cap) return state;
  const reason = `the shadow spent $${spent.toFixed(4)} of its $${cap} cap`;
  return withEvent({ ...state, stopped: { ...state.stopped, [shadowVariant]: { at: now, by: 'spend cap', reason } } }, now, `shadow stopped: ${reason}`);
}

function advanceRamp(definition: ExperimentDefinition, state: ControlState, report: ExperimentReport, now: number): ControlState {
  const ramp = definition.config.ramp!;
  const samples = report.statsOf(ramp.variant, assignedMetric)?.count ?? 0;
  if (!state.ramp) {
    const started: RampState = { step: 0, stepStartedAt: now, stepStartSamples: samples, status: 'ramping' };
    return withEvent({ ...state, ramp: started }, now, `ramp started: ${ramp.variant} at ${ramp.steps[0]! * 100}%`);
  }
  const current = state.ramp;
  if (current.status !== 'ramping' || !isActive(state, ramp.variant) || state.weights !== undefined) return state;
  if (now - current.stepStartedAt < ramp.dwellMs || samples - current.stepStartSamples < ramp.minSamples) return state;
  if (current.step + 1 < ramp.steps.length) {
    const step = current.step + 1;
    return withEvent({ ...state, ramp: { step, stepStartedAt: now, stepStartSamples: samples, status: 'ramping' } }, now, `ramp step ${step + 1}/${ramp.steps.length}: ${ramp.variant} at ${ramp.steps[step]! * 100}%`);
  }
  const finished: ControlState = { ...state, ramp: { ...current, status: 'complete' } };
  if (!ramp.promote) return withEvent(finished, now, `ramp complete: ${ramp.variant} held at ${ramp.steps[current.step]! * 100}%`);
  return withEvent(
    { ...finished, status: 'promoted', promoted: ramp.variant, decision: state.decision ?? { kind: 'winner', variant: ramp.variant, at: now, reason: 'the ramp passed every step with its guardrails clear' } },
    now,
    `ramp complete: ${ramp.variant} promoted to 100%`,
  );
}

function runBandit(definition: ExperimentDefinition, state: ControlState, report: ExperimentReport, now: number): ControlState {
  const bandit = definition.config.bandit!;
  if (state.weightsSource === 'admin') return state;
  const { name: metric, higherIsBetter } = definition.config.primaryMetric;
  const active = definition.variants.filter((variant) => isActive(state, variant.name));
  if (active.length < 2) return state;
  const sign = higherIsBetter ? 1 : -1;
  const arms: Arm[] = active.map((variant) => {
    const moments = report.statsOf(variant.name, metric);
    return { name: variant.name, count: moments?.count ?? 0, mean: moments && moments.count > 0 ? sign * meanOf(moments) : 0, variance: moments && moments.count > 1 ? varianceOf(moments) : 0 };
  });
  let next = state;
  if (arms.every((arm) => arm.count >= 2) && (state.rebalancedAt === undefined || now - state.rebalancedAt >= bandit.rebalanceMs)) {
    const shares = withExplorationFloor(optimalAllocation(arms), bandit.minShare);
    const weights: Record<string, number> = {};
    for (const variant of definition.variants) weights[variant.name] = 0;
    arms.forEach((arm, index) => (weights[arm.name] = shares[index]!));
    next = withEvent({ ...next, weights, weightsSource: 'bandit', rebalancedAt: now }, now, `bandit weights ${arms.map((arm, index) => `${arm.name} ${(shares[index]! * 100).toFixed(1)}%`).join(', ')}`);
  }
  if (arms.every((arm) => arm.count >= 2)) {
    const check = glrStoppingCheck(arms, bandit.delta, bandit.minSamples);
    if (check.stop && next.decision === undefined) {
      const reason = `track-and-stop: ${check.leader} leads on ${metric} with GLR ${check.statistic.toFixed(2)} > ${check.threshold.toFixed(2)} (δ = ${bandit.delta})`;
      next = { ...next, decision: { kind: 'winner', variant: check.leader, metric, at: now, reason } };
      next = bandit.promoteWinner ? withEvent({ ...next, status: 'promoted', promoted: check.leader }, now, `bandit stopped: ${check.leader} promoted`) : withEvent(next, now, `bandit stopped: ${check.leader} leads`);
    }
  }
  return next;
}

function recordDecision(definition: ExperimentDefinition, state: ControlState, report: ExperimentReport, now: number): ControlState {
  if (state.decision !== undefined || report.candidate.kind === 'running' || report.candidate.kind === 'stopped by guardrail') return state;
  const decision = { kind: report.candidate.kind, metric: definition.config.primaryMetric.name, at: now, reason: report.candidate.reason, ...(report.candidate.variant === undefined ? {} : { variant: report.candidate.variant }) };
  return withEvent({ ...state, decision }, now, `decision: ${decision.kind}${decision.variant ? ` (${decision.variant})` : ''}`);
}

/** The state after acting on `report`, or undefined when nothing changes. */
export function nextControlState(definition: ExperimentDefinition, state: ControlState, report: ExperimentReport, now: number): ControlState | undefined {
  if (state.status !== 'running' || !definition.config.enabled) return undefined;
  let next = stopForGuardrails(definition, state, report, now);
  if (definition.mode === 'shadow') next = stopShadowAtSpendCap(definition, next, report, now);
  if (definition.mode === 'ramp') next = advanceRamp(definition, next, report, now);
  else if (definition.mode === 'bandit') next = runBandit(definition, next, report, now);
  else next = recordDecision(definition, next, report, now);
  return next === state ? undefined : next;
}
