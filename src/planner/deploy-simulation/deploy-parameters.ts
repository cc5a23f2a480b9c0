/**
 * Every parameter of `plan deploy`: its flag, kind and bounds here; its default value with
 * provenance (published, assumed or measured) and source in catalog/deploy-defaults.json.
 * A flag overrides a default; a load-test result can override with measured values.
 */

import { z } from 'zod';
import defaultsJson from '../catalog/deploy-defaults.json' with { type: 'json' };
import { DistributionSyntaxError, parseDistribution, parseDuration, type DurationDistribution } from './duration-distribution.js';

type ParameterKind = 'integer' | 'number' | 'duration' | 'distribution' | 'choice' | 'text';
export type ParameterGroup = 'scenario' | 'lambda' | 'kubernetes' | 'pricing';

interface ParameterSpec {
  flag: string;
  kind: ParameterKind;
  group: ParameterGroup;
  help: string;
  min?: number;
  max?: number;
  choices?: readonly string[];
  /** Whether "auto" is a valid value (worked out from the other parameters). */
  auto?: boolean;
}

const spec = (flag: string, kind: ParameterKind, group: ParameterGroup, help: string, extra: Partial<ParameterSpec> = {}): ParameterSpec => ({ flag, kind, group, help, ...extra });

export const deployParameterSpecs = {
  profile: spec('profile', 'choice', 'scenario', 'traffic profile', { choices: ['spike', 'steady', 'ramp', 'diurnal', 'trace'] }),
  users: spec('users', 'integer', 'scenario', 'users arriving in a spike', { min: 1, max: 5_000_000 }),
  spikeWindow: spec('spike-window', 'duration', 'scenario', 'the spike arrives spread over this long'),
  rate: spec('rate', 'number', 'scenario', 'requests/s: steady rate, ramp end, diurnal mean', { min: 0, max: 1_000_000 }),
  rateFrom: spec('rate-from', 'number', 'scenario', 'requests/s at the start of a ramp', { min: 0, max: 1_000_000 }),
  duration: spec('duration', 'duration', 'scenario', 'length of a steady, ramp or diurnal profile'),
  amplitude: spec('amplitude', 'number', 'scenario', 'diurnal swing as a fraction of the mean', { min: 0, max: 1 }),
  period: spec('period', 'duration', 'scenario', 'diurnal period'),
  arrivals: spec('arrivals', 'choice', 'scenario', 'arrival process', { choices: ['poisson', 'uniform'] }),
  trace: spec('trace', 'text', 'scenario', 'file of arrival times (profile trace)'),
  serviceTime: spec('service-time', 'distribution', 'scenario', 'time one turn takes once running'),
  seed: spec('seed', 'integer', 'scenario', 'random seed', { min: 0, max: 4_294_967_295 }),
  baselineRps: spec('baseline-rps', 'number', 'scenario', 'everyday requests/s for the monthly cost', { min: 0, max: 1_000_000, auto: true }),
  eventsPerMonth: spec('events-per-month', 'number', 'scenario', 'times a month the profile happens', { min: 0, max: 1_000_000_000, auto: true }),
  latencySlo: spec('latency-slo', 'duration', 'scenario', 'p99 a platform must meet', { auto: true }),

  lambdaMemoryMb: spec('lambda-memory-mb', 'integer', 'lambda', 'function memory, MB', { min: 128, max: 10_240 }),
  lambdaInitTime: spec('lambda-init-time', 'distribution', 'lambda', 'cold-start initialisation time'),
  lambdaIdleExpiry: spec('lambda-idle-expiry', 'duration', 'lambda', 'an idle environment is reclaimed after'),
  lambdaAccountConcurrency: spec('lambda-account-concurrency', 'integer', 'lambda', 'account concurrency limit', { min: 1, max: 10_000_000 }),
  lambdaScalingRate: spec('lambda-scaling-rate', 'integer', 'lambda', 'new environments per 10 s per function', { min: 1, max: 10_000_000 }),
  lambdaProvisionedConcurrency: spec('lambda-provisioned', 'integer', 'lambda', 'provisioned concurrency', { min: 0, max: 10_000_000 }),
  retryBase: spec('retry-base', 'duration', 'lambda', 'client backoff base after a 429'),
  retryCap: spec('retry-cap', 'duration', 'lambda', 'client backoff cap'),
  retryMaxAttempts: spec('retry-max-attempts', 'integer', 'lambda', 'attempts before the client gives up', { min: 1, max: 10_000 }),
  apiGatewayBurst: spec('api-gateway-burst', 'integer', 'lambda', 'API Gateway throttle burst', { min: 1, max: 100_000_000 }),
  apiGatewayRate: spec('api-gateway-rate', 'number', 'lambda', 'API Gateway throttle, requests/s', { min: 1, max: 100_000_000 }),
  apiGatewayTimeout: spec('api-gateway-timeout', 'duration', 'lambda', 'API Gateway integration timeout'),

  podCapacity: spec('pod-capacity', 'integer', 'kubernetes', 'concurrent turns one pod holds', { min: 1, max: 10_000_000 }),
  minReplicas: spec('min-replicas', 'integer', 'kubernetes', 'HPA minReplicas', { min: 1, max: 100_000 }),
  maxReplicas: spec('max-replicas', 'integer', 'kubernetes', 'HPA maxReplicas', { min: 1, max: 100_000 }),
  hpaTargetUtilization: spec('hpa-target-utilization', 'number', 'kubernetes', 'HPA target in-flight per pod / pod capacity', { min: 0.01, max: 10 }),
  hpaTolerance: spec('hpa-tolerance', 'number', 'kubernetes', 'HPA tolerance', { min: 0, max: 1 }),
  hpaSyncPeriod: spec('hpa-sync-period', 'duration', 'kubernetes', 'HPA sync period'),
  hpaScaleUpStabilization: spec('hpa-scale-up-stabilization', 'duration', 'kubernetes', 'HPA scale-up stabilization window'),
  hpaScaleUpPercent: spec('hpa-scale-up-percent', 'number', 'kubernetes', 'HPA scale-up Percent policy', { min: 0, max: 100_000 }),
  hpaScaleUpPods: spec('hpa-scale-up-pods', 'integer', 'kubernetes', 'HPA scale-up Pods policy', { min: 0, max: 100_000 }),
  hpaScaleUpPeriod: spec('hpa-scale-up-period', 'duration', 'kubernetes', 'HPA scale-up policy period'),
  hpaScaleDownStabilization: spec('hpa-scale-down-stabilization', 'duration', 'kubernetes', 'HPA scale-down stabilization window'),
  hpaScaleDownPercent: spec('hpa-scale-down-percent', 'number', 'kubernetes', 'HPA scale-down Percent policy', { min: 0, max: 100 }),
  hpaScaleDownPeriod: spec('hpa-scale-down-period', 'duration', 'kubernetes', 'HPA scale-down policy period'),
  metricsScrapeInterval: spec('metrics-scrape-interval', 'duration', 'kubernetes', 'how often the in-flight metric is scraped'),
  podStartTime: spec('pod-start-time', 'distribution', 'kubernetes', 'pod start to ready, image present'),
  imagePullTime: spec('image-pull-time', 'duration', 'kubernetes', 'image pull on a fresh node'),
  podsPerNode: spec('pods-per-node', 'integer', 'kubernetes', 'pods that fit on one node', { min: 1, max: 1000 }),
  nodeProvisionTime: spec('node-provision-time', 'distribution', 'kubernetes', 'new node to ready'),
  nodeScaleDownDelay: spec('node-scale-down-delay', 'duration', 'kubernetes', 'an empty node is removed after'),
  autoscalerScanInterval: spec('autoscaler-scan-interval', 'duration', 'kubernetes', 'cluster autoscaler scan interval'),
  nodeType: spec('node-type', 'text', 'kubernetes', 'node instance type (a label; price it with --node-hour-usd)'),

  lambdaGbSecondUsd: spec('lambda-gb-second-usd', 'number', 'pricing', 'Lambda duration price per GB-s', { min: 0, max: 1 }),
  lambdaRequestUsdPerMillion: spec('lambda-request-usd-per-million', 'number', 'pricing', 'Lambda request price per million', { min: 0, max: 1000 }),
  lambdaProvisionedGbSecondUsd: spec('lambda-provisioned-gb-second-usd', 'number', 'pricing', 'provisioned concurrency price per GB-s', { min: 0, max: 1 }),
  lambdaProvisionedDurationGbSecondUsd: spec('lambda-provisioned-duration-gb-second-usd', 'number', 'pricing', 'duration price on provisioned concurrency per GB-s', { min: 0, max: 1 }),
  apiGatewayUsdPerMillion: spec('api-gateway-usd-per-million', 'number', 'pricing', 'API Gateway price per million requests', { min: 0, max: 1000 }),
  nodeHourUsd: spec('node-hour-usd', 'number', 'pricing', 'node price per hour', { min: 0, max: 10_000 }),
  eksControlPlaneHourUsd: spec('eks-control-plane-hour-usd', 'number', 'pricing', 'EKS control plane per hour', { min: 0, max: 100 }),
  loadBalancerHourUsd: spec('load-balancer-hour-usd', 'number', 'pricing', 'load balancer per hour', { min: 0, max: 100 }),
} as const satisfies Record<string, ParameterSpec>;

