import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NodeCostMeter } from '../../src/planner/deploy-simulation/node-cost-meter.js';
import { NodePool } from '../../src/planner/deploy-simulation/node-pool.js';

test('node-seconds by hand: all nodes are billed, only those above the baseline count as extra, and only within the cost window', () => {
  const meter = new NodeCostMeter(2, 100_000);
  meter.account(0, 2);
  meter.account(60_000, 2); // two baseline nodes for a minute
  meter.account(90_000, 5); // five for 30 s: three extra
  meter.account(150_000, 3); // three for 60 s, of which 10 s inside the window: one extra
  assert.equal(meter.nodeSeconds, 2 * 60 + 5 * 30 + 3 * 60);
  assert.equal(meter.extraNodeSeconds, 3 * 30 + 1 * 10);
  // A second call at the same time bills nothing.
  meter.account(150_000, 40);
  assert.equal(meter.nodeSeconds, 2 * 60 + 5 * 30 + 3 * 60);
});

test('a new pod goes to a ready node with room before a provisioning one, and none when every node is full', () => {
  const pool = new NodePool(2, new NodeCostMeter(1, Infinity));
  const ready = pool.add(0, true);
  const provisioning = pool.add(0, false);
  assert.equal(pool.withRoom(), ready);
  pool.bind(ready);
  pool.bind(ready);
  assert.equal(pool.withRoom(), provisioning);
  pool.bind(provisioning);
  pool.bind(provisioning);
  assert.equal(pool.withRoom(), undefined);
  assert.equal(pool.peak, 2);
  assert.ok(Number.isNaN(provisioning.imageReadyMs), 'a fresh node has no image yet');
});

test('empty ready nodes go after the scale-down delay, never below the baseline, and are billed until they go', () => {
  const meter = new NodeCostMeter(1, Infinity);
  const pool = new NodePool(4, meter);
  pool.bind(pool.add(0, true)); // the baseline node holds a pod throughout
  const extra = pool.add(0, false);
  const another = pool.add(0, false);
  pool.markReady(extra, 10_000);
  pool.markReady(another, 10_000);
  pool.bind(another);
  pool.unbind(another, 30_000); // empty since 30 s
  pool.removeEmpty(609_999, 600_000);
  assert.equal(pool.alive, 3, 'the first extra node has been empty 599.999 s');
  pool.removeEmpty(610_000, 600_000);
  assert.equal(pool.alive, 2);
  assert.ok(extra.removed && !another.removed);
  pool.removeEmpty(10_000_000, 600_000);
  assert.equal(pool.alive, 1, 'the other extra node went too');
  pool.unbind(pool.nodes[0]!, 10_000_000);
  pool.removeEmpty(100_000_000, 600_000);
  assert.equal(pool.alive, 1, 'never below the baseline, even with every node empty');
  pool.account(10_000_000);
  assert.equal(meter.nodeSeconds, 3 * 610 + 2 * (10_000 - 610));
  assert.equal(meter.extraNodeSeconds, 2 * 610 + 1 * (10_000 - 610));
});
