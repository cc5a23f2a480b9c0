/** Renders a deployment plan as the `--json` document or as terminal tables. */

import { formatDurationMs, formatNumber, formatPercent, formatTable, formatUsd, round } from '../text-table.js';
import type { DeployPlan } from './deploy-plan.js';
import { ruleOfThumb } from './deploy-recommendation.js';
import type { PlatformRun } from './platform-run.js';
import type { KubernetesOutcome, LambdaOutcome } from './simulated-plan.js';

function runJson(run: PlatformRun): Record<string, number> {
  const share = (count: number): number => (run.requests > 0 ? round(count / run.requests, 4) : 0);
  return {
    p50Ms: round(run.latency.p50, 1),
    p95Ms: round(run.latency.p95, 1),
    p99Ms: round(run.latency.p99, 1),
    maxMs: round(run.latency.max, 1),
    meanMs: round(run.latency.mean, 1),
    requests: run.requests,
    completed: run.completed,
    failed: run.failed,
    failedShare: share(run.failed),
    coldStarts: run.coldStarts,
    coldStartShare: share(run.coldStarts),
    throttledRequests: run.throttledRequests,
    throttledShare: share(run.throttledRequests),
    throttleResponses: run.throttleResponses,
    peakInstances: run.peakInstances,
    peakConcurrency: run.peakBusy,
    lastStartMs: round(run.lastStartMs, 1),
    lastCompletionMs: round(run.lastCompletionMs, 1),
    simulatedMs: round(run.endMs, 1),
  };
}

const roundAll = (record: object, decimals = 4): Record<string, number> =>
  Object.fromEntries(Object.entries(record).map(([key, value]) => [key, typeof value === 'number' ? round(value, decimals) : value]));

function lambdaJson(outcome: LambdaOutcome): Record<string, unknown> {
  return {
    ...runJson(outcome.run),
    eventCostUsd: round(outcome.eventCost.totalUsd, 4),
    monthlyCostUsd: round(outcome.monthly.totalUsd, 2),
    eventCost: roundAll(outcome.eventCost),
    monthlyCost: roundAll(outcome.monthly, 2),
    usage: roundAll(outcome.run.usage, 3),
    provisionedConcurrency: outcome.config.provisionedConcurrency,
    accountConcurrencyLimit: outcome.config.accountConcurrencyLimit,
  };
}

function kubernetesJson(outcome: KubernetesOutcome): Record<string, unknown> {
  const { usage } = outcome.run;
  return {
    ...runJson(outcome.run),
    peakNodes: usage.peakNodes,
    queuedShare: outcome.run.requests > 0 ? round(usage.queuedRequests / outcome.run.requests, 4) : 0,
    meanQueueWaitMs: round(usage.meanQueueWaitMs, 1),
    initialReplicas: outcome.config.initialReplicas,
    podCapacity: outcome.config.podCapacity,
    hpaTargetPerPod: round(outcome.config.hpa.targetPerPod, 2),
    eventCostUsd: round(outcome.eventCostUsd, 4),
    monthlyCostUsd: round(outcome.monthly.totalUsd, 2),
    monthlyCost: roundAll(outcome.monthly, 2),
    usage: roundAll(usage, 3),
  };
}

export function deployPlanJson(plan: DeployPlan): Record<string, unknown> {
  const { scenario } = plan;
  return {
    scenario: {
      profile: scenario.profile.kind,
      description: scenario.description,
      requests: scenario.requests,
      seed: scenario.seed,
      serviceTime: scenario.serviceTime.spec,
      serviceTimeMeanMs: round(scenario.serviceTime.meanMs, 1),
      latencySloMs: round(scenario.latencySloMs, 1),
      monthlyTraffic: { baselineRps: scenario.traffic.baselineRps, eventsPerMonth: scenario.traffic.eventsPerMonth, description: scenario.trafficDescription },
    },
    lambda: lambdaJson(plan.lambda),
    kubernetes: kubernetesJson(plan.kubernetes),
    whatIf: {
      kubernetesPreScaled: plan.whatIf.kubernetesPreScaled ? kubernetesJson(plan.whatIf.kubernetesPreScaled) : null,
      lambdaProvisioned: plan.whatIf.lambdaProvisioned ? lambdaJson(plan.whatIf.lambdaProvisioned) : null,
    },
    recommendation: plan.recommendation.summary,
    recommendedPlatform: plan.recommendation.platform,
    recommendationDetail: { configuration: plan.recommendation.configuration, reasons: plan.recommendation.reasons, ruleOfThumbMatches: plan.recommendation.ruleOfThumbMatches, ruleOfThumb },
    calibration: plan.calibration,
    parameters: plan.parameters.list().map((parameter) => ({ name: parameter.key, flag: `--${parameter.flag}`, value: parameter.text, provenance: parameter.provenance, source: parameter.source })),
  };
}

const seconds = (valueMs: number): string => formatDurationMs(valueMs);
const countWithShare = (count: number, total: number): string => `${formatPercent(total > 0 ? count / total : 0)} (${formatNumber(count)})`;

