import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiGateway } from '../../src/planner/deploy-simulation/api-gateway.js';
import { LambdaCostMeter } from '../../src/planner/deploy-simulation/lambda-cost-meter.js';
import { LambdaEnvironments } from '../../src/planner/deploy-simulation/lambda-environments.js';

const limits = { provisionedConcurrency: 1, backgroundConcurrency: 0, accountConcurrencyLimit: 3, scalingPer10Seconds: 2, idleExpiryMs: 60_000 };

test('an invocation takes a provisioned environment, then a warm one, then a new one within the scaling rate, then a 429', () => {
  const environments = new LambdaEnvironments(limits);
  assert.deepEqual([environments.acquire(0), environments.acquire(0), environments.acquire(0)], ['provisioned', 'cold', 'cold']);
  assert.equal(environments.acquire(0), 'throttled', 'the account limit of 3 is reached');
  environments.release(false, 1000);
  assert.equal(environments.acquire(1000), 'warm');
  environments.release(false, 2000);
  environments.release(false, 2000);
  assert.equal(environments.busy, 1);
  // Two idle on-demand environments; the scaling bucket is empty until it refills at 0.2 per second.
  assert.deepEqual([environments.acquire(2000), environments.acquire(2000)], ['warm', 'warm']);
  assert.equal(environments.peakInstances, 3);
  assert.equal(environments.peakBusy, 3);
});

test('idle environments expire, and a new one then needs a scaling token', () => {
  const environments = new LambdaEnvironments({ ...limits, provisionedConcurrency: 0, scalingPer10Seconds: 1 });
  assert.equal(environments.acquire(0), 'cold');
  environments.release(false, 1000);
  environments.expire(60_999);
  assert.equal(environments.instances, 1, 'idle for 59.999 s');
  environments.expire(61_000);
  assert.equal(environments.instances, 0);
  // The one token refills at 0.1 per second: 10 s after it was taken.
  const fresh = new LambdaEnvironments({ ...limits, provisionedConcurrency: 0, scalingPer10Seconds: 1 });
  assert.equal(fresh.acquire(0), 'cold');
  assert.equal(fresh.acquire(9_999), 'throttled');
  assert.equal(fresh.acquire(10_000), 'cold');
});

test('the everyday traffic holds provisioned environments first and counts against the account limit', () => {
  const environments = new LambdaEnvironments({ ...limits, provisionedConcurrency: 2, backgroundConcurrency: 3, accountConcurrencyLimit: 4 });
  assert.equal(environments.busy, 3);
  assert.equal(environments.instances, 3, 'two provisioned and one on-demand');
  assert.equal(environments.acquire(0), 'cold');
  assert.equal(environments.acquire(0), 'throttled');
});

test('API Gateway throttles past its burst, bills only what it accepts, and cuts invocations past its timeout', () => {
  const gateway = new ApiGateway({ burst: 2, ratePerSecond: 1, timeoutMs: 30_000 });
  assert.deepEqual([gateway.admit(0), gateway.admit(0), gateway.admit(0), gateway.admit(1000)], [true, true, false, true]);
  assert.deepEqual([gateway.accepted, gateway.throttled], [3, 1]);
  assert.deepEqual([gateway.cutsOff(30_000), gateway.cutsOff(30_001)], [false, true]);
});

test('billing rounds each invocation up to the millisecond, per GB, and keeps provisioned duration apart', () => {
  const meter = new LambdaCostMeter(512);
  meter.bill(250.2, 1250.2, false);
  meter.bill(0, 999.1, true);
  assert.equal(meter.invocations, 2);
  assert.equal(meter.onDemandGbSeconds, 1.251 * 0.5);
  assert.equal(meter.initGbSeconds, 0.2502 * 0.5);
  assert.equal(meter.provisionedInvocationGbSeconds, 1 * 0.5);
});
