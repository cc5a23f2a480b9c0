/** Binds pods to nodes with room, ready nodes first, and starts them: an image pull on a node that has not pulled the image yet, then the pod's start time. */

import type { RandomSource } from '../../stats/seeded-random.js';
import type { DurationDistribution } from './duration-distribution.js';
import type { EventQueue } from './event-queue.js';
import { KubernetesEvent } from './kubernetes-events.js';
import type { ClusterNode, NodePool } from './node-pool.js';
import type { Pod } from './pod.js';

export class PodScheduler {
  constructor(
    private readonly nodes: NodePool,
    private readonly events: EventQueue,
    private readonly startTime: DurationDistribution,
    private readonly imagePullMs: number,
    private readonly random: RandomSource,
  ) {}

  /** Binds a pod that is already running (the baseline at time 0) to the first node with room. */
  bindRunning(pod: Pod): void {
    const node = this.nodes.withRoom();
    if (!node) throw new Error(`no node has room for running pod ${pod.id}`);
    this.nodes.bind(node);
    pod.node = node;
  }

  /** Binds a new pod where there is room; with none it stays unscheduled until the cluster autoscaler adds a node. */
  schedule(pod: Pod, nowMs: number): void {
    const node = this.nodes.withRoom();
    if (node) this.assign(pod, node, nowMs);
  }

  /** Binds `pod` to `node`: it starts at once on a ready node, or waits for a provisioning one. */
  assign(pod: Pod, node: ClusterNode, nowMs: number): void {
    this.nodes.bind(node);
    pod.node = node;
    if (node.ready) this.start(pod, node, nowMs);
    else pod.state = 'waiting-for-node';
  }

  /** A provisioned node is ready: the pods waiting for it start, in pod order. */
  nodeReady(node: ClusterNode, pods: readonly Pod[], nowMs: number): void {
    this.nodes.markReady(node, nowMs);
    for (const pod of pods) if (pod.node === node && pod.state === 'waiting-for-node') this.start(pod, node, nowMs);
  }

  /** Frees the pod's place on its node (it is gone). */
  release(pod: Pod, nowMs: number): void {
    const node = pod.node;
    pod.node = null;
    if (node) this.nodes.unbind(node, nowMs);
  }

  private start(pod: Pod, node: ClusterNode, nowMs: number): void {
    pod.state = 'starting';
    if (Number.isNaN(node.imageReadyMs)) node.imageReadyMs = nowMs + this.imagePullMs;
    const readyAtMs = Math.max(nowMs, node.imageReadyMs) + this.startTime.sample(this.random);
    this.events.push(readyAtMs, KubernetesEvent.podReady, pod.id);
  }
}
