/**
 * A turn's deadline as the tool loop sees it: the signal its calls take, and why it fired. Either a
 * LinkedAbort (its own controller, linked to the caller's signal) or, when the request's owner can
 * arm one, a timer on the request's own signal — one AbortController per request instead of two.
 */

export interface TurnDeadline {
  /** Aborted when the caller leaves or the time runs out. */
  readonly signal: AbortSignal;
  /** True when the time ran out. */
  readonly timedOut: boolean;
  /** True when the caller left (its leaving, not the deadline, ended the turn). */
  readonly callerLeft: boolean;
  /** Clears the timer; the signal is no longer aborted by this deadline. */
  dispose(): void;
}

/** Arms a deadline on the request's own signal; undefined when it cannot (one is armed already, or the signal is aborted). */
export interface TurnDeadlineSource {
  armDeadline(timeoutMs: number): TurnDeadline | undefined;
}
