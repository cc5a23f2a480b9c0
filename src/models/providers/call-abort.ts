/**
 * What can abort one upstream call: the caller's `AbortSignal`, or the router's attempt itself
 * (upstream-attempt.ts), which aborts the call's dispatch handler directly so that no
 * AbortController, AbortSignal or listener is made per attempt.
 */

/** The call an attempt aborts: an undici dispatch handler (upstream-handler.ts). */
export interface AbortableCall {
  /** The attempt was aborted: the call fails with `reason` mapped as for a signal's (see abortError). */
  handleEvent(): void;
}

/** An attempt as its call sees it: the same `aborted` and `reason` an AbortSignal has, and one call watched at a time. */
export interface AttemptAbort {
  readonly aborted: boolean;
  readonly reason: unknown;
  /** From now on an abort of the attempt calls `call.handleEvent()`. */
  watch(call: AbortableCall): void;
  /** The call is over: it hears nothing more. */
  unwatch(call: AbortableCall): void;
}

export type CallAbort = AbortSignal | AttemptAbort;

/** What the failure mapping reads of either kind. */
export interface AbortState {
  readonly aborted: boolean;
  readonly reason: unknown;
}

export function isAttemptAbort(abort: CallAbort): abort is AttemptAbort {
  return typeof (abort as Partial<AttemptAbort>).watch === 'function';
}
