/**
 * `plan deploy` end to end: builds the traffic profile and both platforms from the resolved
 * parameters, runs the two simulations on the same arrivals and service times, prices them
 * for a month, tries what it would take to absorb a spike on each, and recommends one.
 */

import { randomStream } from '../../stats/seeded-random.js';
import { formatMs, type DurationDistribution } from './duration-distribution.js';
import { DeployParameters, ParameterError } from './deploy-parameters.js';
import {
  kubernetesMonthlyCost,
  lambdaEventCost,
  lambdaMonthlyCost,
  secondsPerMonth,
  type KubernetesPricing,
  type LambdaPricing,
  type MonthlyTraffic,
} from './cost-model.js';
import { recommendPlatform, type Recommendation } from './deploy-recommendation.js';
import type { KubernetesConfig } from './kubernetes-config.js';
import { simulateKubernetes } from './kubernetes-platform.js';
import type { LambdaConfig } from './lambda-config.js';
import { simulateLambda } from './lambda-platform.js';
import type { LoadtestCalibration } from './loadtest-calibration.js';
import type { DeployScenario, KubernetesOutcome, LambdaOutcome, SimulatedPlan } from './simulated-plan.js';
import { describeProfile, generateArrivals, profileDurationMs, readTrace, type ArrivalProcess, type TrafficProfile } from './traffic-profiles.js';

/** The simulated plan with the platform it recommends. */
export interface DeployPlan extends SimulatedPlan {
  recommendation: Recommendation;
}

/** Random streams, one per purpose, so the platforms see the same traffic. */
const streams = { arrivals: 1, service: 2, lambda: 3, kubernetes: 4 } as const;

function buildProfile(parameters: DeployParameters): TrafficProfile {
  const kind = parameters.text('profile');
  const arrivals = parameters.text('arrivals') as ArrivalProcess;
  const durationMs = parameters.durationMs('duration');
  switch (kind) {
    case 'spike':
      return { kind, users: parameters.number('users'), windowMs: parameters.durationMs('spikeWindow') };
    case 'steady':
      return { kind, ratePerSecond: parameters.number('rate'), durationMs, arrivals };
    case 'ramp':
      return { kind, fromRatePerSecond: parameters.number('rateFrom'), toRatePerSecond: parameters.number('rate'), durationMs, arrivals };
    case 'diurnal':
      return { kind, meanRatePerSecond: parameters.number('rate'), amplitude: parameters.number('amplitude'), periodMs: parameters.durationMs('period'), durationMs, arrivals };
    default: {
      const file = parameters.text('trace');
      if (file === '') throw new ParameterError('--profile trace needs --trace FILE (arrival times in seconds, one per line, or a JSON array)');
      return { kind: 'trace', file, arrivalsMs: readTrace(file) };
    }
  }
}

/** Resolves the "auto" parameters from the rest, recording how. */
function deriveAutomatic(parameters: DeployParameters, profile: TrafficProfile, serviceTime: DurationDistribution): void {
  if (parameters.isAuto('baselineRps')) {
    if (profile.kind === 'spike') parameters.derive('baselineRps', parameters.text('rate'), 'under a spike, the everyday traffic is --rate (the spike sits on top of it)');
    else parameters.derive('baselineRps', '0', 'the profile is the traffic: no separate baseline');
  }
  if (parameters.isAuto('eventsPerMonth')) {
    const durationMs = profileDurationMs(profile);
    if (profile.kind === 'spike') parameters.derive('eventsPerMonth', '30', 'a spike once a day');
    else parameters.derive('eventsPerMonth', String(durationMs > 0 ? Number((secondsPerMonth / (durationMs / 1000)).toFixed(3)) : 0), `the ${formatMs(durationMs)} profile back to back all month`);
  }
  if (parameters.isAuto('latencySlo')) {
    parameters.derive('latencySlo', formatMs(Math.round(1.5 * serviceTime.quantileMs(0.99))), `1.5 × the service time's p99 (${formatMs(Math.round(serviceTime.quantileMs(0.99)))})`);
  }
}

function describeMonth(traffic: MonthlyTraffic): string {
  const parts: string[] = [];
  if (traffic.baselineRps > 0) parts.push(`${traffic.baselineRps}/s of everyday traffic around the clock`);
  if (traffic.eventsPerMonth > 0) parts.push(`this profile ${Number(traffic.eventsPerMonth.toFixed(2)).toLocaleString('en-US')} time${traffic.eventsPerMonth === 1 ? '' : 's'} a month`);
  return parts.length > 0 ? parts.join(' + ') : 'no traffic beyond one run of the profile';
}

