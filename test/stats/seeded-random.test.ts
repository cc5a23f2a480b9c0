import { test } from 'node:test';
import assert from 'node:assert/strict';
import { exponentialDraw, mix32, SeededRandom } from '../../src/stats/seeded-random.js';

test('the same seed gives the same sequence; another seed another one', () => {
  const draw = (seed: number): number[] => {
    const random = new SeededRandom(seed);
    return Array.from({ length: 20 }, () => random.nextUint32());
  };
  assert.deepEqual(draw(5), draw(5));
  assert.notDeepEqual(draw(5), draw(6));
});

test('next() is uniform-ish in [0, 1) and int() stays in range', () => {
  const random = new SeededRandom(123);
  const buckets = new Array<number>(10).fill(0);
  for (let index = 0; index < 20_000; index++) {
    const value = random.next();
    assert.ok(value >= 0 && value < 1);
    buckets[Math.floor(value * 10)]!++;
    const picked = random.int(7);
    assert.ok(Number.isInteger(picked) && picked >= 0 && picked < 7);
  }
  for (const count of buckets) assert.ok(count > 1700 && count < 2300, `bucket count ${count}`);
});

test('mix32 is deterministic and spreads neighbouring inputs', () => {
  assert.equal(mix32(1, 2), mix32(1, 2));
  const outputs = new Set(Array.from({ length: 1000 }, (_, index) => mix32(9, index) % 64));
  assert.equal(outputs.size, 64);
});

test('exponential draws: the inverse CDF of a known uniform, and the mean over many', () => {
  assert.equal(exponentialDraw({ next: () => 0.5 }, 100), 100 * Math.LN2);
  assert.ok(exponentialDraw({ next: () => 0 }, 100) === 0, 'a uniform 0 is no wait at all');
  const random = new SeededRandom(9);
  let sum = 0;
  for (let index = 0; index < 100_000; index++) sum += exponentialDraw(random, 250);
  assert.ok(Math.abs(sum / 100_000 - 250) < 5, `mean ${sum / 100_000}`);
});
