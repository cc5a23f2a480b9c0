import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fixedDuration } from '../../src/planner/deploy-simulation/duration-distribution.js';
import { simulateKubernetes } from '../../src/planner/deploy-simulation/kubernetes-platform.js';
import { randomStream } from '../../src/stats/seeded-random.js';
import { generateArrivals } from '../../src/planner/deploy-simulation/traffic-profiles.js';
import { constantService, kubernetesConfig } from './simulation-fixtures.js';

const random = () => randomStream(5, 4);

/** First sample time at which `values` exceeds `threshold`, in ms. */
function firstAbove(times: number[], values: number[], threshold: number): number {
  const index = values.findIndex((value) => value > threshold);
  return index < 0 ? Infinity : times[index]!;
}

test('a pod runs its capacity at once and queues the rest FIFO', () => {
  const config = kubernetesConfig({ podCapacity: 10, initialReplicas: 1 });
  config.hpa = { ...config.hpa, minReplicas: 1, maxReplicas: 1 };
  const run = simulateKubernetes(config, new Float64Array(25), constantService(25, 1000), random());
  assert.equal(run.peakBusy, 10);
  assert.equal(run.usage.queuedRequests, 15);
  // Three waves of one second: 10 at 1 s, 10 at 2 s, 5 at 3 s.
  assert.equal(run.latency.max, 3000);
  assert.equal(run.latency.p50, 2000);
});

test('the HPA adds pods under load; pods start in the pod start time when nodes have room', () => {
  const arrivals = generateArrivals({ kind: 'steady', ratePerSecond: 400, durationMs: 120_000, arrivals: 'uniform' }, random());
  const config = kubernetesConfig({ podCapacity: 1000, initialReplicas: 2, podsPerNode: 100, podStartTime: fixedDuration(3000) });
  const run = simulateKubernetes(config, arrivals, constantService(arrivals.length, 5000), random());
  assert.ok(run.peakInstances > 2, `peak ${run.peakInstances} pods`);
  assert.equal(run.usage.peakNodes, 1);
  assert.equal(run.completed, run.requests);
  // Scaled back to the minimum once the traffic ended, then the run stopped.
  assert.equal(run.timeline.instances.at(-1), 2);
});

test('when nodes run out, new pods wait for node provisioning and an image pull', () => {
  const arrivals = generateArrivals({ kind: 'steady', ratePerSecond: 400, durationMs: 300_000, arrivals: 'uniform' }, random());
  const config = kubernetesConfig({
    podCapacity: 1000,
    initialReplicas: 2,
    podsPerNode: 2,
    podStartTime: fixedDuration(3000),
    nodeProvisionTime: fixedDuration(60_000),
    imagePullMs: 15_000,
  });
  const run = simulateKubernetes(config, arrivals, constantService(arrivals.length, 5000), random());
  assert.ok(run.usage.peakNodes > 1);
  // The first sync sees the load after the first scrape; the earliest extra pod is ready a node, a pull and a start later.
  const firstExtraPodMs = firstAbove(run.timeline.timesMs, run.timeline.instances, 2);
  assert.ok(firstExtraPodMs >= 60_000 + 15_000 + 3000, `first extra pod ready at ${firstExtraPodMs} ms`);
  assert.ok(run.usage.extraNodeSeconds > 0);
  // Empty nodes go after the scale-down delay: the run ends back on one node.
  assert.equal(run.timeline.nodes.at(-1), 1);
});

test('the same seed gives the same run', () => {
  const arrivals = generateArrivals({ kind: 'spike', users: 3000, windowMs: 1000 }, randomStream(3, 1));
  const service = constantService(3000, 4000);
  const first = simulateKubernetes(kubernetesConfig(), arrivals, service, randomStream(3, 4));
  const second = simulateKubernetes(kubernetesConfig(), arrivals, service, randomStream(3, 4));
  assert.deepEqual(first.latency, second.latency);
  assert.deepEqual(first.timeline, second.timeline);
});
