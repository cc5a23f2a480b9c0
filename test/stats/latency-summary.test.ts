import { test } from 'node:test';
import assert from 'node:assert/strict';
import { summarizeLatencies } from '../../src/stats/latency-summary.js';
import { percentileOfSorted } from '../../src/stats/percentile-of-sorted.js';

test('nearest-rank percentiles of 1..100 are the ranks themselves', () => {
  const values = Array.from({ length: 100 }, (_, index) => 100 - index); // unsorted on purpose
  const summary = summarizeLatencies(values);
  assert.ok(summary);
  assert.equal(summary.p50, 50);
  assert.equal(summary.p90, 90);
  assert.equal(summary.p99, 99);
  assert.equal(summary.max, 100);
  assert.equal(summary.mean, 50.5);
  assert.equal(summary.count, 100);
});

test('summary uses only the first count values and leaves the input alone', () => {
  const values = new Float64Array([5, 1, 3, 1000, 1000]);
  const summary = summarizeLatencies(values, 3);
  assert.deepEqual([summary?.p50, summary?.max, summary?.mean], [3, 5, 3]);
  assert.deepEqual([...values], [5, 1, 3, 1000, 1000]);
});

test('no samples gives null, one sample is every percentile', () => {
  assert.equal(summarizeLatencies([]), null);
  const one = summarizeLatencies([42]);
  assert.deepEqual([one?.p50, one?.p90, one?.p99, one?.max, one?.mean], [42, 42, 42, 42, 42]);
  assert.ok(Number.isNaN(percentileOfSorted([], 0, 0.5)));
});

test('p99 of ten values is the largest, p90 the ninth', () => {
  const sorted = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100];
  assert.equal(percentileOfSorted(sorted, 10, 0.99), 100);
  assert.equal(percentileOfSorted(sorted, 10, 0.9), 90);
  assert.equal(percentileOfSorted(sorted, 10, 0.5), 50);
});

test('p95 sits between p90 and p99, and a planner-sized sample of 5,000 ranks exactly', () => {
  const values = Float64Array.from({ length: 5000 }, (_, index) => 5000 - index);
  const summary = summarizeLatencies(values);
  assert.deepEqual(summary && [summary.p50, summary.p90, summary.p95, summary.p99, summary.max, summary.count], [2500, 4500, 4750, 4950, 5000, 5000]);
  assert.equal(summarizeLatencies(Array.from({ length: 100 }, (_, index) => index + 1))?.p95, 95);
});
