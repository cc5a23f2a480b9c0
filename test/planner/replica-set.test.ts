import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fixedDuration } from '../../src/planner/deploy-simulation/duration-distribution.js';
import { EventQueue } from '../../src/planner/deploy-simulation/event-queue.js';
import { KubernetesEvent } from '../../src/planner/deploy-simulation/kubernetes-events.js';
import { NodeCostMeter } from '../../src/planner/deploy-simulation/node-cost-meter.js';
import { NodePool } from '../../src/planner/deploy-simulation/node-pool.js';
import { Pod } from '../../src/planner/deploy-simulation/pod.js';
import { PodScheduler } from '../../src/planner/deploy-simulation/pod-scheduler.js';
import { ReplicaSet } from '../../src/planner/deploy-simulation/replica-set.js';
import { randomStream } from '../../src/stats/seeded-random.js';

function cluster(podsPerNode: number, readyNodes: number) {
  const events = new EventQueue();
  const nodes = new NodePool(podsPerNode, new NodeCostMeter(readyNodes, Infinity));
  for (let index = 0; index < readyNodes; index++) nodes.add(0, true);
  const scheduler = new PodScheduler(nodes, events, fixedDuration(4000), 15_000, randomStream(1, 4));
  return { events, nodes, scheduler };
}

function drain(events: EventQueue): [number, number, number][] {
  const popped: [number, number, number][] = [];
  while (events.pop()) popped.push([events.time, events.kind, events.payload]);
  return popped;
}

test('a pod queue is first in, first out, also across the compaction of a long queue', () => {
  const pod = new Pod(0, 'ready');
  for (let request = 0; request < 3000; request++) pod.enqueue(request);
  const served: number[] = [];
  for (let index = 0; index < 2000; index++) served.push(pod.dequeue());
  for (let request = 3000; request < 3100; request++) pod.enqueue(request);
  assert.equal(pod.load, 1100);
  while (pod.load > 0) served.push(pod.dequeue());
  assert.deepEqual(served, Array.from({ length: 3100 }, (_, request) => request));
  assert.equal(pod.dequeue(), -1);
});

test('the image is pulled once per node: the first pod on a fresh node waits for the pull, the next only for its start', () => {
  const { events, nodes, scheduler } = cluster(4, 0);
  const fresh = nodes.add(0, false);
  const first = new Pod(0, 'unscheduled');
  const second = new Pod(1, 'unscheduled');
  scheduler.assign(first, fresh, 0);
  assert.equal(first.state, 'waiting-for-node');
  scheduler.nodeReady(fresh, [first], 60_000);
  scheduler.assign(second, fresh, 70_000);
  assert.deepEqual(drain(events), [
    [60_000 + 15_000 + 4000, KubernetesEvent.podReady, 0],
    [75_000 + 4000, KubernetesEvent.podReady, 1],
  ]);
});

test('scale-down removes unscheduled, then waiting, then starting pods, then the least loaded ready ones; a busy ready pod drains', () => {
  const { nodes, scheduler } = cluster(3, 1);
  const replicas = new ReplicaSet(2, scheduler); // pods 0 and 1, ready on the one node
  replicas.create(0); // pod 2: starting on the node's last place
  replicas.create(0); // pod 3: no room anywhere, unscheduled
  assert.deepEqual(replicas.pods.map((pod) => pod.state), ['ready', 'ready', 'starting', 'unscheduled']);
  replicas.pods[0]!.inFlight = 3;
  replicas.pods[1]!.inFlight = 1;
  replicas.remove(2, 1000);
  assert.deepEqual(replicas.pods.map((pod) => pod.state), ['ready', 'ready', 'gone', 'gone']);
  assert.equal(nodes.nodes[0]!.pods, 2, 'the starting pod gave its place back');
  assert.equal(replicas.replicas(), 2);
  replicas.remove(1, 2000);
  assert.deepEqual(replicas.pods.map((pod) => pod.state), ['ready', 'draining', 'gone', 'gone'], 'the less loaded ready pod goes first, and drains');
  assert.deepEqual(replicas.ready.map((pod) => pod.id), [0], 'a draining pod takes no new turns');
  assert.equal(replicas.markReady(replicas.pods[2]!), false, 'a removed pod does not come up later');
  assert.equal(replicas.added, 2);
});

test('the HPA sees ready pods with a scrape, ready pods without one, and unready pods', () => {
  const { scheduler } = cluster(10, 1);
  const replicas = new ReplicaSet(2, scheduler);
  replicas.create(0);
  replicas.pods[0]!.inFlight = 5;
  replicas.scrape();
  replicas.pods[1]!.metric = Number.NaN;
  assert.deepEqual(replicas.metrics(), { sum: 5, withMetrics: 1, missing: 1, unready: 1 });
  assert.equal(replicas.isSettled(2), false, 'a pod is still starting');
});
