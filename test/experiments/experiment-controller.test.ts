/**
 * What a pod does with each fresh report, decided on seeded sums: a ramp steps on only past its
 * dwell and sample gates and rolls back on a guardrail breach; a bandit moves traffic to the better
 * variant and stops with it; a fixed experiment records its first decision once; a bandit unit
 * keeps its variant while the weights move; assignment follows the weights and layers exclude.
 */

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { currentWeights, initialState, type ControlState } from '../../src/experiments/control-state.js';
import { ExperimentCatalog } from '../../src/experiments/experiment-catalog.js';
import { nextControlState } from '../../src/experiments/experiment-controller.js';
import { ExperimentEngine } from '../../src/experiments/experiment-engine.js';
import { assignOne, variantAtBucket } from '../../src/experiments/variant-assignment.js';
import { murmur3, unitBucket } from '../../src/experiments/unit-hash.js';
import { SeededRandom } from '../../src/stats/seeded-random.js';
import { createMemoryStore } from '../../src/stores/memory/memory-store.js';
import { bernoulli, configWith, definitionWith, lognormal, SimulatedStats } from './simulation-support.js';

function step(definition: ReturnType<typeof definitionWith>, state: ControlState, stats: SimulatedStats, now: number): ControlState {
  return nextControlState(definition, state, stats.analyse(definition, state), now) ?? state;
}

describe('the ramp', () => {
  const definition = definitionWith(
    { ramp: { variant: 'candidate', steps: [0.01, 0.05, 0.25, 1], minSamples: 50, dwellMs: 60_000 }, guardrails: [{ metric: 'error_rate', max: 0.05 }], guardrailMinSamples: 30 },
    { control: { weight: 1 }, candidate: { weight: 0 } },
  );

  it('starts at its first step, then moves on only when both the dwell time and the samples are in', () => {
    const stats = new SimulatedStats();
    let state = step(definition, initialState, stats, 0);
    assert.deepEqual(state.ramp, { step: 0, stepStartedAt: 0, stepStartSamples: 0, status: 'ramping' });
    assert.equal(currentWeights(definition, state).get('candidate'), 0.01);
    for (let index = 0; index < 60; index++) stats.add('candidate', 'assigned', 1);
    assert.equal(step(definition, state, stats, 59_999), state, 'samples in, dwell not');
    state = step(definition, state, stats, 60_000);
    assert.equal(state.ramp!.step, 1);
    assert.equal(state.ramp!.stepStartSamples, 60);
    assert.equal(step(definition, state, stats, 200_000), state, 'dwell in, no new samples');
    for (let stepIndex = 2; stepIndex <= 3; stepIndex++) {
      for (let index = 0; index < 50; index++) stats.add('candidate', 'assigned', 1);
      state = step(definition, state, stats, stepIndex * 100_000);
      assert.equal(state.ramp!.step, stepIndex);
    }
    assert.equal(currentWeights(definition, state).get('candidate'), 1);
    for (let index = 0; index < 50; index++) stats.add('candidate', 'assigned', 1);
    state = step(definition, state, stats, 400_000);
    assert.equal(state.status, 'promoted');
    assert.equal(state.promoted, 'candidate');
    assert.equal(state.decision!.kind, 'winner');
    assert.equal(nextControlState(definition, state, stats.analyse(definition, state), 500_000), undefined, 'a promoted experiment is left alone');
  });

  it('rolls back when the candidate breaches a guardrail: all its traffic goes to the control', () => {
    const stats = new SimulatedStats();
    const random = new SeededRandom(5);
    let state = step(definition, initialState, stats, 0);
    for (let index = 0; index < 200 && state.stopped.candidate === undefined; index++) {
      stats.add('candidate', 'error_rate', bernoulli(random, 0.3));
      stats.add('control', 'error_rate', 0);
      state = step(definition, state, stats, index);
    }
    assert.equal(state.stopped.candidate!.by, 'guardrail');
    assert.equal(state.ramp!.status, 'rolled back');
    assert.equal(state.decision!.kind, 'stopped by guardrail');
    const entry = new ExperimentCatalog({ experiments: { trial: definition.config } }).get('trial')!;
    // Even where the ramp had the candidate at 100 %, every unit is served by the control, and counted for neither.
    const atFullShare: ControlState = { ...state, ramp: { ...state.ramp!, step: 3 } };
    for (let index = 0; index < 50; index++) {
      const assigned = assignOne(entry, { route: 'assistant', units: { session: `s${index}` } }, atFullShare)!;
      assert.equal(assigned.variant.name, 'control');
      assert.equal(assigned.recorded, false);
    }
  });
});