function lambdaPricing(parameters: DeployParameters): LambdaPricing {
  return {
    gbSecondUsd: parameters.number('lambdaGbSecondUsd'),
    requestUsd: parameters.number('lambdaRequestUsdPerMillion') / 1e6,
    provisionedGbSecondUsd: parameters.number('lambdaProvisionedGbSecondUsd'),
    provisionedDurationGbSecondUsd: parameters.number('lambdaProvisionedDurationGbSecondUsd'),
    apiGatewayRequestUsd: parameters.number('apiGatewayUsdPerMillion') / 1e6,
  };
}

function kubernetesPricing(parameters: DeployParameters): KubernetesPricing {
  return {
    nodeHourUsd: parameters.number('nodeHourUsd'),
    controlPlaneHourUsd: parameters.number('eksControlPlaneHourUsd'),
    loadBalancerHourUsd: parameters.number('loadBalancerHourUsd'),
  };
}

function runLambda(config: LambdaConfig, arrivals: Float64Array, service: Float64Array, seed: number, parameters: DeployParameters, scenario: DeployScenario): LambdaOutcome {
  const run = simulateLambda(config, arrivals, service, randomStream(seed, streams.lambda));
  const pricing = lambdaPricing(parameters);
  const eventCost = lambdaEventCost(run.usage, pricing);
  const monthly = lambdaMonthlyCost({
    event: eventCost,
    traffic: scenario.traffic,
    meanServiceSeconds: scenario.serviceTime.meanMs / 1000,
    memoryGb: config.memoryMb / 1024,
    provisionedConcurrency: config.provisionedConcurrency,
    pricing,
  });
  return { config, run, eventCost, monthly };
}

function runKubernetes(config: KubernetesConfig, arrivals: Float64Array, service: Float64Array, seed: number, parameters: DeployParameters, scenario: DeployScenario): KubernetesOutcome {
  const run = simulateKubernetes(config, arrivals, service, randomStream(seed, streams.kubernetes));
  const pricing = kubernetesPricing(parameters);
  const monthly = kubernetesMonthlyCost({ baselineNodes: run.usage.baselineNodes, extraNodeSecondsPerEvent: run.usage.extraNodeSeconds, traffic: scenario.traffic, pricing });
  return { config, run, eventCostUsd: (run.usage.extraNodeSeconds / 3600) * pricing.nodeHourUsd, monthly };
}

