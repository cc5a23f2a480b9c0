/**
 * One simulated cluster: pods behind a Service, the metrics scrape, the HPA and the cluster
 * autoscaler each on its own clock, nodes billed by the second. It answers each arrival and
 * each event of the simulation's loop.
 */

import type { RandomSource } from '../../stats/seeded-random.js';
import { ClusterAutoscaler } from './cluster-autoscaler.js';
import type { EventHandlers } from './event-loop.js';
import type { EventQueue } from './event-queue.js';
import { HorizontalPodAutoscaler, replicasForMetric } from './horizontal-pod-autoscaler.js';
import type { KubernetesConfig } from './kubernetes-config.js';
import { KubernetesEvent } from './kubernetes-events.js';
import { NodeCostMeter } from './node-cost-meter.js';
import { NodePool } from './node-pool.js';
import { emptyTimeline, recordSample, type RequestLedger, type Timeline } from './platform-run.js';
import { PodScheduler } from './pod-scheduler.js';
import { ReplicaSet } from './replica-set.js';
import { ServiceRouter } from './service-router.js';

/** Safety stop long after the last arrival, should something never settle. */
const settleLimitMs = 6 * 3_600_000;

export class KubernetesCluster implements EventHandlers {
  readonly meter: NodeCostMeter;
  readonly nodes: NodePool;
  readonly replicaSet: ReplicaSet;
  readonly router: ServiceRouter;
  readonly timeline: Timeline;
  private readonly scheduler: PodScheduler;
  private readonly autoscaler: ClusterAutoscaler;
  private readonly hpa: HorizontalPodAutoscaler;
  private readonly stopAfterMs: number;

  /** At time 0 the baseline pods are up on their nodes and every controller is scheduled. */
  constructor(
    private readonly config: KubernetesConfig,
    private readonly events: EventQueue,
    private readonly ledger: RequestLedger,
    serviceMs: Float64Array,
    random: RandomSource,
  ) {
    const arrivals = ledger.arrivalMs;
    this.stopAfterMs = (arrivals.length > 0 ? arrivals[arrivals.length - 1]! : 0) + settleLimitMs;
    this.hpa = new HorizontalPodAutoscaler({ ...config.hpa, minReplicas: Math.max(config.hpa.minReplicas, config.initialReplicas) });
    this.timeline = emptyTimeline(config.sampleIntervalMs);
    this.meter = new NodeCostMeter(Math.ceil(config.initialReplicas / config.podsPerNode), config.costWindowEndMs);
    this.nodes = new NodePool(config.podsPerNode, this.meter);
    for (let index = 0; index < this.nodes.baseline; index++) this.nodes.add(0, true);
    this.scheduler = new PodScheduler(this.nodes, events, config.podStartTime, config.imagePullMs, random);
    this.replicaSet = new ReplicaSet(config.initialReplicas, this.scheduler);
    this.router = new ServiceRouter(this.replicaSet, events, ledger, serviceMs, config.podCapacity);
    this.autoscaler = new ClusterAutoscaler(this.nodes, this.scheduler, events, config.nodeProvisionTime, config.nodeScaleDownDelayMs, random);
    // Controllers run on their own clocks, out of phase with the traffic.
    events.push(random.next() * config.hpa.syncPeriodMs, KubernetesEvent.hpaSync);
    events.push(random.next() * config.metricsScrapeIntervalMs, KubernetesEvent.metricsScrape);
    events.push(random.next() * config.clusterAutoscalerScanMs, KubernetesEvent.autoscalerScan);
    events.push(0, KubernetesEvent.sample);
  }

  arrive(request: number, nowMs: number): void {
    this.router.route(request, nowMs);
  }

  handle(kind: number, payload: number, payload2: number, nowMs: number, arrivalsLeft: boolean): void {
    const { config, replicaSet } = this;
    switch (kind) {
      case KubernetesEvent.finish:
        this.router.finish(payload, replicaSet.pods[payload2]!, nowMs);
        break;
      case KubernetesEvent.podReady:
        if (replicaSet.markReady(replicaSet.pods[payload]!)) this.router.routeBacklog(nowMs);
        break;
      case KubernetesEvent.nodeReady:
        this.scheduler.nodeReady(this.nodes.nodes[payload]!, replicaSet.pods, nowMs);
        break;
      case KubernetesEvent.metricsScrape:
        replicaSet.scrape();
        this.repeat(kind, nowMs, config.metricsScrapeIntervalMs, arrivalsLeft);
        break;
      case KubernetesEvent.hpaSync:
        this.syncHpa(nowMs);
        this.repeat(kind, nowMs, config.hpa.syncPeriodMs, arrivalsLeft);
        break;
      case KubernetesEvent.autoscalerScan:
        this.autoscaler.scan(replicaSet.unscheduled(), nowMs);
        this.repeat(kind, nowMs, config.clusterAutoscalerScanMs, arrivalsLeft);
        break;
      case KubernetesEvent.sample:
        this.sample(nowMs);
        this.repeat(kind, nowMs, config.sampleIntervalMs, arrivalsLeft);
        break;
    }
  }

  /** The run is over at `nowMs`: bills the nodes to the end and takes a last sample. */
  close(nowMs: number): void {
    this.nodes.account(nowMs);
    this.sample(nowMs);
  }

  private sample(nowMs: number): void {
    recordSample(this.timeline, nowMs, this.replicaSet.ready.length, this.router.executing, this.nodes.alive);
  }

  private syncHpa(nowMs: number): void {
    const current = this.replicaSet.replicas();
    const raw = replicasForMetric(this.replicaSet.metrics(), current, this.config.hpa.targetPerPod, this.config.hpa.tolerance);
    const desired = this.hpa.decide(nowMs, current, raw);
    if (desired > current) for (let index = current; index < desired; index++) this.replicaSet.create(nowMs);
    else if (desired < current) this.replicaSet.remove(current - desired, nowMs);
  }

  /** A controller runs again `periodMs` later unless the cluster has settled. */
  private repeat(kind: number, nowMs: number, periodMs: number, arrivalsLeft: boolean): void {
    if (!this.settled(nowMs, arrivalsLeft)) this.events.push(nowMs + periodMs, kind);
  }

  /** Back to its starting size with nothing left to do (or past the safety stop). */
  private settled(nowMs: number, arrivalsLeft: boolean): boolean {
    if (nowMs > this.stopAfterMs) return true;
    if (arrivalsLeft || this.ledger.outstanding > 0 || this.nodes.alive > this.nodes.baseline) return false;
    return this.replicaSet.isSettled(this.hpa.config.minReplicas);
  }
}
