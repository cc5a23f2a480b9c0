import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hoursPerMonth, kubernetesMonthlyCost, lambdaEventCost, lambdaMonthlyCost, provisionedConcurrencyMonthlyUsd, secondsPerMonth, type LambdaPricing } from '../../src/planner/deploy-simulation/cost-model.js';
import { fixedDuration } from '../../src/planner/deploy-simulation/duration-distribution.js';
import { simulateLambda } from '../../src/planner/deploy-simulation/lambda-platform.js';
import { randomStream } from '../../src/stats/seeded-random.js';
import { constantService, lambdaConfig } from './simulation-fixtures.js';

const pricing: LambdaPricing = {
  gbSecondUsd: 0.0000166667,
  requestUsd: 0.2 / 1e6,
  provisionedGbSecondUsd: 0.0000041667,
  provisionedDurationGbSecondUsd: 0.0000097222,
  apiGatewayRequestUsd: 1 / 1e6,
};

test("brief: 5,000 × 1 GB of provisioned concurrency around the clock costs tens of thousands a month, the spike itself cents", () => {
  const provisioned = provisionedConcurrencyMonthlyUsd(5000, 1, pricing);
  assert.ok(Math.abs(provisioned - 5000 * 1 * 730 * 3600 * 0.0000041667) < 1e-6);
  assert.ok(provisioned > 10_000 && provisioned < 100_000, `$${provisioned.toFixed(0)} a month`);

  // The spike on on-demand Lambda: 5,000 turns of 5.5 s with a 1 s cold start each, 1 GB.
  const spike = simulateLambda(
    lambdaConfig({ accountConcurrencyLimit: 10_000, scalingPer10Seconds: 10_000, initTime: fixedDuration(1000) }),
    new Float64Array(5000),
    constantService(5000, 5500),
    randomStream(1, 3),
  );
  const cost = lambdaEventCost(spike.usage, pricing);
  assert.ok(Math.abs(cost.durationUsd - 5000 * 6.5 * 0.0000166667) < 1e-9);
  assert.ok(cost.totalUsd < 1, `the spike costs $${cost.totalUsd.toFixed(2)}`);
  assert.ok(provisioned / cost.totalUsd > 10_000);
});

test('Lambda monthly cost: everyday traffic lands on provisioned environments first, at the reduced duration price', () => {
  const noEvent = { durationUsd: 0, provisionedDurationUsd: 0, requestsUsd: 0, apiGatewayUsd: 0, totalUsd: 0 };
  const traffic = { baselineRps: 2, eventsPerMonth: 0 };
  const onDemand = lambdaMonthlyCost({ event: noEvent, traffic, meanServiceSeconds: 5, memoryGb: 1, provisionedConcurrency: 0, pricing });
  const requests = 2 * secondsPerMonth;
  assert.ok(Math.abs(onDemand.baselineUsd - (requests * 5 * pricing.gbSecondUsd + requests * (pricing.requestUsd + pricing.apiGatewayRequestUsd))) < 1e-6);
  const covered = lambdaMonthlyCost({ event: noEvent, traffic, meanServiceSeconds: 5, memoryGb: 1, provisionedConcurrency: 10, pricing });
  assert.ok(covered.baselineUsd < onDemand.baselineUsd);
  assert.ok(Math.abs(covered.provisionedCapacityUsd - provisionedConcurrencyMonthlyUsd(10, 1, pricing)) < 1e-9);
  const withEvents = lambdaMonthlyCost({ event: { ...noEvent, totalUsd: 0.5 }, traffic: { baselineRps: 0, eventsPerMonth: 30 }, meanServiceSeconds: 5, memoryGb: 1, provisionedConcurrency: 0, pricing });
  assert.ok(Math.abs(withEvents.totalUsd - 15) < 1e-9);
});

test('Kubernetes monthly cost: always-on nodes, control plane and load balancer, plus extra node-hours per event', () => {
  const cost = kubernetesMonthlyCost({
    baselineNodes: 2,
    extraNodeSecondsPerEvent: 7200,
    traffic: { baselineRps: 0, eventsPerMonth: 10 },
    pricing: { nodeHourUsd: 0.357, controlPlaneHourUsd: 0.1, loadBalancerHourUsd: 0.0305 },
  });
  assert.ok(Math.abs(cost.baselineNodesUsd - 2 * 0.357 * hoursPerMonth) < 1e-9);
  assert.ok(Math.abs(cost.controlPlaneUsd - 73) < 1e-9);
  assert.ok(Math.abs(cost.eventsUsd - 10 * 2 * 0.357) < 1e-9);
  assert.ok(Math.abs(cost.totalUsd - (cost.baselineNodesUsd + cost.controlPlaneUsd + cost.loadBalancerUsd + cost.eventsUsd)) < 1e-9);
});
