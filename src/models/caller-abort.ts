/**
 * What tells a model call that its caller gave up: an AbortSignal, or a request's own abort
 * (RequestAbort) heard without one. Node 20's AbortSignal is an EventTarget, costly to make and to
 * listen on, and a whole answer's request never needs one unless something waits on a Node API;
 * so the router and admission take either, hear it through `onCallerAbort`, and ask for a real
 * signal (`abortSignalOf`) only where an API needs one (a backoff sleep, a queued admission).
 */

/** Told once when the caller aborts (EventListener object form: no closure per listener). */
export interface CallerAbortListener {
  handleEvent(): void;
}

/** A caller's abort without an EventTarget: AbortSignal's `aborted` and `reason`, listeners by object. */
export interface CallerAbort {
  readonly aborted: boolean;
  readonly reason: unknown;
  /** An AbortSignal that follows this abort, made on first use. */
  readonly signal: AbortSignal;
  /** `listener.handleEvent()` is called once when this aborts; nothing happens when it has aborted already. */
  listen(listener: CallerAbortListener): void;
  unlisten(listener: CallerAbortListener): void;
}

export type CallerSignal = AbortSignal | CallerAbort;

/**
 * Set on the AbortSignal a CallerAbort makes for its `signal` (and aborts only itself, at the moment it
 * aborts): a listener on that signal is kept by the owner instead, so a streamed turn, whose calls take the
 * real signal, adds and removes no EventTarget listener per model call (Node 20's removal scans and is costly).
 */
export const signalOwner: unique symbol = Symbol('switchboard.signalOwner');

type OwnedSignal = AbortSignal & { [signalOwner]?: CallerAbort };

function isCallerAbort(signal: CallerSignal): signal is CallerAbort {
  return typeof (signal as Partial<CallerAbort>).listen === 'function';
}

/** Calls `listener.handleEvent()` once when the caller aborts. */
export function onCallerAbort(signal: CallerSignal, listener: CallerAbortListener): void {
  if (isCallerAbort(signal)) signal.listen(listener);
  else {
    const owner = (signal as OwnedSignal)[signalOwner];
    if (owner !== undefined) owner.listen(listener);
    else signal.addEventListener('abort', listener, { once: true });
  }
}

export function offCallerAbort(signal: CallerSignal, listener: CallerAbortListener): void {
  if (isCallerAbort(signal)) signal.unlisten(listener);
  else {
    const owner = (signal as OwnedSignal)[signalOwner];
    if (owner !== undefined) owner.unlisten(listener);
    else signal.removeEventListener('abort', listener);
  }
}

/** A real AbortSignal for an API that takes one. */
export function abortSignalOf(signal: CallerSignal): AbortSignal {
  return isCallerAbort(signal) ? signal.signal : signal;
}
