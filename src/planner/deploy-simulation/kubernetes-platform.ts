/**
 * Switchboard pods on Kubernetes: each pod runs up to `podCapacity` turns at once and queues
 * the rest (FIFO per pod); a Service spreads new requests round-robin over ready pods; the
 * HPA scales on in-flight turns per pod from periodic metric scrapes; new pods take a start
 * time (plus an image pull on a fresh node), and when nodes run out the cluster autoscaler
 * provisions more; empty nodes go after a delay. Counts node-seconds for billing. The parts
 * are objects of their own (kubernetes-cluster.ts and what it holds); this runs them.
 */

import type { RandomSource } from '../../stats/seeded-random.js';
import { runEventLoop } from './event-loop.js';
import { EventQueue } from './event-queue.js';
import type { KubernetesConfig } from './kubernetes-config.js';
import { KubernetesCluster } from './kubernetes-cluster.js';
import { RequestLedger, type PlatformRun } from './platform-run.js';

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

export function simulateKubernetes(config: KubernetesConfig, arrivalsMs: Float64Array, serviceMs: Float64Array, random: RandomSource): KubernetesRun {
  const ledger = new RequestLedger(arrivalsMs);
  const events = new EventQueue();
  const cluster = new KubernetesCluster(config, events, ledger, serviceMs, random);
  const endMs = runEventLoop(arrivalsMs, events, cluster);
  cluster.close(endMs);
  const { meter, nodes, replicaSet, router } = cluster;
  const run = ledger.summarize('kubernetes', { throttleResponses: 0, peakInstances: replicaSet.peakReady, peakBusy: router.peakExecuting, endMs, timeline: cluster.timeline });
  return {
    ...run,
    platform: 'kubernetes',
    usage: {
      baselineNodes: nodes.baseline,
      nodeSeconds: meter.nodeSeconds,
      extraNodeSeconds: meter.extraNodeSeconds,
      peakNodes: nodes.peak,
      peakPods: replicaSet.peakReady,
      queuedRequests: router.queuedRequests,
      meanQueueWaitMs: router.meanQueueWaitMs,
      maxQueueWaitMs: router.maxQueueWaitMs,
      podsAdded: replicaSet.added,
    },
  };
}
