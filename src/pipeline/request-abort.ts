/**
 * The one abort of a request: aborted when the client leaves, or by a deadline armed on it
 * (the turn's), and keeping which of the two it was — the lifecycle answers a deadline with an error
 * and records a client that left as client_closed, so "aborted" alone is not enough.
 * Node 20's AbortSignal is costly to make and to listen on (an EventTarget each, listeners removed
 * by a scan): the AbortController is made only when something asks for `signal`; the router and
 * admission hear this object itself (CallerAbort), so a whole chat completion makes none.
 */

import type { TurnDeadline, TurnDeadlineSource } from '../agents/turn-deadline.js';
import { signalOwner, type CallerAbort, type CallerAbortListener } from '../models/caller-abort.js';

// The timer's callback takes the owner as its argument: no closure per request.
function onDeadline(owner: RequestAbort): void {
  owner.deadlineFired();
}

export class RequestAbort implements TurnDeadlineSource, TurnDeadline, CallerAbort {
  #controller: AbortController | undefined;
  /** Plain fields: streams ask `clientGone` once or twice a token, and AbortSignal's getter checks its receiver each time. */
  #clientGone = false;
  #timedOut = false;
  #aborted = false;
  #reason: unknown;
  /** Told once on abort; usually one (the upstream attempt in flight). */
  #listeners: CallerAbortListener[] | undefined;
  #timer: NodeJS.Timeout | undefined;
  #timeoutMs = 0;

  /** An AbortSignal that follows this abort, made on first use (an aborted one when it has aborted already). */
  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController();
      if (this.#aborted) this.#controller.abort(this.#reason);
      // Only #abort aborts it, and tells this object's listeners in the same call: listening here is listening there.
      (this.#controller.signal as AbortSignal & { [signalOwner]?: CallerAbort })[signalOwner] = this;
    }
    return this.#controller.signal;
  }

  get aborted(): boolean {
    return this.#aborted;
  }

  /** The first reason it aborted for, as the signal's `reason`. */
  get reason(): unknown {
    return this.#reason;
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

  listen(listener: CallerAbortListener): void {
    if (this.#aborted) return;
    (this.#listeners ??= []).push(listener);
  }

  unlisten(listener: CallerAbortListener): void {
    const listeners = this.#listeners;
    if (listeners === undefined) return;
    const index = listeners.lastIndexOf(listener);
    if (index !== -1) listeners.splice(index, 1);
  }

  /** The client went away: everything waiting on the signal gives up. */
  clientLeft(reason: Error): void {
    this.#clientGone = true;
    this.#abort(reason);
  }

  /** Arms a deadline on this signal; undefined when one is armed or the signal is aborted (the caller then links its own). */
  armDeadline(timeoutMs: number): TurnDeadline | undefined {
    if (this.#timer !== undefined || this.#aborted) return undefined;
    this.#timeoutMs = timeoutMs;
    this.#timer = setTimeout(onDeadline, timeoutMs, this);
    this.#timer.unref();
    return this;
  }

  /** The armed deadline ran out (called by its timer). */
  deadlineFired(): void {
    this.#timer = undefined;
    if (this.#aborted) return;
    this.#timedOut = true;
    this.#abort(new DOMException(`timed out after ${this.#timeoutMs} ms`, 'TimeoutError'));
  }

  /** Disarms the deadline; a deadline that fired leaves the signal aborted, as a LinkedAbort's does. */
  dispose(): void {
    if (this.#timer === undefined) return;
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #abort(reason: unknown): void {
    if (this.#aborted) return;
    this.#aborted = true;
    this.#reason = reason;
    const listeners = this.#listeners;
    this.#listeners = undefined;
    this.#controller?.abort(reason);
    if (listeners !== undefined) for (const listener of listeners) listener.handleEvent();
  }
}