describe('the bandit', () => {
  it('moves traffic to the faster variant, then stops and promotes it', () => {
    const definition = definitionWith({ bandit: { minShare: 0.05, rebalanceMs: 1000, delta: 0.05, minSamples: 10 }, primaryMetric: { name: 'latency_ms' } });
    const stats = new SimulatedStats();
    const random = new SeededRandom(8);
    let state: ControlState = initialState;
    let now = 0;
    const shares: number[] = [];
    while (state.status === 'running' && now < 1_000_000) {
      const weights = currentWeights(definition, state);
      for (let index = 0; index < 20; index++) {
        const variant = random.next() < weights.get('candidate')! ? 'candidate' : 'control';
        stats.add(variant, 'latency_ms', lognormal(random, variant === 'candidate' ? 600 : 800, 0.4));
      }
      now += 1000;
      state = step(definition, state, stats, now);
      if (state.weights) shares.push(state.weights.candidate!);
    }
    assert.equal(state.status, 'promoted');
    assert.equal(state.promoted, 'candidate');
    assert.match(state.decision!.reason, /track-and-stop: candidate leads on latency_ms/);
    assert.ok(shares.length > 0 && shares.every((share) => share >= 0.05 && share <= 0.95));
  });

  it('keeps a unit on the variant it first got while the weights move (pinned in the store)', async () => {
    const config = configWith({ bandit: { routes: ['assistant'], variants: { control: { weight: 0.5 }, candidate: { weight: 0.5 } }, bandit: {} } });
    const store = createMemoryStore();
    const unused = () => {
      throw new Error('assignment makes no model call');
    };
    const engine = new ExperimentEngine(config, { store: store.experiments, router: { call: unused, stream: unused, plan: unused }, usage: { record: () => 0 }, logger: { info() {}, warn() {}, debug() {} } });
    await engine.start();
    const first = new Map<string, string>();
    for (let index = 0; index < 40; index++) {
      const assigned = await engine.assign({ route: 'assistant', units: { session: `s${index}` }, tenant: 't' });
      first.set(`s${index}`, assigned!.assigned[0]!.variant.name);
    }
    // The bandit now sends almost everything to the control...
    assert.equal(await store.experiments.writeControl('bandit', 0, { status: 'running', stopped: {}, weights: { control: 0.95, candidate: 0.05 }, weightsSource: 'bandit', history: [] }), true);
    await engine.monitor.refresh();
    for (const [session, variant] of first) {
      const assigned = await engine.assign({ route: 'assistant', units: { session }, tenant: 't' });
      assert.equal(assigned!.assigned[0]!.variant.name, variant, `${session} moved`);
    }
    // ...which new units follow.
    let candidates = 0;
    for (let index = 0; index < 200; index++) if ((await engine.assign({ route: 'assistant', units: { session: `new${index}` }, tenant: 't' }))!.assigned[0]!.variant.name === 'candidate') candidates++;
    assert.ok(candidates < 30, `${candidates} of 200 new units on the candidate`);
    await engine.close();
  });
});

