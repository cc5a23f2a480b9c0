/** One attempt of a call on one instance: its abort wiring, first-token and total timers, and the bookkeeping when it ends. */

import type { InstanceState } from './instance-state.js';
import type { ModelPool } from './model-pool.js';
import type { ResponseStartListener } from './providers/chat-provider.js';
import { UpstreamError, isUpstreamError } from './upstream-error.js';
import { noopSpan, type Span } from '../telemetry/tracing.js';

/** How an attempt ended, for the breaker: `neutral` says nothing about the instance (the caller left, a 400). */
export type AttemptOutcome = 'ok' | 'failed' | 'neutral';

// Timer callbacks take the attempt as their argument, so no closure is made per attempt.
function onTotalTimeout(attempt: UpstreamAttempt): void {
  const { url } = attempt.instance;
  attempt.controller.abort(new UpstreamError('total-timeout', url, `no complete answer from ${url} within ${attempt.pool.config.timeouts.totalMs} ms`));
}

function onFirstTokenTimeout(attempt: UpstreamAttempt): void {
  const { url } = attempt.instance;
  attempt.controller.abort(new UpstreamError('first-token-timeout', url, `no first token from ${url} within ${attempt.pool.config.timeouts.firstTokenMs} ms`));
}

function onHeadersTimeout(attempt: UpstreamAttempt): void {
  const { url } = attempt.instance;
  const { headersMs, firstTokenMs } = attempt.pool.config.timeouts;
  attempt.controller.abort(new UpstreamError('first-token-timeout', url, `no response headers from ${url} within ${headersMs ?? firstTokenMs} ms`));
}

export class UpstreamAttempt implements ResponseStartListener {
  readonly pool: ModelPool;
  readonly instance: InstanceState;
  readonly controller = new AbortController();
  readonly startedAt: number;
  /** The model route the call is on, for the log. */
  readonly route: string;
  /** This attempt's HTTP client span, when the call is traced. */
  span: Span = noopSpan;
  readonly #parent: AbortSignal;
  readonly #probe: boolean;
  #totalTimer: NodeJS.Timeout | undefined;
  #firstTokenTimer: NodeJS.Timeout | undefined;
  #sawFirstToken = false;
  #ended = false;

  /**
   * Starts the attempt's clocks and counts it in flight. A streamed attempt's first timer waits for
   * the first token; a whole answer's waits for the response headers (`headersMs`, else
   * `firstTokenMs`), so a stalled instance costs one short deadline, not `totalMs`, before the next try.
   */
  constructor(pool: ModelPool, instance: InstanceState, parent: AbortSignal, now: number, streamed: boolean, route = '') {
    this.pool = pool;
    this.route = route;
    this.instance = instance;
    this.startedAt = now;
    this.#parent = parent;
    if (parent.aborted) this.controller.abort(parent.reason);
    else parent.addEventListener('abort', this, { once: true });
    const { totalMs, firstTokenMs, headersMs } = pool.config.timeouts;
    this.#totalTimer = setTimeout(onTotalTimeout, totalMs, this);
    this.#firstTokenTimer = streamed ? setTimeout(onFirstTokenTimeout, firstTokenMs, this) : setTimeout(onHeadersTimeout, headersMs ?? firstTokenMs, this);
    instance.onDispatch();
    pool.inFlight++;
    this.#probe = instance.breaker.onDispatch();
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** The caller went away: the upstream request goes too. (EventListener object form: no closure per attempt.) */
  handleEvent(): void {
    this.controller.abort(this.#parent.reason);
  }

  /** The response headers arrived: a whole answer is on its way, so only `totalMs` bounds it now. */
  responseStarted(): void {
    clearTimeout(this.#firstTokenTimer);
    this.#firstTokenTimer = undefined;
  }

  /** Records the first output; returns the time to it in milliseconds. */
  firstToken(now: number): number {
    clearTimeout(this.#firstTokenTimer);
    this.#firstTokenTimer = undefined;
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
    clearTimeout(this.#totalTimer);
    clearTimeout(this.#firstTokenTimer);
    this.#parent.removeEventListener('abort', this);
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
