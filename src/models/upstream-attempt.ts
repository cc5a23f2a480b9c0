/**
 * One attempt of a call on one instance: its abort wiring, first-token and total timers, and the
 * bookkeeping when it ends. Aborting an attempt (a timer, the stream relay, the caller leaving)
 * aborts its call's dispatch handler directly (call-abort.ts): no AbortController, AbortSignal or
 * listener of its own, only the one on the request's signal. An AbortSignal is made only when a
 * provider that cannot take the attempt asks for `signal`.
 */

import { offCallerAbort, onCallerAbort, type CallerSignal } from './caller-abort.js';
import type { InstanceState } from './instance-state.js';
import type { ModelPool } from './model-pool.js';
import type { AbortableCall, AttemptAbort } from './providers/call-abort.js';
import type { ResponseStartListener } from './providers/chat-provider.js';
import { UpstreamError, isUpstreamError } from './upstream-error.js';
import { noopSpan, type Span } from '../telemetry/tracing.js';

/** How an attempt ended, for the breaker: `neutral` says nothing about the instance (the caller left, a 400). */
export type AttemptOutcome = 'ok' | 'failed' | 'neutral';

// Timer callbacks take the attempt as their argument, so no closure is made per attempt.
function onTotalTimeout(attempt: UpstreamAttempt): void {
  const { url } = attempt.instance;
  attempt.abort(new UpstreamError('total-timeout', url, `no complete answer from ${url} within ${attempt.pool.config.timeouts.totalMs} ms`));
}

function onFirstTokenTimeout(attempt: UpstreamAttempt): void {
  if (attempt.firstDeadlinePassed()) return;
  const { url } = attempt.instance;
  attempt.abort(new UpstreamError('first-token-timeout', url, `no first token from ${url} within ${attempt.pool.config.timeouts.firstTokenMs} ms`));
}

function onHeadersTimeout(attempt: UpstreamAttempt): void {
  if (attempt.firstDeadlinePassed()) return;
  const { url } = attempt.instance;
  const { headersMs, firstTokenMs } = attempt.pool.config.timeouts;
  attempt.abort(new UpstreamError('first-token-timeout', url, `no response headers from ${url} within ${headersMs ?? firstTokenMs} ms`));
}

export class UpstreamAttempt implements ResponseStartListener, AttemptAbort {
  readonly pool: ModelPool;
  readonly instance: InstanceState;
  readonly startedAt: number;
  /** The model route the call is on, for the log. */
  readonly route: string;
  /** This attempt's HTTP client span, when the call is traced. */
  span: Span = noopSpan;
  readonly #parent: CallerSignal;
  readonly #probe: boolean;
  /**
   * One timer per attempt: first the shorter first deadline (first token, or a whole answer's
   * headers); if that was met when it fires, it is set again for the rest of `totalMs`.
   */
  #timer: NodeJS.Timeout | undefined;
  /** Still waiting for the first deadline's event (first token or headers). */
  #waitingFirst = false;
  /** What is left of `totalMs` once the first deadline has passed. */
  #restMs = 0;
  #sawFirstToken = false;
  #ended = false;
  #aborted = false;
  #reason: unknown;
  /** The call this attempt aborts, while it runs. */
  #call: AbortableCall | undefined;
  /** Made only for a provider that takes an AbortSignal (see `signal`). */
  #controller: AbortController | undefined;

