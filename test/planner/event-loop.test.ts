import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runEventLoop } from '../../src/planner/deploy-simulation/event-loop.js';
import { EventQueue } from '../../src/planner/deploy-simulation/event-queue.js';

test('arrivals and queued events run in time order; at the same time the queued event goes first', () => {
  const events = new EventQueue();
  events.push(5, 7, 70);
  events.push(20, 8, 80);
  const seen: string[] = [];
  const endMs = runEventLoop(new Float64Array([0, 5, 10]), events, {
    arrive: (request, nowMs) => {
      seen.push(`arrival ${request} at ${nowMs}`);
      if (request === 2) events.push(nowMs + 1, 9, 90);
    },
    handle: (kind, payload, _payload2, nowMs, arrivalsLeft) => seen.push(`event ${kind}/${payload} at ${nowMs}${arrivalsLeft ? ', arrivals left' : ''}`),
  });
  assert.deepEqual(seen, ['arrival 0 at 0', 'event 7/70 at 5, arrivals left', 'arrival 1 at 5', 'arrival 2 at 10', 'event 9/90 at 11', 'event 8/80 at 20']);
  assert.equal(endMs, 20);
});
