/**
 * Refuses request bodies that arrive slower than a minimum average rate. `bodyTimeoutMs` bounds a
 * whole request; this closes a peer that dribbles a byte now and then much sooner, so a crowd of
 * them cannot hold sockets and body reservations for the whole deadline. One timer serves every
 * body being read, and runs only while there is one.
 */

import { SwitchboardError } from '../errors.js';

/** A body being read: its start, what arrived so far, and how to fail it. */
export interface WatchedBody {
  readonly startedAt: number;
  received: number;
  fail(error: Error): void;
}

const sweepEveryMs = 500;

export class BodyRateGuard {
  readonly #bodies = new Set<WatchedBody>();
  readonly #minBytesPerSecond: number;
  readonly #graceMs: number;
  readonly #now: () => number;
  #timer: NodeJS.Timeout | undefined;

  /** `graceMs`: a body younger than this is never judged (a connection's first round trips are slow). */
  constructor(minBytesPerSecond: number, graceMs: number, now: () => number = Date.now) {
    this.#minBytesPerSecond = minBytesPerSecond;
    this.#graceMs = graceMs;
    this.#now = now;
  }

  watch(body: WatchedBody): void {
    this.#bodies.add(body);
    if (this.#timer === undefined) {
      this.#timer = setInterval(sweep, sweepEveryMs, this);
      this.#timer.unref();
    }
  }

  unwatch(body: WatchedBody): void {
    this.#bodies.delete(body);
    if (this.#bodies.size === 0 && this.#timer !== undefined) {
      clearInterval(this.#timer);
      this.#timer = undefined;
    }
  }

  /** Fails every body whose average rate since it started is under the minimum. */
  sweep(): void {
    const now = this.#now();
    for (const body of this.#bodies) {
      const elapsedMs = now - body.startedAt;
      if (elapsedMs < this.#graceMs) continue;
      if (body.received >= (this.#minBytesPerSecond * elapsedMs) / 1000) continue;
      const rate = Math.round((body.received * 1000) / elapsedMs);
      body.fail(new SwitchboardError('body_too_slow', `The request body arrived at ${rate} bytes/s, under the minimum of ${this.#minBytesPerSecond} bytes/s (server.bodyMinBytesPerSecond).`));
    }
  }
}

function sweep(guard: BodyRateGuard): void {
  guard.sweep();
}
