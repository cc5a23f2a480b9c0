import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CounterCell } from '../../src/telemetry/counter-cell.js';
import { Metrics } from '../../src/telemetry/metrics.js';
import { Counter, Registry } from '../../src/telemetry/prom-client-core.js';

function pair() {
  const make = () => {
    const registry = new Registry();
    return { registry, counter: new Counter({ name: 'things_total', help: 'h', labelNames: ['route', 'code'], registers: [registry] }) };
  };
  return { plain: make(), cells: make() };
}

describe('a counter cell', () => {
  it('gives the exposition prom-client gives for the same counts, through a reset, and refuses what prom-client refuses', async () => {
    const { plain, cells } = pair();
    const ok = new CounterCell(cells.counter, { route: '/v1/x', code: '200' });
    const failed = new CounterCell(cells.counter, { route: '/v1/x', code: '500' });
    for (const by of [1, 2.5, 0, 1]) {
      ok.inc(by);
      plain.counter.labels({ route: '/v1/x', code: '200' }).inc(by);
    }
    failed.inc();
    plain.counter.labels({ route: '/v1/x', code: '500' }).inc();
    assert.equal(await cells.registry.metrics(), await plain.registry.metrics());
    assert.ok((await cells.registry.metrics()).includes('things_total{route="/v1/x",code="200"} 4.5'));
    cells.counter.reset();
    plain.counter.reset();
    ok.inc();
    plain.counter.labels({ route: '/v1/x', code: '200' }).inc();
    assert.equal(await cells.registry.metrics(), await plain.registry.metrics());
    assert.throws(() => ok.inc(-1), /not possible to decrease/);
    assert.throws(() => ok.inc(Number.POSITIVE_INFINITY), /not a valid number/);
  });

  it('the runtime counts requests, turns and cost through cells, per label set', async () => {
    const metrics = new Metrics({ defaultMetrics: false });
    metrics.countRequest('/v1/sessions/:id/turns', 200, 'demo');
    metrics.countRequest('/v1/sessions/:id/turns', 200, 'demo');
    metrics.countRequest('/v1/sessions/:id/turns', 499, '');
    metrics.countTurn('billing', 'billing');
    metrics.countCost('t', 'p', 0.25);
    metrics.countCost('t', 'p', 0.5);
    const text = await metrics.registry.metrics();
    assert.ok(text.includes('switchboard_requests_total{route="/v1/sessions/:id/turns",code="200",model_route="demo"} 2'), text);
    assert.ok(text.includes('switchboard_requests_total{route="/v1/sessions/:id/turns",code="499",model_route=""} 1'));
    assert.ok(text.includes('switchboard_turns_total{agent="billing",intent="billing"} 1'));
    assert.ok(text.includes('switchboard_cost_usd_total{tenant="t",pool="p"} 0.75'));
  });
});
