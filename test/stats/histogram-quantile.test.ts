import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { histogramQuantile } from '../../src/stats/histogram-quantile.js';

describe('histogramQuantile', () => {
  const bounds = [0.1, 0.5, 1, Number.POSITIVE_INFINITY];

  it('interpolates inside the bucket the rank falls in, as Prometheus does', () => {
    // 10 at or below 0.1, 30 more up to 0.5, 60 more up to 1.
    const cumulative = [10, 40, 100, 100];
    assert.equal(histogramQuantile(0.1, bounds, cumulative), 0.1);
    assert.equal(histogramQuantile(0.25, bounds, cumulative), 0.1 + 0.4 * (15 / 30));
    assert.equal(histogramQuantile(0.7, bounds, cumulative), 0.5 + 0.5 * (30 / 60));
    assert.equal(histogramQuantile(0.05, bounds, cumulative), 0.05);
  });

  it('answers the highest finite bound for ranks in the +Inf bucket, and NaN without observations', () => {
    assert.equal(histogramQuantile(0.99, bounds, [0, 0, 50, 100]), 1);
    assert.ok(Number.isNaN(histogramQuantile(0.5, bounds, [0, 0, 0, 0])));
  });
});
