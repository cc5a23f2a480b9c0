/**
 * Picks a platform from the simulated latency and the monthly cost, and says which points
 * of the brief's rule of thumb (functions or pods) this scenario matches.
 */

import { formatMs } from './duration-distribution.js';
import type { KubernetesOutcome, LambdaOutcome, SimulatedPlan } from './simulated-plan.js';

export const ruleOfThumb = {
  functionsWhen: [
    'a turn takes under 2–3 s end to end',
    'initialisation is light',
    'concurrency is moderate and predictable',
    'traffic is so sparse that paying per use matters',
    'operational simplicity comes first',
  ],
  podsWhen: [
    'orchestration is stateful and complex',
    'initialisation is expensive',
    'traffic regularly bursts to thousands of concurrent users',
    'turns take several seconds',
    'latency predictability matters as much as cost',
  ],
  source: 'docs/deployment.md, "When to run which"',
} as const;

export interface Recommendation {
  platform: 'lambda' | 'kubernetes';
  /** The configuration recommended: as configured, or the what-if that absorbs the spike. */
  configuration: string;
  summary: string;
  reasons: string[];
  /** The rule-of-thumb points this scenario matches, each tagged with the side it favours. */
  ruleOfThumbMatches: { favours: 'lambda' | 'kubernetes'; point: string; evidence: string }[];
}

const seconds = (valueMs: number): string => (Number.isFinite(valueMs) ? `${(valueMs / 1000).toFixed(1)} s` : 'n/a');
const dollars = (value: number): string => `$${value < 100 ? value.toFixed(2) : Math.round(value).toLocaleString('en-US')}`;

/** A platform serves the traffic when its p99 meets the target and (almost) nobody is turned away. */
function meetsTarget(outcome: LambdaOutcome | KubernetesOutcome, sloMs: number): boolean {
  const run = outcome.run;
  return run.failed <= run.requests * 0.001 && run.latency.p99 <= sloMs;
}

/** p99 for ranking, with failures past 1% counted as unbounded latency. */
function effectiveP99(outcome: LambdaOutcome | KubernetesOutcome): number {
  return outcome.run.failed > outcome.run.requests * 0.01 ? Infinity : outcome.run.latency.p99;
}

function ruleMatches(plan: SimulatedPlan): Recommendation['ruleOfThumbMatches'] {
  const matches: Recommendation['ruleOfThumbMatches'] = [];
  const meanServiceMs = plan.scenario.serviceTime.meanMs;
  if (meanServiceMs >= 2500) matches.push({ favours: 'kubernetes', point: ruleOfThumb.podsWhen[3], evidence: `a turn takes ${seconds(meanServiceMs)} on average` });
  else matches.push({ favours: 'lambda', point: ruleOfThumb.functionsWhen[0], evidence: `a turn takes ${seconds(meanServiceMs)} on average` });
  const initMeanMs = plan.lambda.config.initTime.meanMs;
  if (initMeanMs >= 500) matches.push({ favours: 'kubernetes', point: ruleOfThumb.podsWhen[1], evidence: `a cold start costs ${seconds(initMeanMs)} on average, paid by ${plan.lambda.run.coldStarts.toLocaleString('en-US')} requests on Lambda` });
  else matches.push({ favours: 'lambda', point: ruleOfThumb.functionsWhen[1], evidence: `a cold start costs ${formatMs(Math.round(initMeanMs))} on average` });
  const peakDemand = peakArrivalsInFlight(plan);
  if (peakDemand >= 1000) matches.push({ favours: 'kubernetes', point: ruleOfThumb.podsWhen[2], evidence: `about ${peakDemand.toLocaleString('en-US')} turns arrive within one turn's time` });
  else matches.push({ favours: 'lambda', point: ruleOfThumb.functionsWhen[2], evidence: `at most about ${peakDemand.toLocaleString('en-US')} turns arrive within one turn's time` });
  const everydayConcurrency = plan.scenario.traffic.baselineRps * (meanServiceMs / 1000);
  if (everydayConcurrency < 1 && peakDemand < 10) {
    matches.push({ favours: 'lambda', point: ruleOfThumb.functionsWhen[3], evidence: `under one turn in flight on average, so always-on pods would mostly idle` });
  }
  return matches;
}

/** Turns that would be in flight at the peak if nothing queued: arrivals within one mean service time. */
function peakArrivalsInFlight(plan: SimulatedPlan): number {
  const arrivals = plan.kubernetes.run.arrivalMs;
  const windowMs = plan.scenario.serviceTime.meanMs;
  let peak = 0;
  let start = 0;
  for (let end = 0; end < arrivals.length; end++) {
    while (arrivals[end]! - arrivals[start]! > windowMs) start++;
    peak = Math.max(peak, end - start + 1);
  }
  return peak;
}

interface Option {
  platform: Recommendation['platform'];
  label: string;
  outcome: LambdaOutcome | KubernetesOutcome;
}

