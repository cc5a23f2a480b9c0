import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StageTimer, millisecondsText } from '../../src/pipeline/stage-timer.js';

describe('stage timer', () => {
  it('prints whole microseconds as the milliseconds String() prints for the rounded value', () => {
    for (let micros = 0; micros < 200_000; micros++) assert.equal(millisecondsText(micros), String(micros / 1000));
    for (const micros of [1_000_000, 1_234_567, 90_000_001, 2 ** 40 + 7]) assert.equal(millisecondsText(micros), String(micros / 1000));
  });

  it('keeps timings and Server-Timing in stage order, a stage recorded again keeping its place with its last time', () => {
    const observed: [string, number][] = [];
    const timer = new StageTimer((stage, seconds) => observed.push([stage, seconds]));
    timer.record('authenticate', 0.0421);
    timer.record('admit', 1.23456);
    assert.deepEqual(timer.timings, { authenticate: 0.042, admit: 1.235 });
    timer.record('authenticate', 2);
    timer.record('call-model', 12.3);
    assert.deepEqual(timer.timings, { authenticate: 2, admit: 1.235, 'call-model': 12.3 }, 'a timings object read early is kept up to date');
    assert.equal(timer.serverTiming(), 'authenticate;dur=2, admit;dur=1.235, call-model;dur=12.3');
    assert.deepEqual(observed.map(([stage]) => stage), ['authenticate', 'admit', 'authenticate', 'call-model']);
  });
});
