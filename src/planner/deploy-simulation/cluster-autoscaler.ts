/** The cluster autoscaler's scan: launches nodes for the pods no node has room for, and removes nodes left empty past the scale-down delay. */

import type { RandomSource } from '../../stats/seeded-random.js';
import type { DurationDistribution } from './duration-distribution.js';
import type { EventQueue } from './event-queue.js';
import { KubernetesEvent } from './kubernetes-events.js';
import type { NodePool } from './node-pool.js';
import type { Pod } from './pod.js';
import type { PodScheduler } from './pod-scheduler.js';

export class ClusterAutoscaler {
  constructor(
    private readonly nodes: NodePool,
    private readonly scheduler: PodScheduler,
    private readonly events: EventQueue,
    private readonly provisionTime: DurationDistribution,
    private readonly scaleDownDelayMs: number,
    private readonly random: RandomSource,
  ) {}

  /** One scan at `nowMs` over the pods that are still unscheduled, in id order. */
  scan(unscheduled: readonly Pod[], nowMs: number): void {
    const perNode = this.nodes.podsPerNode;
    for (let offset = 0; offset < unscheduled.length; offset += perNode) {
      const node = this.nodes.add(nowMs, false);
      for (const pod of unscheduled.slice(offset, offset + perNode)) this.scheduler.assign(pod, node, nowMs);
      this.events.push(nowMs + this.provisionTime.sample(this.random), KubernetesEvent.nodeReady, node.id);
    }
    this.nodes.removeEmpty(nowMs, this.scaleDownDelayMs);
  }
}
