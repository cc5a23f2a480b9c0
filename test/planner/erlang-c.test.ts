import { test } from 'node:test';
import assert from 'node:assert/strict';
import { erlangCMeanWait, erlangCWaitProbability } from '../../src/planner/deploy-simulation/erlang-c.js';
import { exponentialDuration } from '../../src/planner/deploy-simulation/duration-distribution.js';
import { simulateKubernetes } from '../../src/planner/deploy-simulation/kubernetes-platform.js';
import { randomStream } from '../../src/stats/seeded-random.js';
import { generateArrivals } from '../../src/planner/deploy-simulation/traffic-profiles.js';
import { kubernetesConfig } from './simulation-fixtures.js';

test('Erlang C matches its hand-computed cases', () => {
  // M/M/1: an arrival waits with probability ρ.
  assert.ok(Math.abs(erlangCWaitProbability(1, 0.7) - 0.7) < 1e-12);
  // c = 2, A = 1 erlang: (A²/2!)(2/(2−1)) / (1 + A + 1) = 1/3.
  assert.ok(Math.abs(erlangCWaitProbability(2, 1) - 1 / 3) < 1e-12);
  // M/M/1 mean wait ρ/(μ − λ): ρ = 0.5, service 1 s gives 1 s.
  assert.ok(Math.abs(erlangCMeanWait(1, 0.5, 1) - 1) < 1e-12);
  assert.throws(() => erlangCWaitProbability(2, 2), /stable/);
});

test('one pod with c slots and a FIFO queue behaves as M/M/c: waiting share and mean wait match Erlang C', () => {
  const servers = 10;
  const arrivalRate = 8; // per second, so the pod is offered 8 erlangs with a 1 s mean turn
  const meanServiceMs = 1000;
  const arrivals = generateArrivals({ kind: 'steady', ratePerSecond: arrivalRate, durationMs: 15_000_000, arrivals: 'poisson' }, randomStream(42, 1));
  const serviceDistribution = exponentialDuration(meanServiceMs);
  const serviceRandom = randomStream(42, 2);
  const service = Float64Array.from(arrivals, () => serviceDistribution.sample(serviceRandom));
  const config = kubernetesConfig({ podCapacity: servers, initialReplicas: 1, sampleIntervalMs: 3_600_000 });
  config.hpa = { ...config.hpa, minReplicas: 1, maxReplicas: 1 };
  const run = simulateKubernetes(config, arrivals, service, randomStream(42, 4));

  const waitProbability = erlangCWaitProbability(servers, arrivalRate * (meanServiceMs / 1000));
  const simulatedShare = run.usage.queuedRequests / run.requests;
  assert.ok(Math.abs(simulatedShare - waitProbability) < 0.03, `simulated ${simulatedShare.toFixed(4)}, Erlang C ${waitProbability.toFixed(4)}`);

  const expectedMeanWaitMs = erlangCMeanWait(servers, arrivalRate * (meanServiceMs / 1000), meanServiceMs);
  const simulatedMeanWaitMs = (run.usage.meanQueueWaitMs * run.usage.queuedRequests) / run.requests;
  assert.ok(Math.abs(simulatedMeanWaitMs - expectedMeanWaitMs) / expectedMeanWaitMs < 0.1, `simulated ${simulatedMeanWaitMs.toFixed(1)} ms, Erlang C ${expectedMeanWaitMs.toFixed(1)} ms`);
  assert.equal(run.completed, run.requests);
  assert.equal(run.peakInstances, 1);
});
