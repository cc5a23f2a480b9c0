import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HistogramCell } from '../../src/telemetry/histogram-cell.js';
import { Histogram, Registry } from '../../src/telemetry/prom-client-core.js';

function pair() {
  const make = () => {
    const registry = new Registry();
    const histogram = new Histogram({ name: 'stage_seconds', help: 'h', labelNames: ['stage', 'pool'], buckets: [0.001, 0.01, 0.1, 1], registers: [registry] });
    return { registry, histogram };
  };
  return { plain: make(), cells: make() };
}

describe('a histogram cell', () => {
  const values = [0, 0.0005, 0.001, 0.002, 0.05, 0.1, 0.5, 1, 7.5, 1e-9];

  it('gives the exposition prom-client gives for the same observations, per label set', async () => {
    const { plain, cells } = pair();
    const a = new HistogramCell(cells.histogram, { stage: 'load-session', pool: 'p' });
    const b = new HistogramCell(cells.histogram, { stage: 'run-agent', pool: 'q' });
    for (const value of values) {
      plain.histogram.labels({ stage: 'load-session', pool: 'p' }).observe(value);
      a.observe(value);
      plain.histogram.labels({ stage: 'run-agent', pool: 'q' }).observe(value * 2);
      b.observe(value * 2);
    }
    assert.equal(await cells.registry.metrics(), await plain.registry.metrics());
    const lines = (await cells.registry.metrics()).split('\n');
    assert.ok(lines.includes('stage_seconds_count{stage="load-session",pool="p"} 10'), lines.join('\n'));
    assert.ok(lines.includes('stage_seconds_bucket{le="+Inf",stage="run-agent",pool="q"} 10'));
  });

  it('keeps counting the same way after a reset, and refuses a value that is not a number as prom-client does', async () => {
    const { plain, cells } = pair();
    const cell = new HistogramCell(cells.histogram, { stage: 's', pool: 'p' });
    cell.observe(0.5);
    plain.histogram.labels({ stage: 's', pool: 'p' }).observe(0.5);
    cells.histogram.reset();
    plain.histogram.reset();
    for (const value of values) {
      cell.observe(value);
      plain.histogram.labels({ stage: 's', pool: 'p' }).observe(value);
    }
    assert.equal(await cells.registry.metrics(), await plain.registry.metrics());
    assert.throws(() => cell.observe(Number.NaN), /not a valid number/);
  });
});
