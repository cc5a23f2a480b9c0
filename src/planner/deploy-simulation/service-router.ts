/** The Service in front of the pods: spreads turns round-robin over ready pods, each running up to its capacity and queueing the rest; turns that find no ready pod wait for the first. */

import type { EventQueue } from './event-queue.js';
import { KubernetesEvent } from './kubernetes-events.js';
import type { RequestLedger } from './platform-run.js';
import type { Pod } from './pod.js';
import type { ReplicaSet } from './replica-set.js';

export class ServiceRouter {
  /** Turns running on any pod now. */
  executing = 0;
  peakExecuting = 0;
  /** Turns that waited in a pod's queue. */
  queuedRequests = 0;
  maxQueueWaitMs = 0;
  private queueWaitTotalMs = 0;
  private roundRobin = 0;
  private backlog: number[] = [];

  constructor(
    private readonly replicaSet: ReplicaSet,
    private readonly events: EventQueue,
    private readonly ledger: RequestLedger,
    private readonly serviceMs: Float64Array,
    private readonly podCapacity: number,
  ) {}

  get meanQueueWaitMs(): number {
    return this.queuedRequests > 0 ? this.queueWaitTotalMs / this.queuedRequests : 0;
  }

  route(request: number, nowMs: number): void {
    const ready = this.replicaSet.ready;
    if (ready.length === 0) {
      this.backlog.push(request);
      return;
    }
    const pod = ready[this.roundRobin++ % ready.length]!;
    if (pod.inFlight < this.podCapacity) this.begin(request, pod, nowMs);
    else pod.enqueue(request);
  }

  /** Routes the turns that arrived while no pod was ready; call it when a pod becomes ready. */
  routeBacklog(nowMs: number): void {
    const waiting = this.backlog;
    this.backlog = [];
    for (const request of waiting) this.route(request, nowMs);
  }

  /** A turn ends: the pod takes its next queued turn, or, draining and idle, goes. */
  finish(request: number, pod: Pod, nowMs: number): void {
    pod.inFlight--;
    this.executing--;
    this.ledger.doneMs[request] = nowMs;
    this.ledger.outstanding--;
    const next = pod.dequeue();
    if (next >= 0) this.begin(next, pod, nowMs);
    else if (pod.state === 'draining' && pod.inFlight === 0) this.replicaSet.retire(pod, nowMs);
  }

  private begin(request: number, pod: Pod, nowMs: number): void {
    pod.inFlight++;
    this.executing++;
    if (this.executing > this.peakExecuting) this.peakExecuting = this.executing;
    this.ledger.startMs[request] = nowMs;
    const waited = nowMs - this.ledger.arrivalMs[request]!;
    if (waited > 0) {
      this.queuedRequests++;
      this.queueWaitTotalMs += waited;
      if (waited > this.maxQueueWaitMs) this.maxQueueWaitMs = waited;
    }
    this.events.push(nowMs + this.serviceMs[request]!, KubernetesEvent.finish, request, pod.id);
  }
}