export function planDeployment(parameters: DeployParameters, calibration: LoadtestCalibration | null = null): DeployPlan {
  const profile = buildProfile(parameters);
  const serviceTime = parameters.distribution('serviceTime');
  deriveAutomatic(parameters, profile, serviceTime);
  const seed = parameters.number('seed');
  const traffic: MonthlyTraffic = { baselineRps: parameters.number('baselineRps'), eventsPerMonth: parameters.number('eventsPerMonth') };
  const arrivals = generateArrivals(profile, randomStream(seed, streams.arrivals));
  const serviceRandom = randomStream(seed, streams.service);
  const service = new Float64Array(arrivals.length);
  for (let index = 0; index < service.length; index++) service[index] = serviceTime.sample(serviceRandom);

  const scenario: DeployScenario = {
    profile,
    description: describeProfile(profile),
    requests: arrivals.length,
    seed,
    serviceTime,
    latencySloMs: parameters.durationMs('latencySlo'),
    traffic,
    trafficDescription: describeMonth(traffic),
  };

  const durationMs = profileDurationMs(profile);
  const horizonMs = durationMs + serviceTime.quantileMs(0.99) + 60_000;
  const sampleIntervalMs = Math.max(1000, Math.ceil(horizonMs / 600 / 1000) * 1000);
  const baselineConcurrency = traffic.baselineRps * (serviceTime.meanMs / 1000);

  const podCapacity = parameters.number('podCapacity');
  const targetPerPod = parameters.number('hpaTargetUtilization') * podCapacity;
  const minReplicas = parameters.number('minReplicas');
  const maxReplicas = parameters.number('maxReplicas');
  if (minReplicas > maxReplicas) throw new ParameterError(`--min-replicas (${minReplicas}) exceeds --max-replicas (${maxReplicas})`);
  const accountLimit = parameters.number('lambdaAccountConcurrency');
  const provisioned = parameters.number('lambdaProvisionedConcurrency');
  if (provisioned > accountLimit) throw new ParameterError(`--lambda-provisioned (${provisioned}) exceeds --lambda-account-concurrency (${accountLimit})`);

  const lambdaConfig: LambdaConfig = {
    memoryMb: parameters.number('lambdaMemoryMb'),
    initTime: parameters.distribution('lambdaInitTime'),
    idleExpiryMs: parameters.durationMs('lambdaIdleExpiry'),
    accountConcurrencyLimit: accountLimit,
    scalingPer10Seconds: parameters.number('lambdaScalingRate'),
    provisionedConcurrency: provisioned,
    backgroundConcurrency: Math.min(accountLimit, Math.round(baselineConcurrency)),
    retry: { baseMs: parameters.durationMs('retryBase'), capMs: parameters.durationMs('retryCap'), maxAttempts: parameters.number('retryMaxAttempts') },
    apiGateway: { burst: parameters.number('apiGatewayBurst'), ratePerSecond: parameters.number('apiGatewayRate'), timeoutMs: parameters.durationMs('apiGatewayTimeout') },
    sampleIntervalMs,
  };
  const kubernetesConfig: KubernetesConfig = {
    podCapacity,
    initialReplicas: Math.min(maxReplicas, Math.max(minReplicas, Math.ceil(baselineConcurrency / targetPerPod))),
    hpa: {
      minReplicas,
      maxReplicas,
      targetPerPod,
      tolerance: parameters.number('hpaTolerance'),
      syncPeriodMs: Math.max(1, parameters.durationMs('hpaSyncPeriod')),
      scaleUp: {
        stabilizationMs: parameters.durationMs('hpaScaleUpStabilization'),
        percent: parameters.number('hpaScaleUpPercent'),
        pods: parameters.number('hpaScaleUpPods'),
        periodMs: parameters.durationMs('hpaScaleUpPeriod'),
      },
      scaleDown: {
        stabilizationMs: parameters.durationMs('hpaScaleDownStabilization'),
        percent: parameters.number('hpaScaleDownPercent'),
        pods: 0,
        periodMs: parameters.durationMs('hpaScaleDownPeriod'),
      },
    },
    metricsScrapeIntervalMs: Math.max(1, parameters.durationMs('metricsScrapeInterval')),
    podStartTime: parameters.distribution('podStartTime'),
    imagePullMs: parameters.durationMs('imagePullTime'),
    podsPerNode: parameters.number('podsPerNode'),
    nodeProvisionTime: parameters.distribution('nodeProvisionTime'),
    nodeScaleDownDelayMs: parameters.durationMs('nodeScaleDownDelay'),
    clusterAutoscalerScanMs: Math.max(1, parameters.durationMs('autoscalerScanInterval')),
    sampleIntervalMs,
    costWindowEndMs: profile.kind === 'spike' ? Infinity : durationMs,
  };

  const lambda = runLambda(lambdaConfig, arrivals, service, seed, parameters, scenario);
  const kubernetes = runKubernetes(kubernetesConfig, arrivals, service, seed, parameters, scenario);

  let kubernetesPreScaled: KubernetesOutcome | null = null;
  let lambdaProvisioned: LambdaOutcome | null = null;
  if (profile.kind === 'spike') {
    const podsForSpike = Math.min(maxReplicas, Math.ceil(profile.users / podCapacity) + Math.ceil(baselineConcurrency / podCapacity));
    if (podsForSpike > kubernetesConfig.initialReplicas) {
      const preScaled = { ...kubernetesConfig, initialReplicas: podsForSpike, hpa: { ...kubernetesConfig.hpa, minReplicas: podsForSpike } };
      kubernetesPreScaled = runKubernetes(preScaled, arrivals, service, seed, parameters, scenario);
    }
    const provisionedForSpike = profile.users + Math.ceil(baselineConcurrency);
    if (provisionedForSpike > provisioned) {
      // AWS keeps 100 of the account's concurrency unreserved.
      const provisionedConfig = { ...lambdaConfig, provisionedConcurrency: provisionedForSpike, accountConcurrencyLimit: Math.max(accountLimit, provisionedForSpike + 100) };
      lambdaProvisioned = runLambda(provisionedConfig, arrivals, service, seed, parameters, scenario);
    }
  }

  const plan: SimulatedPlan = { scenario, lambda, kubernetes, whatIf: { kubernetesPreScaled, lambdaProvisioned }, parameters, calibration };
  return { ...plan, recommendation: recommendPlatform(plan) };
}
