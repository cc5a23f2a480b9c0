import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jittered } from '../../src/lab/jittered.js';

test('jittered maps [0, 1) onto mean ± jitter', () => {
  assert.equal(jittered(100, 0.1, 0), 90);
  assert.equal(jittered(100, 0.1, 0.5), 100);
  assert.ok(jittered(100, 0.1, 0.999999) < 110);
  assert.equal(jittered(100, 0, 0.9), 100);
});
