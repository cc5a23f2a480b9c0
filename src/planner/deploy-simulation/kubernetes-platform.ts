/**
 * Switchboard pods on Kubernetes: each pod runs up to `podCapacity` turns at once and queues
 * the rest (FIFO per pod); a Service spreads new requests round-robin over ready pods; the
 * HPA scales on in-flight turns per pod from periodic metric scrapes; new pods take a start
 * time (plus an image pull on a fresh node), and when nodes run out the cluster autoscaler
 * provisions more; empty nodes go after a delay. Counts node-seconds for billing.
 */

import type { DurationDistribution } from './duration-distribution.js';
import { EventQueue } from './event-queue.js';
import { HorizontalPodAutoscaler, replicasForMetric, type HpaConfig } from './horizontal-pod-autoscaler.js';
import { emptyTimeline, recordSample, RequestLedger, type PlatformRun } from './platform-run.js';
import type { RandomSource } from './seeded-random.js';

export interface KubernetesConfig {
  podCapacity: number;
  /** Ready pods (and the nodes they need) at time 0; the HPA never goes below it. */
  initialReplicas: number;
  hpa: HpaConfig;
  metricsScrapeIntervalMs: number;
  podStartTime: DurationDistribution;
  imagePullMs: number;
  podsPerNode: number;
  nodeProvisionTime: DurationDistribution;
  nodeScaleDownDelayMs: number;
  clusterAutoscalerScanMs: number;
  sampleIntervalMs: number;
  /** Node-seconds above the baseline count only until here (Infinity: until the cluster has scaled back). */
  costWindowEndMs: number;
}

export interface KubernetesUsage {
  baselineNodes: number;
  nodeSeconds: number;
  /** Node-seconds above the baseline nodes within the cost window: what the event adds to the bill. */
  extraNodeSeconds: number;
  peakNodes: number;
  peakPods: number;
  /** Requests that waited in a pod's queue. */
  queuedRequests: number;
  meanQueueWaitMs: number;
  maxQueueWaitMs: number;
  /** Pods the HPA added during the run. */
  podsAdded: number;
}

export interface KubernetesRun extends PlatformRun {
  platform: 'kubernetes';
  usage: KubernetesUsage;
}

type PodState = 'unscheduled' | 'waiting-for-node' | 'starting' | 'ready' | 'draining' | 'gone';

interface Pod {
  id: number;
  state: PodState;
  node: ClusterNode | null;
  inFlight: number;
  queue: number[];
  queueHead: number;
  /** The last scraped in-flight value, NaN before the first scrape. */
  metric: number;
}

interface ClusterNode {
  ready: boolean;
  removed: boolean;
  pods: number;
  emptySinceMs: number;
  /** When the image is on the node (NaN: not pulled yet). */
  imageReadyMs: number;
}

const FINISH = 0;
const POD_READY = 1;
const NODE_READY = 2;
const HPA_SYNC = 3;
const SCRAPE = 4;
const AUTOSCALER_SCAN = 5;
const SAMPLE = 6;

/** Safety stop long after the last arrival, should something never settle. */
const settleLimitMs = 6 * 3_600_000;

