/**
 * Monthly cost of each platform: the everyday (baseline) traffic priced analytically, plus
 * the simulated event (a spike, or one repetition of the profile) times how often it happens.
 * A month is 730 hours, as AWS prices it.
 */

import type { LambdaUsage } from './lambda-platform.js';

export const hoursPerMonth = 730;
export const secondsPerMonth = hoursPerMonth * 3600;

export interface LambdaPricing {
  /** On-demand duration, per GB-second (x86). */
  gbSecondUsd: number;
  requestUsd: number;
  /** Provisioned concurrency kept ready, per GB-second, whether used or not. */
  provisionedGbSecondUsd: number;
  /** Duration of invocations that run on provisioned environments, per GB-second. */
  provisionedDurationGbSecondUsd: number;
  apiGatewayRequestUsd: number;
}

export interface KubernetesPricing {
  nodeHourUsd: number;
  controlPlaneHourUsd: number;
  /** The load balancer in front of the Service, per hour (hourly charge plus capacity units). */
  loadBalancerHourUsd: number;
}

export interface LambdaEventCost {
  durationUsd: number;
  provisionedDurationUsd: number;
  requestsUsd: number;
  apiGatewayUsd: number;
  totalUsd: number;
}

export function lambdaEventCost(usage: LambdaUsage, pricing: LambdaPricing): LambdaEventCost {
  const durationUsd = usage.onDemandGbSeconds * pricing.gbSecondUsd;
  const provisionedDurationUsd = usage.provisionedInvocationGbSeconds * pricing.provisionedDurationGbSecondUsd;
  const requestsUsd = usage.invocations * pricing.requestUsd;
  const apiGatewayUsd = usage.apiGatewayRequests * pricing.apiGatewayRequestUsd;
  return { durationUsd, provisionedDurationUsd, requestsUsd, apiGatewayUsd, totalUsd: durationUsd + provisionedDurationUsd + requestsUsd + apiGatewayUsd };
}

/** Keeping `concurrency` environments of `memoryGb` provisioned all month, before any invocation. */
export function provisionedConcurrencyMonthlyUsd(concurrency: number, memoryGb: number, pricing: LambdaPricing): number {
  return concurrency * memoryGb * secondsPerMonth * pricing.provisionedGbSecondUsd;
}

export interface MonthlyTraffic {
  /** Everyday requests per second, served warm around the clock. */
  baselineRps: number;
  /** How many times a month the simulated event happens. */
  eventsPerMonth: number;
}

export interface LambdaMonthlyCost {
  baselineUsd: number;
  provisionedCapacityUsd: number;
  eventsUsd: number;
  totalUsd: number;
}

export function lambdaMonthlyCost(input: {
  event: LambdaEventCost;
  traffic: MonthlyTraffic;
  meanServiceSeconds: number;
  memoryGb: number;
  provisionedConcurrency: number;
  pricing: LambdaPricing;
}): LambdaMonthlyCost {
  const { traffic, pricing } = input;
  const requests = traffic.baselineRps * secondsPerMonth;
  const concurrency = traffic.baselineRps * input.meanServiceSeconds;
  // Everyday traffic lands on provisioned environments first, as far as they reach.
  const provisionedShare = concurrency > 0 ? Math.min(1, input.provisionedConcurrency / concurrency) : 0;
  const gbSeconds = requests * input.meanServiceSeconds * input.memoryGb;
  const baselineUsd =
    gbSeconds * (1 - provisionedShare) * pricing.gbSecondUsd +
    gbSeconds * provisionedShare * pricing.provisionedDurationGbSecondUsd +
    requests * (pricing.requestUsd + pricing.apiGatewayRequestUsd);
  const provisionedCapacityUsd = provisionedConcurrencyMonthlyUsd(input.provisionedConcurrency, input.memoryGb, pricing);
  const eventsUsd = traffic.eventsPerMonth * input.event.totalUsd;
  return { baselineUsd, provisionedCapacityUsd, eventsUsd, totalUsd: baselineUsd + provisionedCapacityUsd + eventsUsd };
}

export interface KubernetesMonthlyCost {
  baselineNodesUsd: number;
  controlPlaneUsd: number;
  loadBalancerUsd: number;
  eventsUsd: number;
  totalUsd: number;
}

export function kubernetesMonthlyCost(input: { baselineNodes: number; extraNodeSecondsPerEvent: number; traffic: MonthlyTraffic; pricing: KubernetesPricing }): KubernetesMonthlyCost {
  const { pricing } = input;
  const baselineNodesUsd = input.baselineNodes * pricing.nodeHourUsd * hoursPerMonth;
  const controlPlaneUsd = pricing.controlPlaneHourUsd * hoursPerMonth;
  const loadBalancerUsd = pricing.loadBalancerHourUsd * hoursPerMonth;
  const eventsUsd = input.traffic.eventsPerMonth * (input.extraNodeSecondsPerEvent / 3600) * pricing.nodeHourUsd;
  return { baselineNodesUsd, controlPlaneUsd, loadBalancerUsd, eventsUsd, totalUsd: baselineNodesUsd + controlPlaneUsd + loadBalancerUsd + eventsUsd };
}
