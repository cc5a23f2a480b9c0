/**
 * The Kubernetes HPA's replica calculation for a Pods metric, after the controller's own
 * code (pkg/controller/podautoscaler): usage ratio with tolerance, missing and unready pods
 * filled in conservatively, then the stabilization windows and the scale-up/scale-down
 * rate policies of `behavior`, with the API's defaults.
 */

export interface ScalingRules {
  stabilizationMs: number;
  /** Percent policy: at most this percent of the replicas at the start of the period may be added (removed). */
  percent: number;
  /** Pods policy: at most this many pods per period (scale-up only; 0 disables it). */
  pods: number;
  periodMs: number;
}

export interface HpaConfig {
  minReplicas: number;
  maxReplicas: number;
  /** Target average of the metric per pod (in-flight turns). */
  targetPerPod: number;
  tolerance: number;
  syncPeriodMs: number;
  scaleUp: ScalingRules;
  scaleDown: ScalingRules;
}

/** What the HPA sees at a sync. */
export interface PodMetrics {
  /** Sum of the metric over ready pods that have a sample. */
  sum: number;
  /** Ready pods that have a sample. */
  withMetrics: number;
  /** Ready pods with no sample yet. */
  missing: number;
  /** Pods still pending (unscheduled or starting). */
  unready: number;
}

/** Replicas the metric asks for before behaviors, exactly as `calcPlainMetricReplicas` does. */
export function replicasForMetric(metrics: PodMetrics, currentReplicas: number, target: number, tolerance: number): number {
  if (metrics.withMetrics === 0) return currentReplicas;
  const usageRatio = metrics.sum / metrics.withMetrics / target;
  const rebalanceUnready = metrics.unready > 0 && usageRatio > 1;
  if (!rebalanceUnready && metrics.missing === 0) {
    if (Math.abs(1 - usageRatio) <= tolerance) return currentReplicas;
    return Math.ceil(usageRatio * metrics.withMetrics);
  }
  // Missing pods count as at target when scaling down and as idle when scaling up; unready pods as idle.
  let sum = metrics.sum;
  let count = metrics.withMetrics + metrics.missing;
  if (usageRatio < 1) sum += metrics.missing * target;
  if (rebalanceUnready) count += metrics.unready;
  const newRatio = sum / count / target;
  if (Math.abs(1 - newRatio) <= tolerance || (usageRatio < 1 && newRatio > 1) || (usageRatio > 1 && newRatio < 1)) return currentReplicas;
  const replicas = Math.ceil(newRatio * count);
  if ((newRatio < 1 && replicas > currentReplicas) || (newRatio > 1 && replicas < currentReplicas)) return currentReplicas;
  return replicas;
}

/** The stateful part: past recommendations and scale events, for the windows and policies. */
export class HorizontalPodAutoscaler {
  private recommendations: { timeMs: number; replicas: number }[] = [];
  private scaleEvents: { timeMs: number; change: number }[] = [];

  constructor(readonly config: HpaConfig) {}

  /** The replica count to set at `nowMs`, given the current count and the metric's raw recommendation. */
  decide(nowMs: number, currentReplicas: number, rawRecommendation: number): number {
    const { config } = this;
    const longestWindow = Math.max(config.scaleUp.stabilizationMs, config.scaleDown.stabilizationMs);
    this.recommendations = this.recommendations.filter((entry) => entry.timeMs > nowMs - longestWindow);
    let upRecommendation = rawRecommendation;
    let downRecommendation = rawRecommendation;
    for (const entry of this.recommendations) {
      if (entry.timeMs > nowMs - config.scaleUp.stabilizationMs) upRecommendation = Math.min(upRecommendation, entry.replicas);
      if (entry.timeMs > nowMs - config.scaleDown.stabilizationMs) downRecommendation = Math.max(downRecommendation, entry.replicas);
    }
    this.recommendations.push({ timeMs: nowMs, replicas: rawRecommendation });
    let desired = currentReplicas;
    if (desired < upRecommendation) desired = upRecommendation;
    if (desired > downRecommendation) desired = downRecommendation;

    const longestPeriod = Math.max(config.scaleUp.periodMs, config.scaleDown.periodMs);
    this.scaleEvents = this.scaleEvents.filter((event) => event.timeMs > nowMs - longestPeriod);
    if (desired > currentReplicas) {
      const added = this.changeWithin(nowMs, config.scaleUp.periodMs, 1);
      const periodStart = currentReplicas - added;
      const byPercent = Math.ceil(periodStart * (1 + config.scaleUp.percent / 100));
      const byPods = config.scaleUp.pods > 0 ? periodStart + config.scaleUp.pods : -Infinity;
      desired = Math.min(desired, Math.max(byPercent, byPods), config.maxReplicas);
    } else if (desired < currentReplicas) {
      const removed = this.changeWithin(nowMs, config.scaleDown.periodMs, -1);
      const periodStart = currentReplicas + removed;
      const limit = Math.floor(periodStart * (1 - config.scaleDown.percent / 100));
      desired = Math.max(desired, limit, config.minReplicas);
    }
    desired = Math.min(Math.max(desired, config.minReplicas), config.maxReplicas);
    if (desired !== currentReplicas) this.scaleEvents.push({ timeMs: nowMs, change: desired - currentReplicas });
    return desired;
  }

  /** Replicas added (sign 1) or removed (sign −1) within the last `periodMs`. */
  private changeWithin(nowMs: number, periodMs: number, sign: 1 | -1): number {
    let total = 0;
    for (const event of this.scaleEvents) {
      if (event.timeMs > nowMs - periodMs && Math.sign(event.change) === sign) total += Math.abs(event.change);
    }
    return total;
  }
}
