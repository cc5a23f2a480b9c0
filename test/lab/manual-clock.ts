/** Test helper: an engine clock whose time moves only when the test says, firing due timers in order. */

import type { EngineClock } from '../../src/lab/simulated-engine.js';

export class ManualClock implements EngineClock {
  time = 0;
  private nextHandle = 1;
  private readonly timers = new Map<number, { at: number; callback: () => void }>();
  timersSet = 0;

  now(): number {
    return this.time;
  }

  setTimer(callback: () => void, delayMs: number): unknown {
    const handle = this.nextHandle++;
    this.timersSet++;
    this.timers.set(handle, { at: this.time + delayMs, callback });
    return handle;
  }

  clearTimer(handle: unknown): void {
    this.timers.delete(handle as number);
  }

  get pendingTimers(): number {
    return this.timers.size;
  }

  advanceTo(target: number): void {
    for (;;) {
      let nextHandle: number | undefined;
      let nextAt = Infinity;
      for (const [handle, timer] of this.timers) {
        if (timer.at < nextAt) {
          nextAt = timer.at;
          nextHandle = handle;
        }
      }
      if (nextHandle === undefined || nextAt > target) break;
      const timer = this.timers.get(nextHandle)!;
      this.timers.delete(nextHandle);
      this.time = Math.max(this.time, timer.at);
      timer.callback();
    }
    this.time = target;
  }
}

