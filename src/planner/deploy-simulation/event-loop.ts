/** The simulation's main loop, shared by both platforms: fresh arrivals from a sorted array merged with the event queue, earliest first. */

import type { EventQueue } from './event-queue.js';

export interface EventHandlers {
  /** A fresh arrival: request number `request` (its index in the arrivals). */
  arrive(request: number, nowMs: number): void;
  /** An event from the queue; `arrivalsLeft` says whether fresh arrivals are still to come. */
  handle(kind: number, payload: number, payload2: number, nowMs: number, arrivalsLeft: boolean): void;
}

/** Runs until neither arrivals nor events are left; returns the time of the last one. */
export function runEventLoop(arrivalsMs: Float64Array, events: EventQueue, handlers: EventHandlers): number {
  let nextArrival = 0;
  let nowMs = 0;
  while (nextArrival < arrivalsMs.length || events.size > 0) {
    // Fresh arrivals come from the sorted array, so only retries, finishes and timers sit in the heap.
    if (nextArrival < arrivalsMs.length && arrivalsMs[nextArrival]! < events.peekTime()) {
      nowMs = arrivalsMs[nextArrival]!;
      handlers.arrive(nextArrival++, nowMs);
      continue;
    }
    events.pop();
    nowMs = events.time;
    handlers.handle(events.kind, events.payload, events.payload2, nowMs, nextArrival < arrivalsMs.length);
  }
  return nowMs;
}
