/** The three ways a load run sends requests: a closed loop, an open loop on a schedule, and a spike. */

import { exponentialDraw, SeededRandom } from '../stats/seeded-random.js';

/** What a loop needs from the run: when it may send, how to send one, and the run's clock. */
export interface LoopDriver {
  /** Milliseconds since the run's origin. */
  now(): number;
  /** Whether a request due at `atMs` may still be sent (the run is not stopped, limits not reached). */
  maySendAt(atMs: number): boolean;
  /** Sends one request; the promise settles when it is recorded and never rejects. */
  send(): Promise<void>;
}

/** Counts requests under way and resolves once every one has finished and sending is over. */
export class Outstanding {
  private count = 0;
  private sending = true;
  private resolveDrained: () => void = () => {};
  readonly drained = new Promise<void>((resolve) => (this.resolveDrained = resolve));

  track(request: Promise<void>): void {
    this.count++;
    void request.finally(() => {
      this.count--;
      if (!this.sending && this.count === 0) this.resolveDrained();
    });
  }

  sendingDone(): void {
    this.sending = false;
    if (this.count === 0) this.resolveDrained();
  }
}

/** Keeps `concurrency` requests in flight: each virtual user sends again as soon as its reply is in. */
export async function runClosedLoop(driver: LoopDriver, concurrency: number): Promise<void> {
  const user = async (): Promise<void> => {
    while (driver.maySendAt(driver.now())) await driver.send();
  };
  await Promise.all(Array.from({ length: concurrency }, user));
}

/** Sends `count` requests in one tick, so the server sees the whole spike together, then waits for all. */
export async function runSpike(driver: LoopDriver, count: number): Promise<void> {
  const outstanding = new Outstanding();
  for (let index = 0; index < count && driver.maySendAt(0); index++) outstanding.track(driver.send());
  outstanding.sendingDone();
  await outstanding.drained;
}

export interface OpenLoopSchedule {
  rate: number;
  poisson?: boolean;
  seed: number;
}

/**
 * Sends on a schedule without waiting for replies: evenly spaced, or with exponential gaps
 * (Poisson arrivals). A late timer catches up by sending everything already due, so the
 * achieved rate holds even when the event loop is busy. `onWakeable` receives a function
 * that ends the schedule at once (the run's hard stop).
 */
export async function runOpenLoop(driver: LoopDriver, schedule: OpenLoopSchedule, onWakeable: (stop: () => void) => void): Promise<void> {
  const random = new SeededRandom(schedule.seed);
  const meanGapMs = 1000 / schedule.rate;
  const nextGap = schedule.poisson ? () => exponentialDraw(random, meanGapMs) : () => meanGapMs;
  const outstanding = new Outstanding();
  await new Promise<void>((resolve) => {
    let nextAtMs = 0;
    let timer: NodeJS.Timeout | undefined;
    let finished = false;
    const finish = (): void => {
      if (finished) return;
      finished = true;
      if (timer) clearTimeout(timer);
      resolve();
    };
    onWakeable(finish);
    const tick = (): void => {
      const current = driver.now();
      while (nextAtMs <= current && driver.maySendAt(nextAtMs)) {
        outstanding.track(driver.send());
        nextAtMs += nextGap();
      }
      if (!driver.maySendAt(nextAtMs)) {
        finish();
        return;
      }
      timer = setTimeout(tick, Math.max(0, nextAtMs - driver.now()));
    };
    tick();
  });
  outstanding.sendingDone();
  await outstanding.drained;
}
