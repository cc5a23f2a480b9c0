/** Shared platform configurations for the simulation tests: realistic defaults each test bends to its hand-checkable case. */

import { fixedDuration } from '../../src/planner/deploy-simulation/duration-distribution.js';
import type { HpaConfig } from '../../src/planner/deploy-simulation/horizontal-pod-autoscaler.js';
import type { KubernetesConfig } from '../../src/planner/deploy-simulation/kubernetes-config.js';
import type { LambdaConfig } from '../../src/planner/deploy-simulation/lambda-config.js';

export function lambdaConfig(overrides: Partial<LambdaConfig> = {}): LambdaConfig {
  return {
    memoryMb: 1024,
    initTime: fixedDuration(1000),
    idleExpiryMs: 600_000,
    accountConcurrencyLimit: 1000,
    scalingPer10Seconds: 1000,
    provisionedConcurrency: 0,
    backgroundConcurrency: 0,
    retry: { baseMs: 1000, capMs: 20_000, maxAttempts: 10 },
    apiGateway: { burst: 1e9, ratePerSecond: 1e9, timeoutMs: 30_000 },
    sampleIntervalMs: 1000,
    ...overrides,
  };
}

/** Kubernetes' default HPA behaviour with a 700-per-pod target, as the planner's defaults set it. */
export function hpaConfig(): HpaConfig {
  return {
    minReplicas: 2,
    maxReplicas: 100,
    targetPerPod: 700,
    tolerance: 0.1,
    syncPeriodMs: 15_000,
    scaleUp: { stabilizationMs: 0, percent: 100, pods: 4, periodMs: 15_000 },
    scaleDown: { stabilizationMs: 300_000, percent: 100, pods: 0, periodMs: 15_000 },
  };
}

export function kubernetesConfig(overrides: Partial<KubernetesConfig> = {}): KubernetesConfig {
  return {
    podCapacity: 1000,
    initialReplicas: 2,
    hpa: hpaConfig(),
    metricsScrapeIntervalMs: 15_000,
    podStartTime: fixedDuration(4000),
    imagePullMs: 15_000,
    podsPerNode: 6,
    nodeProvisionTime: fixedDuration(60_000),
    nodeScaleDownDelayMs: 600_000,
    clusterAutoscalerScanMs: 10_000,
    sampleIntervalMs: 1000,
    costWindowEndMs: Infinity,
    ...overrides,
  };
}

/** One service time per arrival from a constant. */
export function constantService(count: number, valueMs: number): Float64Array {
  return new Float64Array(count).fill(valueMs);
}
