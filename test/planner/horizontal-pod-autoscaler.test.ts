import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HorizontalPodAutoscaler, replicasForMetric, type HpaConfig } from '../../src/planner/deploy-simulation/horizontal-pod-autoscaler.js';
import { hpaConfig } from './simulation-fixtures.js';

const defaults: HpaConfig = hpaConfig();

test('the metric recommends ceil(pods × usage / target), and nothing within the tolerance', () => {
  assert.equal(replicasForMetric({ sum: 2 * 735, withMetrics: 2, missing: 0, unready: 0 }, 2, 700, 0.1), 2);
  assert.equal(replicasForMetric({ sum: 2 * 2500, withMetrics: 2, missing: 0, unready: 0 }, 2, 700, 0.1), 8);
  assert.equal(replicasForMetric({ sum: 100, withMetrics: 4, missing: 0, unready: 0 }, 4, 700, 0.1), 1);
  // Pods still starting count as idle when scaling up, so a second sync does not double-count the load.
  assert.equal(replicasForMetric({ sum: 2 * 2500, withMetrics: 2, missing: 0, unready: 6 }, 8, 700, 0.1), 8);
});

test('scale-up is limited per 15 s period to the larger of doubling and four more pods', () => {
  const hpa = new HorizontalPodAutoscaler(defaults);
  assert.equal(hpa.decide(0, 2, 40), 6);
  assert.equal(hpa.decide(15_000, 6, 40), 12);
  assert.equal(hpa.decide(30_000, 12, 40), 24);
  assert.equal(hpa.decide(45_000, 24, 40), 40);
  assert.equal(hpa.decide(60_000, 40, 400), 80);
  assert.equal(hpa.decide(75_000, 80, 400), 100);
});

test('scale-down waits out the 300 s stabilization window, then drops to the highest recent recommendation', () => {
  const hpa = new HorizontalPodAutoscaler(defaults);
  assert.equal(hpa.decide(0, 10, 10), 10);
  let replicas = 10;
  for (let time = 15_000; time < 300_000; time += 15_000) {
    replicas = hpa.decide(time, replicas, 2);
    assert.equal(replicas, 10, `at ${time} ms`);
  }
  assert.equal(hpa.decide(300_000, replicas, 2), 2);
  // Never below minReplicas.
  assert.equal(new HorizontalPodAutoscaler(defaults).decide(0, 2, 0), 2);
});