describe('a fixed experiment', () => {
  it('records its first decision once, and later data does not change it', () => {
    const definition = definitionWith({ primaryMetric: { name: 'latency_ms' }, minSamples: 50 });
    const stats = new SimulatedStats();
    const random = new SeededRandom(21);
    let state: ControlState = initialState;
    for (let batch = 0; batch < 100 && state.decision === undefined; batch++) {
      for (let index = 0; index < 50; index++) {
        stats.add('control', 'latency_ms', lognormal(random, 800, 0.3));
        stats.add('candidate', 'latency_ms', lognormal(random, 600, 0.3));
      }
      state = step(definition, state, stats, batch);
    }
    assert.deepEqual([state.decision!.kind, state.decision!.variant], ['winner', 'candidate']);
    assert.equal(state.status, 'running', 'a winner is declared; promoting it is an admin\'s call');
    for (let index = 0; index < 5000; index++) stats.add('candidate', 'latency_ms', 5000);
    assert.equal(nextControlState(definition, state, stats.analyse(definition, state), 1e6), undefined);
  });
});

describe('assignment', () => {
  it('hashes stably and spreads units by the weights', () => {
    assert.equal(murmur3('hello'), murmur3('hello'));
    assert.equal(murmur3(''), 0);
    assert.notEqual(murmur3('session:a'), murmur3('session:b'));
    const definition = definitionWith({}, { control: { weight: 0.7 }, candidate: { weight: 0.3 } });
    const weights = currentWeights(definition, initialState);
    let candidates = 0;
    for (let index = 0; index < 20_000; index++) if (variantAtBucket(definition, weights, unitBucket('experiment:trial', `session:${index}`)).name === 'candidate') candidates++;
    assert.ok(Math.abs(candidates / 20_000 - 0.3) < 0.015, `${candidates} of 20000`);
  });

  it('only ever moves units from the control to the ramped variant as the ramp grows', () => {
    const definition = definitionWith({ ramp: { variant: 'candidate', steps: [0.01, 0.05, 0.25, 0.5, 1] } }, { control: { weight: 1 }, candidate: { weight: 0 } });
    const onCandidate = new Set<string>();
    for (let stepIndex = 0; stepIndex < 5; stepIndex++) {
      const state: ControlState = { ...initialState, ramp: { step: stepIndex, stepStartedAt: 0, stepStartSamples: 0, status: 'ramping' } };
      const weights = currentWeights(definition, state);
      for (let index = 0; index < 2000; index++) {
        const unit = `session:${index}`;
        const variant = variantAtBucket(definition, weights, unitBucket('experiment:trial', unit)).name;
        if (onCandidate.has(unit)) assert.equal(variant, 'candidate', `${unit} went back at step ${stepIndex}`);
        if (variant === 'candidate') onCandidate.add(unit);
      }
    }
    assert.equal(onCandidate.size, 2000);
  });

  it('puts a unit in at most one experiment of a layer', () => {
    const config = configWith({
      first: { layer: 'models', traffic: 0.4, routes: ['assistant'], variants: { a: { weight: 0.5 }, b: { weight: 0.5, pool: 'other' } } },
      second: { layer: 'models', traffic: 0.6, routes: ['assistant'], variants: { a: { weight: 0.5 }, b: { weight: 0.5, pool: 'other' } } },
    });
    const catalog = new ExperimentCatalog(config);
    let first = 0;
    let second = 0;
    for (let index = 0; index < 5000; index++) {
      const inFirst = assignOne(catalog.get('first')!, { route: 'assistant', units: { session: String(index) } }, initialState) !== undefined;
      const inSecond = assignOne(catalog.get('second')!, { route: 'assistant', units: { session: String(index) } }, initialState) !== undefined;
      assert.ok(!(inFirst && inSecond), `unit ${index} is in both`);
      assert.ok(inFirst || inSecond, 'the layer\'s traffic sums to 1: every unit is in one');
      if (inFirst) first++;
      if (inSecond) second++;
    }
    assert.ok(Math.abs(first / 5000 - 0.4) < 0.03 && Math.abs(second / 5000 - 0.6) < 0.03, `${first} / ${second}`);
  });
});