export function deployPlanText(plan: DeployPlan, showParameters: boolean): string {
  const { scenario } = plan;
  const lambda = plan.lambda.run;
  const kubernetes = plan.kubernetes.run;
  const lines: string[] = [
    `Scenario: ${scenario.description}; each turn ${scenario.serviceTime.spec} (mean ${seconds(scenario.serviceTime.meanMs)}); seed ${scenario.seed}`,
    `Month: ${scenario.trafficDescription} (--baseline-rps, --events-per-month)`,
    `p99 target: ${seconds(scenario.latencySloMs)} (--latency-slo)`,
    '',
  ];
  const kubernetesQueued = kubernetes.usage.queuedRequests;
  const rows: string[][] = [
    ['latency p50', seconds(lambda.latency.p50), seconds(kubernetes.latency.p50)],
    ['latency p95', seconds(lambda.latency.p95), seconds(kubernetes.latency.p95)],
    ['latency p99', seconds(lambda.latency.p99), seconds(kubernetes.latency.p99)],
    ['latency max', seconds(lambda.latency.max), seconds(kubernetes.latency.max)],
    ['answered / never answered', `${formatNumber(lambda.completed)} / ${formatNumber(lambda.failed)}`, `${formatNumber(kubernetes.completed)} / ${formatNumber(kubernetes.failed)}`],
    ['cold-start share', countWithShare(lambda.coldStarts, lambda.requests), '0% (pods start before traffic)'],
    ['throttled (429) share', countWithShare(lambda.throttledRequests, lambda.requests), '0% (excess waits in pod queues)'],
    ['429 answers, retries included', formatNumber(lambda.throttleResponses), '-'],
    ['queued in a pod', '-', `${countWithShare(kubernetesQueued, kubernetes.requests)}, mean wait ${seconds(kubernetes.usage.meanQueueWaitMs)}`],
    ['peak instances', `${formatNumber(lambda.peakInstances)} environments`, `${formatNumber(kubernetes.peakInstances)} pods on ${formatNumber(kubernetes.usage.peakNodes)} node${kubernetes.usage.peakNodes === 1 ? '' : 's'}`],
    ['last request started at', seconds(lambda.lastStartMs), seconds(kubernetes.lastStartMs)],
    ['cost of this profile', formatUsd(plan.lambda.eventCost.totalUsd), formatUsd(plan.kubernetes.eventCostUsd)],
    ['monthly cost', formatUsd(plan.lambda.monthly.totalUsd), formatUsd(plan.kubernetes.monthly.totalUsd)],
  ];
  lines.push(formatTable(['', 'Lambda + API Gateway', 'Kubernetes (EKS)'], rows, ['left', 'right', 'right']));
  const lambdaMonthly = plan.lambda.monthly;
  const kubernetesMonthly = plan.kubernetes.monthly;
  lines.push(
    `Lambda monthly: everyday traffic ${formatUsd(lambdaMonthly.baselineUsd)} + provisioned concurrency ${formatUsd(lambdaMonthly.provisionedCapacityUsd)} + this profile ${formatUsd(lambdaMonthly.eventsUsd)}`,
    `Kubernetes monthly: ${plan.kubernetes.run.usage.baselineNodes} always-on node${plan.kubernetes.run.usage.baselineNodes === 1 ? '' : 's'} ${formatUsd(kubernetesMonthly.baselineNodesUsd)} + control plane ${formatUsd(kubernetesMonthly.controlPlaneUsd)} + load balancer ${formatUsd(kubernetesMonthly.loadBalancerUsd)} + this profile's extra nodes ${formatUsd(kubernetesMonthly.eventsUsd)}`,
  );
  const { kubernetesPreScaled, lambdaProvisioned } = plan.whatIf;
  if (kubernetesPreScaled || lambdaProvisioned) {
    lines.push('', 'What it takes to absorb the spike:');
    if (kubernetesPreScaled) {
      lines.push(
        `  Kubernetes pre-scaled to ${kubernetesPreScaled.config.initialReplicas} pods (--min-replicas ${kubernetesPreScaled.config.initialReplicas}): p99 ${seconds(kubernetesPreScaled.run.latency.p99)}, ${formatUsd(kubernetesPreScaled.monthly.totalUsd)}/month kept all month`,
      );
    }
    if (lambdaProvisioned) {
      lines.push(
        `  Lambda with ${formatNumber(lambdaProvisioned.config.provisionedConcurrency)} provisioned environments: p99 ${seconds(lambdaProvisioned.run.latency.p99)}, ${formatUsd(lambdaProvisioned.monthly.totalUsd)}/month, ` +
          `${formatUsd(lambdaProvisioned.monthly.provisionedCapacityUsd)} of it for keeping them provisioned (the spike's own invocations: ${formatUsd(plan.lambda.eventCost.totalUsd)})`,
      );
    }
  }
  lines.push('', `Recommendation: ${plan.recommendation.summary}`, ...plan.recommendation.reasons.slice(2).map((reason) => `  - ${reason}`));
  lines.push('', `Rule of thumb (${ruleOfThumb.source}):`);
  for (const match of plan.recommendation.ruleOfThumbMatches) {
    lines.push(`  ${match.favours === 'lambda' ? 'functions' : 'pods'} when ${match.point}: ${match.evidence}`);
  }
  if (plan.calibration) {
    lines.push('', `Calibrated from ${plan.calibration.file}:`, ...plan.calibration.notes.map((note) => `  - ${note}`));
  }
  const parameters = plan.parameters.list();
  const counts = new Map<string, number>();
  for (const parameter of parameters) counts.set(parameter.provenance, (counts.get(parameter.provenance) ?? 0) + 1);
  lines.push('', `Parameters: ${parameters.length} (${[...counts.entries()].map(([kind, count]) => `${count} ${kind}`).join(', ')})` + (showParameters ? ':' : '; --show-parameters lists each with its source'));
  if (showParameters) {
    lines.push(formatTable(['flag', 'value', 'provenance', 'source'], parameters.map((parameter) => [`--${parameter.flag}`, parameter.text || '(none)', parameter.provenance, parameter.source]), ['left', 'left', 'left', 'left']));
  }
  return lines.join('\n');
}