  /**
   * Starts the attempt's clocks and counts it in flight. A streamed attempt's first timer waits for
   * the first token; a whole answer's waits for the response headers (`headersMs`, else
   * `firstTokenMs`), so a stalled instance costs one short deadline, not `totalMs`, before the next try.
   */
  constructor(pool: ModelPool, instance: InstanceState, parent: CallerSignal, now: number, streamed: boolean, route = '') {
    this.pool = pool;
    this.route = route;
    this.instance = instance;
    this.startedAt = now;
    this.#parent = parent;
    if (parent.aborted) this.abort(parent.reason);
    else onCallerAbort(parent, this);
    const { totalMs, firstTokenMs, headersMs } = pool.config.timeouts;
    const firstMs = streamed ? firstTokenMs : (headersMs ?? firstTokenMs);
    if (firstMs < totalMs) {
      this.#waitingFirst = true;
      this.#restMs = totalMs - firstMs;
      this.#timer = setTimeout(streamed ? onFirstTokenTimeout : onHeadersTimeout, firstMs, this);
    } else {
      // The total deadline comes first (or with it): it is the one that fires.
      this.#timer = setTimeout(onTotalTimeout, totalMs, this);
    }
    instance.onDispatch();
    pool.inFlight++;
    this.#probe = instance.breaker.onDispatch();
  }

  get aborted(): boolean {
    return this.#aborted;
  }

  /** Why the attempt was aborted: the router's `UpstreamError` for a deadline, else the caller's reason. */
  get reason(): unknown {
    return this.#reason;
  }

  /** An AbortSignal that follows this attempt, made on first use: for providers that do not take the attempt itself. */
  get signal(): AbortSignal {
    if (!this.#controller) {
      this.#controller = new AbortController();
      if (this.#aborted) this.#controller.abort(this.#reason);
    }
    return this.#controller.signal;
  }

  watch(call: AbortableCall): void {
    this.#call = call;
  }

  unwatch(call: AbortableCall): void {
    if (this.#call === call) this.#call = undefined;
  }

  /** Aborts this attempt (once) and the call it watches; the request, and any later attempt, go on. */
  abort(reason: unknown): void {
    if (this.#aborted) return;
    this.#aborted = true;
    this.#reason = reason;
    const call = this.#call;
    this.#call = undefined;
    call?.handleEvent();
    this.#controller?.abort(reason);
  }

  /** The caller went away: the upstream request goes too. (EventListener object form: no closure per attempt.) */
  handleEvent(): void {
    this.abort(this.#parent.reason);
  }

  /**
   * The first deadline's timer fired: true when its event came in time, and the timer is then set
   * again for the rest of `totalMs`; false when the attempt is to fail. (Called by the timer only.)
   */
  firstDeadlinePassed(): boolean {
    if (this.#ended) return true;
    if (this.#waitingFirst) return false;
    this.#timer = setTimeout(onTotalTimeout, this.#restMs, this);
    return true;
  }

  /** The response headers arrived: a whole answer is on its way, so only `totalMs` bounds it now. */
  responseStarted(): void {
    this.#waitingFirst = false;
  }

  /** Records the first output; returns the time to it in milliseconds. */
  firstToken(now: number): number {
    this.#waitingFirst = false;
    this.#sawFirstToken = true;
    const ttftMs = now - this.startedAt;
    this.instance.onFirstToken(ttftMs, now);
    return ttftMs;
  }

  /** Ends the attempt once; returns its duration in milliseconds, or undefined when it had ended already. */
  end(outcome: AttemptOutcome, now: number): number | undefined {
    if (this.#ended) return undefined;
    const elapsedMs = now - this.startedAt;
    this.#ended = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    offCallerAbort(this.#parent, this);
    this.instance.onEnd(elapsedMs, outcome, this.#sawFirstToken, now);
    this.pool.inFlight--;
    const breaker = this.instance.breaker;
    if (outcome === 'ok') breaker.onSuccess(now, this.#probe);
    else if (outcome === 'failed') breaker.onFailure(now, this.#probe);
    else breaker.onNeutral(this.#probe);
    return elapsedMs;
  }

  /** What a failure says about the instance: only its own faults count, not the caller leaving. */
  outcomeOf(error: unknown): AttemptOutcome {
    if (this.#parent.aborted) return 'neutral';
    if (isUpstreamError(error)) return error.instanceFault ? 'failed' : 'neutral';
    return 'failed';
  }
}