export type DeployParameterKey = keyof typeof deployParameterSpecs;
export const deployParameterKeys = Object.keys(deployParameterSpecs) as DeployParameterKey[];

export type ParameterProvenance = 'published' | 'assumed' | 'measured' | 'flag' | 'derived';

export interface ResolvedParameter {
  key: DeployParameterKey;
  flag: string;
  group: ParameterGroup;
  /** The value as written, e.g. "4s-7s" or "1000". */
  text: string;
  provenance: ParameterProvenance;
  source: string;
}

/** A bad flag value: the CLI turns it into a usage error. */
export class ParameterError extends Error {
  override readonly name = 'ParameterError';
}

const defaultsSchema = z.record(
  z.string(),
  z.union([
    z.strictObject({ value: z.union([z.string(), z.number()]), provenance: z.enum(['published', 'assumed', 'measured']), source: z.string().min(1) }),
    z.string(),
  ]),
);

function loadDefaults(): Map<DeployParameterKey, ResolvedParameter> {
  const parsed = defaultsSchema.parse(defaultsJson);
  const result = new Map<DeployParameterKey, ResolvedParameter>();
  for (const key of deployParameterKeys) {
    const entry = parsed[key];
    if (entry === undefined || typeof entry === 'string') throw new Error(`catalog/deploy-defaults.json: missing parameter ${key}`);
    const resolved: ResolvedParameter = { key, flag: deployParameterSpecs[key].flag, group: deployParameterSpecs[key].group, text: String(entry.value), provenance: entry.provenance, source: entry.source };
    validate(resolved);
    result.set(key, resolved);
  }
  return result;
}

