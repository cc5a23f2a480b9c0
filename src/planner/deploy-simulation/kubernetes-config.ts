/** What the Kubernetes simulation is given: pod capacity and count, the HPA, pod and node start-up times, and the cost window. */

import type { DurationDistribution } from './duration-distribution.js';
import type { HpaConfig } from './horizontal-pod-autoscaler.js';

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
