/**
 * An abort signal that fires when a parent does or after `timeoutMs`, whichever is first; `dispose()` clears both.
 * One AbortController and a timer: cheaper than AbortSignal.timeout + AbortSignal.any, which in Node 20 build
 * transferable signals and keep listeners until collected — this runs once per turn and once per tool call.
 */

import type { TurnDeadline } from './turn-deadline.js';

export class LinkedAbort implements TurnDeadline {
  readonly #controller = new AbortController();
  readonly #parent: AbortSignal;
  readonly #timer: NodeJS.Timeout;
  readonly #onParentAbort = () => this.#controller.abort(this.#parent.reason);
  #timedOut = false;

  constructor(parent: AbortSignal, timeoutMs: number) {
    this.#parent = parent;
    if (parent.aborted) this.#controller.abort(parent.reason);
    else parent.addEventListener('abort', this.#onParentAbort, { once: true });
    this.#timer = setTimeout(() => {
      this.#timedOut = true;
      this.#controller.abort(new DOMException(`timed out after ${timeoutMs} ms`, 'TimeoutError'));
    }, timeoutMs);
    this.#timer.unref();
  }

  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** True when the time ran out (not the parent). */
  get timedOut(): boolean {
    return this.#timedOut;
  }

  /** True when the parent aborted (the caller left), whether or not the time ran out too. */
  get callerLeft(): boolean {
    return this.#parent.aborted;
  }

  dispose(): void {
    clearTimeout(this.#timer);
    this.#parent.removeEventListener('abort', this.#onParentAbort);
  }
}
