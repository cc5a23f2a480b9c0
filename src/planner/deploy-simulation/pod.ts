/** A simulated pod: its lifecycle state, the node it is bound to, and its turns — up to its capacity running, the rest queued first in, first out. */

import type { ClusterNode } from './node-pool.js';

export type PodState = 'unscheduled' | 'waiting-for-node' | 'starting' | 'ready' | 'draining' | 'gone';

export class Pod {
  node: ClusterNode | null = null;
  /** Turns running now. */
  inFlight = 0;
  private queue: number[] = [];
  private queueHead = 0;

  constructor(
    readonly id: number,
    public state: PodState,
    /** The last scraped in-flight value, NaN before the first scrape. */
    public metric = Number.NaN,
  ) {}

  /** Running plus queued turns: the in-flight metric the HPA scales on. */
  get load(): number {
    return this.inFlight + this.queue.length - this.queueHead;
  }

  /** Still one of the replicas the controller counts (not draining, not gone). */
  get counted(): boolean {
    return this.state !== 'draining' && this.state !== 'gone';
  }

  enqueue(request: number): void {
    this.queue.push(request);
  }

  /** The request queued longest, or −1 when none waits. */
  dequeue(): number {
    if (this.queueHead >= this.queue.length) return -1;
    const next = this.queue[this.queueHead++]!;
    // Drop the consumed head now and then, so a long spike does not keep every request id alive.
    if (this.queueHead > 1024 && this.queueHead * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.queueHead);
      this.queueHead = 0;
    }
    return next;
  }
}