/** Parses a parameter's text by its kind, throwing ParameterError with the flag's name. */
function validate(parameter: ResolvedParameter): number | string | DurationDistribution {
  const definition: ParameterSpec = deployParameterSpecs[parameter.key];
  const text = parameter.text.trim();
  const fail = (why: string): never => {
    throw new ParameterError(`--${definition.flag}: ${why}`);
  };
  if (definition.auto && text === 'auto') return 'auto';
  try {
    switch (definition.kind) {
      case 'integer':
      case 'number': {
        const value = Number(text);
        if (text === '' || !Number.isFinite(value)) fail(`expected a number, got ${JSON.stringify(parameter.text)}`);
        if (definition.kind === 'integer' && !Number.isInteger(value)) fail(`expected an integer, got ${JSON.stringify(parameter.text)}`);
        if ((definition.min !== undefined && value < definition.min) || (definition.max !== undefined && value > definition.max)) {
          fail(`must be between ${definition.min} and ${definition.max}, got ${text}`);
        }
        return value;
      }
      case 'duration':
        return parseDuration(text);
      case 'distribution':
        return parseDistribution(text);
      case 'choice':
        if (!definition.choices?.includes(text)) fail(`must be one of ${definition.choices?.join(', ')}, got ${JSON.stringify(parameter.text)}`);
        return text;
      case 'text':
        return text;
    }
  } catch (error) {
    if (error instanceof DistributionSyntaxError) fail(error.message);
    throw error;
  }
}

/** The resolved parameter set with typed accessors. */
export class DeployParameters {
  private constructor(private readonly entries: Map<DeployParameterKey, ResolvedParameter>) {}

  /** Defaults, then measured overrides (from a load test), then flags: the last one set wins. */
  static resolve(flags: Partial<Record<DeployParameterKey, string>>, measured: Partial<Record<DeployParameterKey, { text: string; source: string }>> = {}): DeployParameters {
    const entries = loadDefaults();
    for (const [key, value] of Object.entries(measured) as [DeployParameterKey, { text: string; source: string }][]) {
      const resolved = { ...entries.get(key)!, text: value.text, provenance: 'measured' as const, source: value.source };
      validate(resolved);
      entries.set(key, resolved);
    }
    for (const [key, text] of Object.entries(flags) as [DeployParameterKey, string | undefined][]) {
      if (text === undefined) continue;
      const resolved = { ...entries.get(key)!, text, provenance: 'flag' as const, source: 'command line' };
      validate(resolved);
      entries.set(key, resolved);
    }
    return new DeployParameters(entries);
  }

  get(key: DeployParameterKey): ResolvedParameter {
    return this.entries.get(key)!;
  }

  isAuto(key: DeployParameterKey): boolean {
    return this.get(key).text.trim() === 'auto';
  }

  /** Replaces an "auto" value by what it works out to, recording how. */
  derive(key: DeployParameterKey, text: string, source: string): void {
    const resolved = { ...this.get(key), text, provenance: 'derived' as const, source };
    validate(resolved);
    this.entries.set(key, resolved);
  }

  number(key: DeployParameterKey): number {
    const value = validate(this.get(key));
    if (typeof value !== 'number') throw new Error(`parameter ${key} is not a number`);
    return value;
  }

  durationMs(key: DeployParameterKey): number {
    return this.number(key);
  }

  distribution(key: DeployParameterKey): DurationDistribution {
    const value = validate(this.get(key));
    if (typeof value !== 'object') throw new Error(`parameter ${key} is not a distribution`);
    return value;
  }

  text(key: DeployParameterKey): string {
    return this.get(key).text.trim();
  }

  list(): ResolvedParameter[] {
    return deployParameterKeys.map((key) => this.get(key));
  }
}