function optionsOf(plan: SimulatedPlan): Option[] {
  const options: Option[] = [
    { platform: 'lambda', label: 'Lambda as configured', outcome: plan.lambda },
    { platform: 'kubernetes', label: 'Kubernetes as configured', outcome: plan.kubernetes },
  ];
  const provisioned = plan.whatIf.lambdaProvisioned;
  if (provisioned) options.push({ platform: 'lambda', label: `Lambda with ${provisioned.config.provisionedConcurrency.toLocaleString('en-US')} provisioned environments`, outcome: provisioned });
  const preScaled = plan.whatIf.kubernetesPreScaled;
  if (preScaled) options.push({ platform: 'kubernetes', label: `Kubernetes pre-scaled to ${preScaled.config.initialReplicas} pods before the spike (--min-replicas ${preScaled.config.initialReplicas})`, outcome: preScaled });
  return options;
}

const platformName = (platform: Recommendation['platform']): string => (platform === 'lambda' ? 'Lambda' : 'Kubernetes');

/**
 * Among the configurations simulated (each platform as configured, and sized for the spike),
 * the cheapest that meets the p99 target; when none does, the configured platform that
 * comes closest.
 */
export function recommendPlatform(plan: SimulatedPlan): Recommendation {
  const sloMs = plan.scenario.latencySloMs;
  const options = optionsOf(plan);
  const meeting = options.filter((option) => meetsTarget(option.outcome, sloMs)).sort((left, right) => left.outcome.monthly.totalUsd - right.outcome.monthly.totalUsd);
  const reasons: string[] = [];
  let chosen: Option;
  if (meeting.length > 0) {
    chosen = meeting[0]!;
    const rival = meeting.find((option) => option.platform !== chosen.platform);
    reasons.push(
      `${chosen.label} meets the p99 target of ${seconds(sloMs)} (p99 ${seconds(chosen.outcome.run.latency.p99)}) for ${dollars(chosen.outcome.monthly.totalUsd)}/month`,
      rival
        ? `the cheapest ${platformName(rival.platform)} option that meets it, ${rival.label}, costs ${dollars(rival.outcome.monthly.totalUsd)}/month`
        : `no ${platformName(chosen.platform === 'lambda' ? 'kubernetes' : 'lambda')} option simulated meets it`,
    );
  } else {
    const configured = options.slice(0, 2);
    chosen = configured.reduce((best, option) => {
      const [a, b] = [effectiveP99(option.outcome), effectiveP99(best.outcome)];
      return a < b || (a === b && option.outcome.monthly.totalUsd < best.outcome.monthly.totalUsd) ? option : best;
    });
    reasons.push(`no simulated option meets the p99 target of ${seconds(sloMs)}; ${chosen.label} comes closest`);
  }
  reasons.push(describe('Lambda as configured', plan.lambda), describe('Kubernetes as configured', plan.kubernetes));
  const lambdaRun = plan.lambda.run;
  if (lambdaRun.throttledRequests > 0) {
    reasons.push(`on Lambda ${((lambdaRun.throttledRequests / lambdaRun.requests) * 100).toFixed(0)}% of requests were answered 429 at least once (account limit ${plan.lambda.config.accountConcurrencyLimit.toLocaleString('en-US')}, scaling ${plan.lambda.config.scalingPer10Seconds.toLocaleString('en-US')} environments per 10 s) and retried with backoff`);
  }
  const provisioned = plan.whatIf.lambdaProvisioned;
  if (provisioned) {
    reasons.push(`provisioning for the spike costs ${dollars(provisioned.monthly.provisionedCapacityUsd)}/month for the provisioned capacity alone, against ${dollars(plan.lambda.eventCost.totalUsd)} for the spike's own on-demand invocations`);
  }
  const matches = ruleMatches(plan);
  const platform = chosen.platform;
  const agreeing = matches.filter((match) => match.favours === platform).map((match) => match.point);
  const summary =
    `${platform === 'lambda' ? 'Lambda (functions)' : 'Kubernetes (pods)'}: ${reasons[0]}; ${reasons[1]}. ` +
    (agreeing.length > 0
      ? `The brief's rule of thumb agrees: ${platform === 'lambda' ? 'functions' : 'pods'} when ${agreeing.join('; ')}.`
      : `The brief's rule of thumb points the other way here; the simulation decides.`);
  return { platform, configuration: chosen.label, summary, reasons, ruleOfThumbMatches: matches };
}

function describe(name: string, outcome: LambdaOutcome | KubernetesOutcome): string {
  const run = outcome.run;
  const failures = run.failed > 0 ? `, ${run.failed.toLocaleString('en-US')} requests never answered` : '';
  return `${name} p99 ${seconds(run.latency.p99)}${failures}, ${dollars(outcome.monthly.totalUsd)}/month`;
}
