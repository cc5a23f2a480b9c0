/** What the router tells whoever watches it (the metrics, in the app): attempts, first tokens, breaker changes. */

import type { BreakerState } from './circuit-breaker.js';

export interface RouterObserver {
  /** `ok` is false only for the instance's own faults: a 4xx about the request or a caller that left is no upstream failure. */
  upstreamEnded(pool: string, instance: string, seconds: number, ok: boolean): void;
  firstToken(pool: string, seconds: number): void;
  /** Called for every instance at start (closed) and on each change. */
  breakerChanged(pool: string, instance: string, state: BreakerState): void;
}
