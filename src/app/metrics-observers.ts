/** Adapters from what the router and the usage recorder report to the metrics, and to the tenant's token budget. */

import type { AdmissionController } from '../access/admission-controller.js';
import type { CascadeObserver } from '../intent/tiered-intent-classifier.js';
import type { RouterObserver } from '../models/router-observer.js';
import type { UsageObserver } from '../models/usage-recorder.js';
import type { Metrics } from '../telemetry/metrics.js';

export function routerMetricsObserver(metrics: Metrics): RouterObserver {
  return {
    upstreamEnded: (pool, instance, seconds, ok) => metrics.upstreamEnded(pool, instance, seconds, ok),
    firstToken: (pool, seconds) => metrics.firstToken(pool, seconds),
    breakerChanged: (pool, instance, state) => metrics.breakerChanged(pool, instance, state),
  };
}

/** Every accounted call counts its tokens and cost; with a token limit configured, it is also charged to the tenant. */
export function usageMetricsObserver(metrics: Metrics, admission: Pick<AdmissionController, 'chargeTokens'>, chargesTokens: boolean): UsageObserver {
  return {
    usageRecorded(entry) {
      metrics.countTokens(entry.tenant, entry.pool, entry.promptTokens, entry.completionTokens);
      metrics.countCost(entry.tenant, entry.pool, entry.costUsd);
      if (chargesTokens) admission.chargeTokens(entry.tenant, entry.promptTokens + entry.completionTokens);
    },
  };
}

/** Counts each intent decision and times each tier, with label-bound children so a turn does no label lookups. */
export function intentMetricsObserver(metrics: Metrics): CascadeObserver {
  const tierChildren = new Map<string, ReturnType<Metrics['intentTierDuration']['labels']>>();
  const decisionChildren = new Map<string, ReturnType<Metrics['intentDecisions']['labels']>>();
  return {
    tierRan(tier, seconds) {
      let child = tierChildren.get(tier);
      if (!child) tierChildren.set(tier, (child = metrics.intentTierDuration.labels(tier)));
      child.observe(seconds);
    },
    decided(result) {
      const key = `${result.source}\u0000${result.intent}`;
      let child = decisionChildren.get(key);
      if (!child) decisionChildren.set(key, (child = metrics.intentDecisions.labels(result.source, result.intent)));
      child.inc();
    },
  };
}
