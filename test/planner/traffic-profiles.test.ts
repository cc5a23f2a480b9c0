import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDistribution, parseDuration } from '../../src/planner/deploy-simulation/duration-distribution.js';
import { randomStream } from '../../src/stats/seeded-random.js';
import { generateArrivals, parseTrace, readTrace } from '../../src/planner/deploy-simulation/traffic-profiles.js';

test('durations and distributions parse in every documented form', () => {
  assert.equal(parseDuration('250ms'), 250);
  assert.equal(parseDuration('4s'), 4000);
  assert.equal(parseDuration('1.5min'), 90_000);
  assert.equal(parseDuration('24h'), 86_400_000);
  assert.throws(() => parseDuration('4'), /needs a unit/);
  assert.throws(() => parseDuration('4 parsecs'), /unknown unit/);
  const range = parseDistribution('4-7s');
  assert.equal(range.meanMs, 5500);
  assert.equal(range.quantileMs(0.99), 4000 + 0.99 * 3000);
  assert.equal(parseDistribution('4s-7s').spec, range.spec);
  assert.equal(parseDistribution('uniform:4s,7s').spec, range.spec);
  assert.equal(parseDistribution('fixed:1s').meanMs, 1000);
  assert.equal(parseDistribution('1s').meanMs, 1000);
  assert.equal(parseDistribution('exponential:5s').meanMs, 5000);
  const lognormal = parseDistribution('lognormal:1s,3s');
  assert.ok(Math.abs(lognormal.quantileMs(0.5) - 1000) < 1e-6);
  assert.ok(Math.abs(lognormal.quantileMs(0.99) - 3000) < 1e-3);
  assert.throws(() => parseDistribution('gamma:1s'), /unknown distribution/);
  assert.throws(() => parseDistribution('uniform:7s,4s'), /ends before it starts/);
  assert.throws(() => parseDistribution('lognormal:3s,1s'), /at least its median/);
});

test('samples follow their distribution: uniform within its range, lognormal around its median', () => {
  const random = randomStream(9, 2);
  const uniform = parseDistribution('4s-7s');
  const lognormal = parseDistribution('lognormal:1s,3s');
  const draws = Array.from({ length: 20_000 }, () => lognormal.sample(random)).sort((left, right) => left - right);
  for (let index = 0; index < 1000; index++) {
    const value = uniform.sample(random);
    assert.ok(value >= 4000 && value < 7000);
  }
  assert.ok(Math.abs(draws[10_000]! - 1000) < 50);
  assert.ok(Math.abs(draws[19_800]! - 3000) < 300);
});

test('profiles produce sorted arrivals at the right volume', () => {
  const spike = generateArrivals({ kind: 'spike', users: 5000, windowMs: 1000 }, randomStream(1, 1));
  assert.equal(spike.length, 5000);
  assert.ok(spike[0]! >= 0 && spike[4999]! < 1000);
  const steady = generateArrivals({ kind: 'steady', ratePerSecond: 50, durationMs: 600_000, arrivals: 'poisson' }, randomStream(1, 1));
  assert.ok(Math.abs(steady.length - 30_000) < 600, `${steady.length} arrivals`);
  const ramp = generateArrivals({ kind: 'ramp', fromRatePerSecond: 0, toRatePerSecond: 100, durationMs: 600_000, arrivals: 'poisson' }, randomStream(1, 1));
  const firstHalf = ramp.filter((time) => time < 300_000).length;
  assert.ok(Math.abs(ramp.length - 30_000) < 600);
  assert.ok(Math.abs(firstHalf / ramp.length - 0.25) < 0.02, 'a linear ramp puts a quarter of its traffic in its first half');
  const diurnal = generateArrivals({ kind: 'diurnal', meanRatePerSecond: 1, amplitude: 0.8, periodMs: 86_400_000, durationMs: 86_400_000, arrivals: 'poisson' }, randomStream(1, 1));
  const night = diurnal.filter((time) => time < 3_600_000).length;
  const noon = diurnal.filter((time) => time >= 41_400_000 && time < 45_000_000).length;
  assert.ok(Math.abs(diurnal.length - 86_400) < 1500);
  assert.ok(noon > 5 * night);
  for (const arrivals of [spike, steady, ramp, diurnal]) for (let index = 1; index < arrivals.length; index++) assert.ok(arrivals[index]! >= arrivals[index - 1]!);
  assert.throws(() => generateArrivals({ kind: 'steady', ratePerSecond: 10_000, durationMs: 86_400_000, arrivals: 'poisson' }, randomStream(1, 1)), /at most/);
});

test('trace files: seconds per line, ISO times, or a JSON array, shifted to start at zero', () => {
  assert.deepEqual([...parseTrace('# arrivals\nseconds\n12.5\n10\n11,extra\n', 't.csv')], [0, 1000, 2500]);
  assert.deepEqual([...parseTrace('[3, 1, 2]', 't.json')], [0, 1000, 2000]);
  assert.deepEqual([...parseTrace('2025-01-01T00:00:01Z\n2025-01-01T00:00:00Z\n', 't.txt')], [0, 1000]);
  assert.throws(() => parseTrace('1\nabc\n', 'bad.txt'), /bad\.txt:2/);
  assert.throws(() => parseTrace('', 'empty.txt'), /no arrival times/);
  const directory = mkdtempSync(join(tmpdir(), 'switchboard-trace-'));
  try {
    const file = join(directory, 'trace.txt');
    writeFileSync(file, '0\n0.5\n1\n');
    assert.equal(readTrace(file).length, 3);
    assert.throws(() => readTrace(join(directory, 'missing.txt')), /cannot read trace/);
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
});
