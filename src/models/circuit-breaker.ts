/** A circuit breaker per instance: failure rate over a sliding time window, open, half-open probes, closed. */

/** The numbers are the values of `switchboard_upstream_breaker_state`. */
export const BreakerState = { closed: 0, halfOpen: 1, open: 2 } as const;
export type BreakerState = (typeof BreakerState)[keyof typeof BreakerState];

export interface CircuitBreakerOptions {
  /** Share of failures in the window, in (0, 1], that opens the breaker... */
  failureRate: number;
  /** ...once the window holds at least this many calls. */
  minimumCalls: number;
  windowMs: number;
  /** How long the breaker stays open before it lets probes through. */
  openMs: number;
  /** Probes allowed at once while half-open. */
  halfOpenProbes: number;
}

/** The window is this many buckets, so it slides in steps of a tenth of its length without keeping every call. */
const bucketCount = 10;

export class CircuitBreaker {
  readonly #options: CircuitBreakerOptions;
  readonly #bucketMs: number;
  readonly #onChange: (state: BreakerState) => void;
  readonly #bucketStart = new Float64Array(bucketCount).fill(Number.NEGATIVE_INFINITY);
  readonly #successes = new Uint32Array(bucketCount);
  readonly #failures = new Uint32Array(bucketCount);
  #state: BreakerState = BreakerState.closed;
  #openedAt = 0;
  #probesInFlight = 0;

  constructor(options: CircuitBreakerOptions, onChange: (state: BreakerState) => void = () => {}) {
    this.#options = options;
    this.#bucketMs = Math.max(1, options.windowMs / bucketCount);
    this.#onChange = onChange;
  }

  /** The state as last decided; an open breaker whose time is up turns half-open at the next `allowsCall`. */
  get state(): BreakerState {
    return this.#state;
  }

  /** Whether a call may go to the instance now. Has no side effect but the open → half-open move when the open time is over. */
  allowsCall(now: number): boolean {
    if (this.#state === BreakerState.closed) return true;
    if (this.#state === BreakerState.open) {
      if (now - this.#openedAt < this.#options.openMs) return false;
      this.#probesInFlight = 0;
      this.#transition(BreakerState.halfOpen);
    }
    return this.#probesInFlight < this.#options.halfOpenProbes;
  }

  /**
   * Called when a call is sent; returns whether it is a probe. Only probes decide a
   * half-open breaker's fate: a call sent before the breaker opened proves nothing now.
   */
  onDispatch(): boolean {
    if (this.#state !== BreakerState.halfOpen) return false;
    this.#probesInFlight++;
    return true;
  }

  onSuccess(now: number, probe: boolean): void {
    if (this.#state === BreakerState.halfOpen) {
      if (!probe) return;
      this.#probesInFlight--;
      this.#reset();
      this.#transition(BreakerState.closed);
      return;
    }
    if (this.#state === BreakerState.closed) this.#successes[this.#bucket(now)]!++;
  }

  onFailure(now: number, probe: boolean): void {
    if (this.#state === BreakerState.halfOpen) {
      if (!probe) return;
      this.#probesInFlight--;
      this.#open(now);
      return;
    }
    if (this.#state !== BreakerState.closed) return;
    this.#failures[this.#bucket(now)]!++;
    let calls = 0;
    let failures = 0;
    const oldest = now - this.#options.windowMs;
    for (let index = 0; index < bucketCount; index++) {
      if (this.#bucketStart[index]! <= oldest) continue;
      calls += this.#successes[index]! + this.#failures[index]!;
      failures += this.#failures[index]!;
    }
    if (calls >= this.#options.minimumCalls && failures >= this.#options.failureRate * calls) this.#open(now);
  }

  /** A call that proves nothing about the instance (the caller went away, a 400): only frees a probe slot. */
  onNeutral(probe: boolean): void {
    if (probe && this.#state === BreakerState.halfOpen) this.#probesInFlight--;
  }

  /** Successes and failures out of the window's reach are forgotten as their bucket is reused. */
  #bucket(now: number): number {
    const slot = Math.floor(now / this.#bucketMs);
    const index = ((slot % bucketCount) + bucketCount) % bucketCount;
    const start = slot * this.#bucketMs;
    if (this.#bucketStart[index] !== start) {
      this.#bucketStart[index] = start;
      this.#successes[index] = 0;
      this.#failures[index] = 0;
    }
    return index;
  }

  #open(now: number): void {
    this.#openedAt = now;
    this.#reset();
    this.#transition(BreakerState.open);
  }

  #reset(): void {
    this.#bucketStart.fill(Number.NEGATIVE_INFINITY);
    this.#successes.fill(0);
    this.#failures.fill(0);
  }

  #transition(state: BreakerState): void {
    if (this.#state === state) return;
    this.#state = state;
    this.#onChange(state);
  }
}
