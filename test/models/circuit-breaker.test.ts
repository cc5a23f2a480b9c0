import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BreakerState, CircuitBreaker, type CircuitBreakerOptions } from '../../src/models/circuit-breaker.js';

const options: CircuitBreakerOptions = { failureRate: 0.5, minimumCalls: 4, windowMs: 10_000, openMs: 5_000, halfOpenProbes: 1 };

function breakerWithLog(overrides: Partial<CircuitBreakerOptions> = {}) {
  const changes: BreakerState[] = [];
  const breaker = new CircuitBreaker({ ...options, ...overrides }, (state) => changes.push(state));
  return { breaker, changes };
}

/** One call through the breaker at `now`, as the router makes it. */
function call(breaker: CircuitBreaker, now: number, ok: boolean): void {
  assert.ok(breaker.allowsCall(now), `a call at ${now} should be allowed`);
  const probe = breaker.onDispatch();
  if (ok) breaker.onSuccess(now, probe);
  else breaker.onFailure(now, probe);
}

describe('circuit breaker', () => {
  it('stays closed below the minimum number of calls, however many of them fail', () => {
    const { breaker } = breakerWithLog();
    for (let index = 0; index < 3; index++) call(breaker, index, false);
    assert.equal(breaker.state, BreakerState.closed);
  });

  it('opens when the failure rate in the window reaches the threshold, and refuses calls while open', () => {
    const { breaker, changes } = breakerWithLog();
    call(breaker, 0, true);
    call(breaker, 1, true);
    call(breaker, 2, false);
    assert.equal(breaker.state, BreakerState.closed, '1 of 3 failed');
    call(breaker, 3, false);
    assert.equal(breaker.state, BreakerState.open, '2 of 4 failed');
    assert.deepEqual(changes, [BreakerState.open]);
    assert.equal(breaker.allowsCall(4_999), false);
  });

  it('forgets failures older than the window', () => {
    const { breaker } = breakerWithLog();
    call(breaker, 0, false);
    call(breaker, 1, false);
    call(breaker, 2, false);
    // 11 s later the three failures have slid out; three successes and one failure are 25%.
    for (const now of [11_000, 11_001, 11_002]) call(breaker, now, true);
    call(breaker, 11_003, false);
    assert.equal(breaker.state, BreakerState.closed);
  });

  it('turns half-open after the open time, lets one probe through, and closes when it succeeds', () => {
    const { breaker, changes } = breakerWithLog();
    for (let index = 0; index < 4; index++) call(breaker, index, false);
    assert.equal(breaker.allowsCall(5_002), false, 'open for 5 s from the failure at 3 ms');
    assert.equal(breaker.allowsCall(5_010), true);
    assert.equal(breaker.state, BreakerState.halfOpen);
    const probe = breaker.onDispatch();
    assert.equal(probe, true);
    assert.equal(breaker.allowsCall(5_011), false, 'only one probe at a time');
    breaker.onSuccess(5_100, probe);
    assert.equal(breaker.state, BreakerState.closed);
    assert.deepEqual(changes, [BreakerState.open, BreakerState.halfOpen, BreakerState.closed]);
    // Closed again with a clean window: one failure does not reopen it.
    call(breaker, 5_200, false);
    assert.equal(breaker.state, BreakerState.closed);
  });

  it('reopens for another full open time when the probe fails', () => {
    const { breaker, changes } = breakerWithLog();
    for (let index = 0; index < 4; index++) call(breaker, index, false);
    assert.ok(breaker.allowsCall(6_000));
    breaker.onFailure(6_500, breaker.onDispatch());
    assert.equal(breaker.state, BreakerState.open);
    assert.equal(breaker.allowsCall(11_000), false);
    assert.equal(breaker.allowsCall(11_500), true);
    assert.deepEqual(changes, [BreakerState.open, BreakerState.halfOpen, BreakerState.open, BreakerState.halfOpen]);
  });

  it('ignores calls sent before it opened when they end during half-open', () => {
    const { breaker } = breakerWithLog();
    const early = breaker.onDispatch();
    assert.equal(early, false);
    for (let index = 0; index < 4; index++) call(breaker, index, false);
    assert.ok(breaker.allowsCall(5_010));
    breaker.onSuccess(5_011, early);
    assert.equal(breaker.state, BreakerState.halfOpen, 'a non-probe success proves nothing');
  });

  it('frees the probe slot for a neutral outcome', () => {
    const { breaker } = breakerWithLog();
    for (let index = 0; index < 4; index++) call(breaker, index, false);
    assert.ok(breaker.allowsCall(5_010));
    const probe = breaker.onDispatch();
    assert.equal(breaker.allowsCall(5_011), false);
    breaker.onNeutral(probe);
    assert.equal(breaker.allowsCall(5_012), true);
    assert.equal(breaker.state, BreakerState.halfOpen);
  });
});
