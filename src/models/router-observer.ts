/** What the router tells whoever watches it (the metrics and the log, in the app): attempts, first tokens, breaker changes, retries, fallbacks. */

import type { BreakerState } from './circuit-breaker.js';
import type { UpstreamError } from './upstream-error.js';

/** An instance as the observer sees it: its name for metrics, its URL for the log. */
export interface ObservedInstance {
  readonly pool: string;
  readonly name: string;
  readonly url: string;
}

export interface RouterObserver {
  /** `instance` is the instance's name; `ok` is false only for the instance's own faults (a 4xx about the request or a caller that left is no upstream failure). */
  upstreamEnded(pool: string, instance: string, seconds: number, ok: boolean): void;
  firstToken(pool: string, seconds: number): void;
  /** Called for every instance (by name) at start (closed) and on each change. */
  breakerChanged(pool: string, instance: string, state: BreakerState): void;
  /** An attempt failed in a way that counts against the instance (not the caller leaving, not a 4xx about the request). */
  attemptFailed?(route: string, instance: ObservedInstance, error: unknown): void;
  /** Another attempt in the same pool follows a retryable failure. */
  retrying?(route: string, pool: string, error: UpstreamError): void;
  /** The call moves to the plan's next pool. */
  fellBack?(route: string, from: string, to: string): void;
}
