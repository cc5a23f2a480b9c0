/** Adapters from what the router and the usage recorder report to the metrics, the log, and the tenant's token budget. */

import type { AdmissionController } from '../access/admission-controller.js';
import type { CascadeObserver } from '../intent/tiered-intent-classifier.js';
import type { BreakerState } from '../models/circuit-breaker.js';
import type { RouterObserver } from '../models/router-observer.js';
import type { UsageObserver } from '../models/usage-recorder.js';
import { isUpstreamError } from '../models/upstream-error.js';
import type { Logger } from '../telemetry/logger.js';
import type { Metrics } from '../telemetry/metrics.js';

const breakerStateNames: Record<BreakerState, string> = { 0: 'closed', 1: 'half_open', 2: 'open' };

/**
 * Metrics for every attempt; warnings for what an operator acts on: upstream failures (with the
 * URL and the backend's raw body, which clients never see), breaker changes and fallbacks.
 */
export function routerMetricsObserver(metrics: Metrics, logger?: Pick<Logger, 'warn'>): RouterObserver {
  // The first report of each instance is its state at start, not a change.
  const known = new Set<string>();
  return {
    upstreamEnded: (pool, instance, seconds, ok) => metrics.upstreamEnded(pool, instance, seconds, ok),
    firstToken: (pool, seconds) => metrics.firstToken(pool, seconds),
    breakerChanged(pool, instance, state) {
      metrics.breakerChanged(pool, instance, state);
      const key = `${pool}\u0000${instance}`;
      if (!known.has(key)) {
        known.add(key);
        return;
      }
      metrics.breakerTransitions.labels(pool, instance, breakerStateNames[state]).inc();
      logger?.warn({ pool, instance, state: breakerStateNames[state] }, 'circuit breaker changed');
    },
    attemptFailed(route, instance, error) {
      const details = isUpstreamError(error) ? { kind: error.kind, status: error.status, body: error.body, err: error.message } : { err: error instanceof Error ? error.message : String(error) };
      logger?.warn({ modelRoute: route, pool: instance.pool, instance: instance.name, url: instance.url, ...details }, 'upstream attempt failed');
    },
    retrying(route, pool) {
      metrics.upstreamRetries.labels(route, pool).inc();
    },
    fellBack(route, from, to) {
      metrics.fallbacks.labels(route, from, to).inc();
      logger?.warn({ modelRoute: route, from, to }, 'fell back to the next pool');
    },
  };
}

/** Every accounted call counts its tokens and cost; with a token limit configured, it is also charged to the tenant. */
export function usageMetricsObserver(metrics: Metrics, admission: Pick<AdmissionController, 'chargeTokens'>, chargesTokens: boolean): UsageObserver {
  return {
    usageRecorded(entry) {
      metrics.countTokens(entry.tenant, entry.pool, entry.model, entry.promptTokens, entry.completionTokens);
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
