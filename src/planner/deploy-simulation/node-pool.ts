/** A cluster's nodes: which are ready, how many pods each holds and since when one is empty; every change in their number is billed through the cost meter. */

import type { NodeCostMeter } from './node-cost-meter.js';

export interface ClusterNode {
  readonly id: number;
  ready: boolean;
  removed: boolean;
  pods: number;
  emptySinceMs: number;
  /** When the image is on the node (NaN: not pulled yet). */
  imageReadyMs: number;
}

export class NodePool {
  readonly nodes: ClusterNode[] = [];
  /** Nodes provisioning or ready, not removed. */
  alive = 0;
  peak = 0;

  constructor(
    readonly podsPerNode: number,
    private readonly meter: NodeCostMeter,
  ) {}

  /** The nodes that are always on: the pool never scales below them. */
  get baseline(): number {
    return this.meter.baselineNodes;
  }

  /** A node joins: ready at once (with the image, at time 0) or still provisioning. */
  add(nowMs: number, ready: boolean): ClusterNode {
    this.meter.account(nowMs, this.alive);
    const node: ClusterNode = { id: this.nodes.length, ready, removed: false, pods: 0, emptySinceMs: nowMs, imageReadyMs: ready ? 0 : Number.NaN };
    this.nodes.push(node);
    this.alive++;
    if (this.alive > this.peak) this.peak = this.alive;
    return node;
  }

  /** A node with room for one more pod, a ready one before one still provisioning; undefined when every node is full. */
  withRoom(): ClusterNode | undefined {
    return (
      this.nodes.find((node) => !node.removed && node.pods < this.podsPerNode && node.ready) ??
      this.nodes.find((node) => !node.removed && node.pods < this.podsPerNode)
    );
  }

  bind(node: ClusterNode): void {
    node.pods++;
  }

  unbind(node: ClusterNode, nowMs: number): void {
    node.pods--;
    if (node.pods === 0) node.emptySinceMs = nowMs;
  }

  markReady(node: ClusterNode, nowMs: number): void {
    node.ready = true;
    if (node.pods === 0) node.emptySinceMs = nowMs;
  }

  /** Removes ready nodes that have been empty for `delayMs`, oldest first, never going below the baseline. */
  removeEmpty(nowMs: number, delayMs: number): void {
    for (const node of this.nodes) {
      if (this.alive <= this.baseline) break;
      if (!node.removed && node.ready && node.pods === 0 && nowMs - node.emptySinceMs >= delayMs) {
        this.meter.account(nowMs, this.alive);
        node.removed = true;
        this.alive--;
      }
    }
  }

  /** Bills the nodes up to `nowMs` (the end of the run). */
  account(nowMs: number): void {
    this.meter.account(nowMs, this.alive);
  }
}
