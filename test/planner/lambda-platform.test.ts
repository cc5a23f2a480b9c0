import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fixedDuration } from '../../src/planner/deploy-simulation/duration-distribution.js';
import { simulateLambda } from '../../src/planner/deploy-simulation/lambda-platform.js';
import { randomStream } from '../../src/stats/seeded-random.js';
import { generateArrivals } from '../../src/planner/deploy-simulation/traffic-profiles.js';
import { constantService, lambdaConfig } from './simulation-fixtures.js';

const random = () => randomStream(7, 3);

test('cold-start share, by hand: arrivals 10 s apart are all cold when environments expire after 5 s, one cold start when they live a minute', () => {
  const arrivals = generateArrivals({ kind: 'steady', ratePerSecond: 0.1, durationMs: 1_000_000, arrivals: 'uniform' }, random());
  const count = arrivals.length;
  assert.equal(count, 99);
  const service = constantService(count, 1000);
  const expiring = simulateLambda(lambdaConfig({ idleExpiryMs: 5000 }), arrivals, service, random());
  assert.equal(expiring.coldStarts, count);
  assert.equal(expiring.latency.p50, 2000); // 1 s init + 1 s turn
  const lasting = simulateLambda(lambdaConfig({ idleExpiryMs: 60_000 }), arrivals, service, random());
  assert.equal(lasting.coldStarts, 1);
  assert.equal(lasting.peakInstances, 1);
});

test('cold-start share, by hand: Poisson arrivals at λ find no warm environment with probability e^(−λ(expiry + turn))', () => {
  const rate = 0.05;
  const expiryMs = 20_000;
  const turnMs = 100;
  const arrivals = generateArrivals({ kind: 'steady', ratePerSecond: rate, durationMs: 800_000_000, arrivals: 'poisson' }, randomStream(11, 1));
  const run = simulateLambda(lambdaConfig({ idleExpiryMs: expiryMs, initTime: fixedDuration(0), sampleIntervalMs: 3_600_000 }), arrivals, constantService(arrivals.length, turnMs), random());
  const expected = Math.exp(-rate * ((expiryMs + turnMs) / 1000));
  const share = run.coldStarts / run.requests;
  assert.ok(Math.abs(share - expected) < 0.02, `simulated ${share.toFixed(4)}, by hand ${expected.toFixed(4)} over ${run.requests} requests`);
});

test('scaling rate: 5,000 simultaneous requests need about 40 s of refill before all hold an environment', () => {
  const arrivals = new Float64Array(5000); // all at t = 0
  const config = lambdaConfig({
    accountConcurrencyLimit: 10_000,
    initTime: fixedDuration(0),
    retry: { baseMs: 10, capMs: 50, maxAttempts: 1_000_000 },
    // Turns outlast the ramp so no environment is reused; no gateway timeout cuts them.
    apiGateway: { burst: 1e9, ratePerSecond: 1e9, timeoutMs: 1e9 },
  });
  const run = simulateLambda(config, arrivals, constantService(5000, 120_000), random());
  // 1,000 at once, then 4,000 more at 100 per second.
  assert.ok(run.lastStartMs > 39_500 && run.lastStartMs < 41_000, `last start at ${run.lastStartMs} ms`);
  assert.equal(run.coldStarts, 5000);
  assert.equal(run.peakInstances, 5000);
  assert.ok(run.throttledRequests >= 3990, `${run.throttledRequests} throttled`);
  assert.equal(run.failed, 0);
});

test('brief: provisioned concurrency of 100 against 5,000 arrivals leaves 4,900 cold starts only if Lambda may create 4,900 environments at once', () => {
  const arrivals = new Float64Array(5000);
  const service = constantService(5000, 5000);
  const unlimited = lambdaConfig({ provisionedConcurrency: 100, accountConcurrencyLimit: 10_000, scalingPer10Seconds: 10_000 });
  const allAtOnce = simulateLambda(unlimited, arrivals, service, random());
  assert.equal(allAtOnce.coldStarts, 4900);
  assert.equal(allAtOnce.throttledRequests, 0);
  // With the real scaling rate, later requests reuse environments freed by earlier ones: fewer cold starts, many 429s.
  const scalingLimited = simulateLambda({ ...unlimited, scalingPer10Seconds: 1000 }, arrivals, service, random());
  assert.ok(scalingLimited.coldStarts < 4900 && scalingLimited.coldStarts >= 1000, `${scalingLimited.coldStarts} cold starts`);
  assert.ok(scalingLimited.throttledRequests > 0);
});

test('the account concurrency limit caps environments in use; throttled clients retry until served or out of attempts', () => {
  const arrivals = new Float64Array(2000);
  const service = constantService(2000, 2000);
  const run = simulateLambda(lambdaConfig({ accountConcurrencyLimit: 500, retry: { baseMs: 500, capMs: 5000, maxAttempts: 100 } }), arrivals, service, random());
  assert.ok(run.peakBusy <= 500);
  assert.equal(run.failed, 0);
  assert.ok(run.throttledRequests >= 1500);
  const impatient = simulateLambda(lambdaConfig({ accountConcurrencyLimit: 500, retry: { baseMs: 500, capMs: 5000, maxAttempts: 1 } }), arrivals, service, random());
  assert.equal(impatient.failed, 1500);
  assert.equal(impatient.completed, 500);
});

test('API Gateway throttles past its burst and cuts answers at its integration timeout (still billed)', () => {
  const arrivals = new Float64Array(1000);
  const throttled = simulateLambda(lambdaConfig({ apiGateway: { burst: 100, ratePerSecond: 50, timeoutMs: 30_000 }, retry: { baseMs: 1000, capMs: 20_000, maxAttempts: 50 } }), arrivals, constantService(1000, 1000), random());
  assert.ok(throttled.usage.apiGatewayThrottles > 0);
  assert.equal(throttled.failed, 0);
  const slow = simulateLambda(lambdaConfig(), new Float64Array(10), constantService(10, 40_000), random());
  assert.equal(slow.failed, 10);
  assert.equal(slow.usage.gatewayTimeouts, 10);
  assert.ok(Math.abs(slow.usage.onDemandGbSeconds - 10 * 41) < 1e-9);
});

test('billing counts init and turn at 1 ms granularity, per GB of memory', () => {
  const run = simulateLambda(lambdaConfig({ memoryMb: 2048, initTime: fixedDuration(250.2) }), new Float64Array(3), constantService(3, 1000), random());
  assert.equal(run.usage.invocations, 3);
  assert.ok(Math.abs(run.usage.onDemandGbSeconds - 3 * (1.251 * 2)) < 1e-9);
  assert.ok(Math.abs(run.usage.initGbSeconds - 3 * 0.2502 * 2) < 1e-9);
});