export function simulateKubernetes(config: KubernetesConfig, arrivalsMs: Float64Array, serviceMs: Float64Array, random: RandomSource): KubernetesRun {
  const ledger = new RequestLedger(arrivalsMs);
  const queue = new EventQueue();
  const hpa = new HorizontalPodAutoscaler({ ...config.hpa, minReplicas: Math.max(config.hpa.minReplicas, config.initialReplicas) });
  const timeline = emptyTimeline(config.sampleIntervalMs);
  const pods: Pod[] = [];
  const nodes: ClusterNode[] = [];
  const unrouted: number[] = [];
  let readyPods: Pod[] = [];
  let roundRobin = 0;
  let executing = 0;
  let peakBusy = 0;
  let podsAdded = 0;
  let queuedRequests = 0;
  let queueWaitTotal = 0;
  let maxQueueWait = 0;

  const baselineNodes = Math.ceil(config.initialReplicas / config.podsPerNode);
  let nodesAlive = 0;
  let peakNodes = 0;
  let nodeSeconds = 0;
  let extraNodeSeconds = 0;
  let lastNodeAccountingMs = 0;

  const accountNodes = (nowMs: number): void => {
    const elapsed = nowMs - lastNodeAccountingMs;
    if (elapsed > 0) {
      nodeSeconds += (elapsed * nodesAlive) / 1000;
      const windowElapsed = Math.max(0, Math.min(nowMs, config.costWindowEndMs) - lastNodeAccountingMs);
      extraNodeSeconds += (windowElapsed * Math.max(0, nodesAlive - baselineNodes)) / 1000;
      lastNodeAccountingMs = nowMs;
    }
  };

  const addNode = (nowMs: number, ready: boolean): ClusterNode => {
    accountNodes(nowMs);
    const node: ClusterNode = { ready, removed: false, pods: 0, emptySinceMs: nowMs, imageReadyMs: ready ? 0 : Number.NaN };
    nodes.push(node);
    nodesAlive++;
    if (nodesAlive > peakNodes) peakNodes = nodesAlive;
    return node;
  };

  const refreshReadyPods = (): void => {
    readyPods = pods.filter((pod) => pod.state === 'ready');
  };

  const specReplicas = (): number => {
    let count = 0;
    for (const pod of pods) if (pod.state !== 'draining' && pod.state !== 'gone') count++;
    return count;
  };

  const begin = (request: number, pod: Pod, nowMs: number): void => {
    pod.inFlight++;
    executing++;
    if (executing > peakBusy) peakBusy = executing;
    ledger.startMs[request] = nowMs;
    const waited = nowMs - arrivalsMs[request]!;
    if (waited > 0) {
      queuedRequests++;
      queueWaitTotal += waited;
      if (waited > maxQueueWait) maxQueueWait = waited;
    }
    queue.push(nowMs + serviceMs[request]!, FINISH, request, pod.id);
  };

  const route = (request: number, nowMs: number): void => {
    if (readyPods.length === 0) {
      unrouted.push(request);
      return;
    }
    const pod = readyPods[roundRobin++ % readyPods.length]!;
    if (pod.inFlight < config.podCapacity) begin(request, pod, nowMs);
    else pod.queue.push(request);
  };

  const releaseFromNode = (pod: Pod, nowMs: number): void => {
    const node = pod.node;
    pod.node = null;
    if (!node) return;
    node.pods--;
    if (node.pods === 0) node.emptySinceMs = nowMs;
  };

  const startOnNode = (pod: Pod, node: ClusterNode, nowMs: number): void => {
    pod.state = 'starting';
    if (Number.isNaN(node.imageReadyMs)) node.imageReadyMs = nowMs + config.imagePullMs;
    const readyAt = Math.max(nowMs, node.imageReadyMs) + config.podStartTime.sample(random);
    queue.push(readyAt, POD_READY, pod.id);
  };

  const createPod = (nowMs: number): void => {
    const pod: Pod = { id: pods.length, state: 'unscheduled', node: null, inFlight: 0, queue: [], queueHead: 0, metric: Number.NaN };
    pods.push(pod);
    podsAdded++;
    const node = nodes.find((candidate) => !candidate.removed && candidate.pods < config.podsPerNode && candidate.ready) ??
      nodes.find((candidate) => !candidate.removed && candidate.pods < config.podsPerNode);
    if (!node) return;
    node.pods++;
    pod.node = node;
    if (node.ready) startOnNode(pod, node, nowMs);
    else pod.state = 'waiting-for-node';
  };

  /** Scale-down order as a ReplicaSet picks: unscheduled, then waiting, then starting, then the least loaded ready pods. */
  const removePods = (count: number, nowMs: number): void => {
    const rank: Record<PodState, number> = { unscheduled: 0, 'waiting-for-node': 1, starting: 2, ready: 3, draining: 9, gone: 9 };
    const candidates = pods
      .filter((pod) => pod.state !== 'draining' && pod.state !== 'gone')
      .sort((left, right) => rank[left.state] - rank[right.state] || load(left) - load(right) || right.id - left.id);
    for (const pod of candidates.slice(0, count)) {
      if (pod.state === 'ready' && load(pod) > 0) {
        pod.state = 'draining';
        continue;
      }
      pod.state = 'gone';
      releaseFromNode(pod, nowMs);
    }
    refreshReadyPods();
  };

  const load = (pod: Pod): number => pod.inFlight + pod.queue.length - pod.queueHead;

  const finish = (request: number, pod: Pod, nowMs: number): void => {
    pod.inFlight--;
    executing--;
    ledger.doneMs[request] = nowMs;
    ledger.outstanding--;
    if (pod.queueHead < pod.queue.length) {
      const next = pod.queue[pod.queueHead++]!;
      if (pod.queueHead > 1024 && pod.queueHead * 2 > pod.queue.length) {
        pod.queue = pod.queue.slice(pod.queueHead);
        pod.queueHead = 0;
      }
      begin(next, pod, nowMs);
    } else if (pod.state === 'draining' && pod.inFlight === 0) {
      pod.state = 'gone';
      releaseFromNode(pod, nowMs);
    }
  };

  const podReady = (pod: Pod, nowMs: number): void => {
    if (pod.state !== 'starting') return;
    pod.state = 'ready';
    refreshReadyPods();
    while (unrouted.length > 0) route(unrouted.shift()!, nowMs);
  };

  const hpaSync = (nowMs: number): void => {
    let sum = 0;
    let withMetrics = 0;
    let missing = 0;
    let unready = 0;
    for (const pod of pods) {
      if (pod.state === 'ready') {
        if (Number.isNaN(pod.metric)) missing++;
        else {
          sum += pod.metric;
          withMetrics++;
        }
      } else if (pod.state === 'unscheduled' || pod.state === 'waiting-for-node' || pod.state === 'starting') unready++;
    }
    const current = specReplicas();
    const raw = replicasForMetric({ sum, withMetrics, missing, unready }, current, config.hpa.targetPerPod, config.hpa.tolerance);
    const desired = hpa.decide(nowMs, current, raw);
    if (desired > current) for (let index = current; index < desired; index++) createPod(nowMs);
    else if (desired < current) removePods(current - desired, nowMs);
  };

  const autoscalerScan = (nowMs: number): void => {
    const waiting = pods.filter((pod) => pod.state === 'unscheduled');
    for (let offset = 0; offset < waiting.length; offset += config.podsPerNode) {
      const node = addNode(nowMs, false);
      for (const pod of waiting.slice(offset, offset + config.podsPerNode)) {
        node.pods++;
        pod.node = node;
        pod.state = 'waiting-for-node';
      }
      queue.push(nowMs + config.nodeProvisionTime.sample(random), NODE_READY, nodes.length - 1);
    }
    for (const node of nodes) {
      if (nodesAlive <= baselineNodes) break;
      if (!node.removed && node.ready && node.pods === 0 && nowMs - node.emptySinceMs >= config.nodeScaleDownDelayMs) {
        accountNodes(nowMs);
        node.removed = true;
        nodesAlive--;
      }
    }
  };

  const nodeReady = (node: ClusterNode, nowMs: number): void => {
    node.ready = true;
    if (node.pods === 0) node.emptySinceMs = nowMs;
    for (const pod of pods) if (pod.node === node && pod.state === 'waiting-for-node') startOnNode(pod, node, nowMs);
  };

  const settled = (nowMs: number, arrivalsLeft: boolean): boolean => {
    if (nowMs > (arrivalsMs.length > 0 ? arrivalsMs[arrivalsMs.length - 1]! : 0) + settleLimitMs) return true;
    if (arrivalsLeft || ledger.outstanding > 0 || nodesAlive > baselineNodes) return false;
    return pods.every((pod) => pod.state === 'ready' || pod.state === 'gone') && specReplicas() <= hpa.config.minReplicas;
  };

  // Time 0: the baseline pods are up on their nodes.
  for (let index = 0; index < baselineNodes; index++) addNode(0, true);
  for (let index = 0; index < config.initialReplicas; index++) {
    const node = nodes[Math.floor(index / config.podsPerNode)]!;
    node.pods++;
    pods.push({ id: index, state: 'ready', node, inFlight: 0, queue: [], queueHead: 0, metric: 0 });
  }
  podsAdded = 0;
  refreshReadyPods();
  let peakPods = readyPods.length;

  // Controllers run on their own clocks, out of phase with the traffic.
  queue.push(random.next() * config.hpa.syncPeriodMs, HPA_SYNC);
  queue.push(random.next() * config.metricsScrapeIntervalMs, SCRAPE);
  queue.push(random.next() * config.clusterAutoscalerScanMs, AUTOSCALER_SCAN);
  queue.push(0, SAMPLE);

  let nextArrival = 0;
  let nowMs = 0;
  while (nextArrival < arrivalsMs.length || queue.size > 0) {
    if (nextArrival < arrivalsMs.length && arrivalsMs[nextArrival]! < queue.peekTime()) {
      nowMs = arrivalsMs[nextArrival]!;
      route(nextArrival++, nowMs);
      continue;
    }
    queue.pop();
    nowMs = queue.time;
    const arrivalsLeft = nextArrival < arrivalsMs.length;
    switch (queue.kind) {
      case FINISH:
        finish(queue.payload, pods[queue.payload2]!, nowMs);
        break;
      case POD_READY:
        podReady(pods[queue.payload]!, nowMs);
        if (readyPods.length > peakPods) peakPods = readyPods.length;
        break;
      case NODE_READY:
        nodeReady(nodes[queue.payload]!, nowMs);
        break;
      case SCRAPE:
        for (const pod of readyPods) pod.metric = load(pod);
        if (!settled(nowMs, arrivalsLeft)) queue.push(nowMs + config.metricsScrapeIntervalMs, SCRAPE);
        break;
      case HPA_SYNC:
        hpaSync(nowMs);
        if (!settled(nowMs, arrivalsLeft)) queue.push(nowMs + config.hpa.syncPeriodMs, HPA_SYNC);
        break;
      case AUTOSCALER_SCAN:
        autoscalerScan(nowMs);
        if (!settled(nowMs, arrivalsLeft)) queue.push(nowMs + config.clusterAutoscalerScanMs, AUTOSCALER_SCAN);
        break;
      case SAMPLE:
        recordSample(timeline, nowMs, readyPods.length, executing, nodesAlive);
        if (!settled(nowMs, arrivalsLeft)) queue.push(nowMs + config.sampleIntervalMs, SAMPLE);
        break;
    }
  }
  accountNodes(nowMs);
  recordSample(timeline, nowMs, readyPods.length, executing, nodesAlive);
  const run = ledger.summarize('kubernetes', { throttleResponses: 0, peakInstances: peakPods, peakBusy, endMs: nowMs, timeline });
  return {
    ...run,
    platform: 'kubernetes',
    usage: {
      baselineNodes,
      nodeSeconds,
      extraNodeSeconds,
      peakNodes,
      peakPods,
      queuedRequests,
      meanQueueWaitMs: queuedRequests > 0 ? queueWaitTotal / queuedRequests : 0,
      maxQueueWaitMs: maxQueueWait,
      podsAdded,
    },
  };
}
