import { test } from 'node:test';
import assert from 'node:assert/strict';
import { calibrationFromLoadtest } from '../../src/planner/deploy-simulation/loadtest-calibration.js';

const result = {
  concurrency: 800,
  peakInFlight: 640,
  throughputRps: 120.5,
  latencyMs: { e2e: { p50: 4800, p90: 6100, p99: 7400, max: 9000 }, ttft: { p50: 300, p90: 420, p99: 600, max: 900 } },
  errors: 0,
};

test('capacity is the peak in flight of an error-free run; service time is a log-normal through its p50 and p99', () => {
  const calibration = calibrationFromLoadtest(result, 'run.json');
  assert.equal(calibration.podCapacity, 640);
  assert.equal(calibration.serviceTime, 'lognormal:4800ms,7400ms');
  assert.ok(calibration.notes.some((note) => /lower bound/.test(note)));
  assert.ok(calibration.notes.some((note) => /640 in flight of the 800/.test(note)));
});

test('fields are read defensively', () => {
  // The load generator's own shape: concurrency under loop, e2e possibly null.
  const nested = calibrationFromLoadtest({ loop: { kind: 'closed', concurrency: 50 }, peakInFlight: 50, latencyMs: { e2e: null }, errors: 0 }, 'x.json');
  assert.equal(nested.podCapacity, 50);
  assert.equal(nested.serviceTime, null);
  const noPeak = calibrationFromLoadtest({ concurrency: 30, errors: 0, latencyMs: { e2e: { p50: 1000, p99: 1000 } } }, 'x.json');
  assert.equal(noPeak.podCapacity, 30);
  assert.equal(noPeak.serviceTime, 'fixed:1000ms');
  const noErrorsField = calibrationFromLoadtest({ peakInFlight: 12 }, 'x.json');
  assert.ok(noErrorsField.notes.some((note) => /no "errors"/.test(note)));
});

test('a run with errors, or without a capacity, is refused with a clear reason', () => {
  assert.throws(() => calibrationFromLoadtest({ ...result, errors: 3 }, 'run.json'), /3 error\(s\).*lower --concurrency/);
  assert.throws(() => calibrationFromLoadtest({ errors: 0 }, 'run.json'), /no usable "peakInFlight"/);
  assert.throws(() => calibrationFromLoadtest('nope', 'run.json'), /expected the JSON object/);
});
