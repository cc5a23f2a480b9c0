/**
 * The one AbortController of a request: aborted when the client leaves, or by a deadline armed on it
 * (the turn's), and keeping which of the two it was — the lifecycle answers a deadline with an error
 * and records a client that left as client_closed, so "the signal is aborted" alone is not enough.
 * Node 20's AbortSignal is costly to make and to listen on (an EventTarget each, listeners removed
 * by a scan); a turn used to make a second controller for its deadline and link it to this one.
 */

import type { TurnDeadline, TurnDeadlineSource } from '../agents/turn-deadline.js';

// The timer's callback takes the owner as its argument: no closure per request.
function onDeadline(owner: RequestAbort): void {
  owner.deadlineFired();
}

export class RequestAbort implements TurnDeadlineSource, TurnDeadline {
  readonly #controller = new AbortController();
  /** Plain fields: streams ask `clientGone` once or twice a token, and AbortSignal's getter checks its receiver each time. */
  #clientGone = false;
  #timedOut = false;
  #timer: NodeJS.Timeout | undefined;
  #timeoutMs = 0;

  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** True once the client left before its response ended (whatever aborted the signal first). */
  get clientGone(): boolean {
    return this.#clientGone;
  }

  /** TurnDeadline's name for it. */
  get callerLeft(): boolean {
    return this.#clientGone;
  }

  /** True when the armed deadline ran out before the client left. */
  get timedOut(): boolean {
    return this.#timedOut;
  }

  /** The client went away: everything waiting on the signal gives up. */
  clientLeft(reason: Error): void {
    this.#clientGone = true;
    this.#controller.abort(reason);
  }

  /** Arms a deadline on this signal; undefined when one is armed or the signal is aborted (the caller then links its own). */
  armDeadline(timeoutMs: number): TurnDeadline | undefined {
    if (this.#timer !== undefined || this.#controller.signal.aborted) return undefined;
    this.#timeoutMs = timeoutMs;
    this.#timer = setTimeout(onDeadline, timeoutMs, this);
    this.#timer.unref();
    return this;
  }

  /** The armed deadline ran out (called by its timer). */
  deadlineFired(): void {
    this.#timer = undefined;
    if (this.#controller.signal.aborted) return;
    this.#timedOut = true;
    this.#controller.abort(new DOMException(`timed out after ${this.#timeoutMs} ms`, 'TimeoutError'));
  }

  /** Disarms the deadline; a deadline that fired leaves the signal aborted, as a LinkedAbort's does. */
  dispose(): void {
    if (this.#timer === undefined) return;
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
