import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backoffDelayMs, sleep } from '../../src/models/backoff.js';
import { parseRetryAfter, UpstreamError } from '../../src/models/upstream-error.js';
import { seededRandom } from './instance-fixtures.js';

const options = { baseDelayMs: 100, maxDelayMs: 2_000 };

describe('backoff', () => {
  it('draws full jitter under an exponentially growing ceiling capped at the maximum', () => {
    const random = seededRandom(9);
    for (const [attempt, ceiling] of [[1, 100], [2, 200], [3, 400], [5, 1_600], [6, 2_000], [12, 2_000]] as const) {
      let highest = 0;
      for (let draw = 0; draw < 500; draw++) {
        const delay = backoffDelayMs(attempt, options, random);
        assert.ok(delay >= 0 && delay < ceiling, `attempt ${attempt}: ${delay}`);
        highest = Math.max(highest, delay);
      }
      assert.ok(highest > ceiling * 0.9, `jitter covers the range up to ${ceiling}: ${highest}`);
    }
    assert.equal(backoffDelayMs(3, options, () => 0.5), 200);
  });

  it('waits at least what Retry-After asks, up to the maximum delay', () => {
    assert.equal(backoffDelayMs(1, options, () => 0, 1_000), 1_000);
    assert.equal(backoffDelayMs(1, options, () => 0, 60_000), 2_000);
    assert.equal(backoffDelayMs(6, options, () => 0.9, 10), 1_800);
  });

  it('parses Retry-After in seconds and as an HTTP date', () => {
    assert.equal(parseRetryAfter('2'), 2_000);
    assert.equal(parseRetryAfter(['1.5']), 1_500);
    const now = Date.parse('2025-01-01T00:00:00Z');
    assert.equal(parseRetryAfter('Wed, 01 Jan 2025 00:00:30 GMT', now), 30_000);
    assert.equal(parseRetryAfter('soon'), undefined);
    assert.equal(parseRetryAfter(undefined), undefined);
  });

  it('classifies upstream failures once, where they are made', () => {
    const retryable = (status: number) => new UpstreamError('status', 'x', 'm', { status }).retryable;
    assert.deepEqual([408, 409, 429, 500, 502, 503, 504, 529].map(retryable), [true, true, true, true, true, true, true, true]);
    assert.deepEqual([400, 401, 403, 404, 422].map(retryable), [false, false, false, false, false]);
    assert.equal(new UpstreamError('connect', 'x', 'm').retryable, true);
    assert.equal(new UpstreamError('aborted', 'x', 'm').retryable, false);
    assert.equal(new UpstreamError('status', 'x', 'm', { status: 409 }).instanceFault, false, 'a conflict says nothing about the instance');
    assert.equal(new UpstreamError('protocol', 'x', 'm').instanceFault, true);
  });

  it('sleep ends early with the reason when its signal aborts', async () => {
    const controller = new AbortController();
    const started = performance.now();
    setTimeout(() => controller.abort(new Error('gone')), 10);
    await assert.rejects(sleep(10_000, controller.signal), /gone/);
    assert.ok(performance.now() - started < 5_000);
  });
});
