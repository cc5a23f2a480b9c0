/** The Deployment's pods as its ReplicaSet keeps them: creates pods, removes them in the controller's order (busy ready pods drain first), and reports what the HPA and the Service see. */

import type { PodMetrics } from './horizontal-pod-autoscaler.js';
import { Pod, type PodState } from './pod.js';
import type { PodScheduler } from './pod-scheduler.js';

/** Scale-down order, as a ReplicaSet picks: unscheduled, then waiting for a node, then starting, then ready. */
const removalRank: Record<PodState, number> = { unscheduled: 0, 'waiting-for-node': 1, starting: 2, ready: 3, draining: 9, gone: 9 };

export class ReplicaSet {
  /** Every pod ever created, indexed by id. */
  readonly pods: Pod[] = [];
  /** Ready pods in id order: the Service's endpoints. */
  ready: Pod[] = [];
  /** Pods created after time 0. */
  added = 0;
  peakReady: number;

  /** Starts with `initialReplicas` pods ready on the scheduler's nodes. */
  constructor(
    initialReplicas: number,
    private readonly scheduler: PodScheduler,
  ) {
    for (let id = 0; id < initialReplicas; id++) {
      const pod = new Pod(id, 'ready', 0);
      this.pods.push(pod);
      scheduler.bindRunning(pod);
    }
    this.refreshReady();
    this.peakReady = this.ready.length;
  }

  /** The replicas the controller counts: pods neither draining nor gone. */
  replicas(): number {
    let count = 0;
    for (const pod of this.pods) if (pod.counted) count++;
    return count;
  }

  create(nowMs: number): void {
    const pod = new Pod(this.pods.length, 'unscheduled');
    this.pods.push(pod);
    this.added++;
    this.scheduler.schedule(pod, nowMs);
  }

  /** Removes `count` pods, least advanced and least loaded first; a ready pod with turns drains instead. */
  remove(count: number, nowMs: number): void {
    const candidates = this.pods
      .filter((pod) => pod.counted)
      .sort((left, right) => removalRank[left.state] - removalRank[right.state] || left.load - right.load || right.id - left.id);
    for (const pod of candidates.slice(0, count)) {
      if (pod.state === 'ready' && pod.load > 0) pod.state = 'draining';
      else this.retire(pod, nowMs);
    }
    this.refreshReady();
  }

  /** A pod's start-up is over; false when it was removed meanwhile. */
  markReady(pod: Pod): boolean {
    if (pod.state !== 'starting') return false;
    pod.state = 'ready';
    this.refreshReady();
    if (this.ready.length > this.peakReady) this.peakReady = this.ready.length;
    return true;
  }

  /** The pod is gone and its node place freed (removed, or a draining pod that finished its last turn). */
  retire(pod: Pod, nowMs: number): void {
    pod.state = 'gone';
    this.scheduler.release(pod, nowMs);
  }

  /** The metrics server's scrape: each ready pod's in-flight count. */
  scrape(): void {
    for (const pod of this.ready) pod.metric = pod.load;
  }

  /** What the HPA sees at a sync. */
  metrics(): PodMetrics {
    const metrics: PodMetrics = { sum: 0, withMetrics: 0, missing: 0, unready: 0 };
    for (const pod of this.pods) {
      if (pod.state === 'ready') {
        if (Number.isNaN(pod.metric)) metrics.missing++;
        else {
          metrics.sum += pod.metric;
          metrics.withMetrics++;
        }
      } else if (pod.state === 'unscheduled' || pod.state === 'waiting-for-node' || pod.state === 'starting') metrics.unready++;
    }
    return metrics;
  }

  /** Pods no node had room for, in id order. */
  unscheduled(): Pod[] {
    return this.pods.filter((pod) => pod.state === 'unscheduled');
  }

  /** Nothing is starting or draining, and no more than `minReplicas` remain. */
  isSettled(minReplicas: number): boolean {
    return this.pods.every((pod) => pod.state === 'ready' || pod.state === 'gone') && this.replicas() <= minReplicas;
  }

  private refreshReady(): void {
    this.ready = this.pods.filter((pod) => pod.state === 'ready');
  }
}
