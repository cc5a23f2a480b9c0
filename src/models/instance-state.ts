/** The router's live view of one backend instance, shared by every balancing strategy. */

import { CircuitBreaker, type BreakerState, type CircuitBreakerOptions } from './circuit-breaker.js';
import type { ChatProvider } from './providers/chat-provider.js';

/** Weight of the newest sample in the plain moving averages. */
const ewmaAlpha = 0.2;
/** Time constant of the peak-EWMA decay: an idle instance's bad record fades over about this long. */
const peakDecayMs = 10_000;

export interface InstanceSettings {
  pool: string;
  /** What clients, metrics and replies see; the URL stays in logs. */
  name: string;
  url: string;
  /** Where the engine's Prometheus metrics are scraped from, when they are. */
  metricsUrl: string;
  /** Position in the pool, stable for the pool's life. */
  index: number;
  provider: ChatProvider;
  weight: number;
  maxConcurrency: number;
  breaker: CircuitBreakerOptions;
  /** Whether an engine's metrics are scraped; without them an instance is never saturated. */
  scraped: boolean;
  staleAfterMs: number;
  maxWaiting: number;
  maxKvCacheUsage: number;
  /** Peak-EWMA sample taken for a failed attempt: a failure counts as slow as the first-token limit. */
  failurePenaltyMs: number;
  onBreakerChange?: (state: BreakerState) => void;
}

export class InstanceState {
  readonly pool: string;
  readonly name: string;
  readonly url: string;
  readonly metricsUrl: string;
  readonly index: number;
  readonly weight: number;
  readonly maxConcurrency: number;
  readonly provider: ChatProvider;
  readonly breaker: CircuitBreaker;
  readonly scraped: boolean;
  readonly #staleAfterMs: number;
  readonly #maxWaiting: number;
  readonly #maxKvCacheUsage: number;
  readonly #failurePenaltyMs: number;

  /** Router-local: calls sent and not yet ended. */
  inFlight = 0;
  /** Calls sent without a first token yet. */
  awaitingFirstToken = 0;
  ewmaLatencyMs = 0;
  ewmaTtftMs = 0;
  completed = 0;
  failures = 0;
  /** Set from a backend's Retry-After: no call goes here before this time. */
  coolingUntil = 0;

  // Peak EWMA of the time to first output: jumps to a worse sample at once, decays towards better ones.
  #peakTtftMs = 0;
  #peakSampledAt = 0;

  // The latest scrape of the engine's metrics.
  waiting = 0;
  running = 0;
  kvCacheUsage = 0;
  scrapedAt = Number.NEGATIVE_INFINITY;
  #inFlightAtScrape = 0;
  /** Sequences the engine ran the last time it had a queue: its batch limit, learned rather than configured. */
  #learnedCapacity = Number.POSITIVE_INFINITY;

  constructor(settings: InstanceSettings) {
    this.pool = settings.pool;
    this.name = settings.name;
    this.url = settings.url;
    this.metricsUrl = settings.metricsUrl;
    this.index = settings.index;
    this.provider = settings.provider;
    this.weight = settings.weight;
    this.maxConcurrency = settings.maxConcurrency;
    this.breaker = new CircuitBreaker(settings.breaker, settings.onBreakerChange);
    this.scraped = settings.scraped;
    this.#staleAfterMs = settings.staleAfterMs;
    this.#maxWaiting = settings.maxWaiting;
    this.#maxKvCacheUsage = settings.maxKvCacheUsage;
    this.#failurePenaltyMs = settings.failurePenaltyMs;
  }

  get hasCapacity(): boolean {
    return this.inFlight < this.maxConcurrency;
  }

  /** Router-local load per unit of weight: what least-outstanding compares. */
  get load(): number {
    return this.inFlight / this.weight;
  }

  onDispatch(): void {
    this.inFlight++;
    this.awaitingFirstToken++;
  }

  onFirstToken(ttftMs: number, now: number): void {
    this.awaitingFirstToken--;
    this.ewmaTtftMs = this.ewmaTtftMs === 0 ? ttftMs : this.ewmaTtftMs + ewmaAlpha * (ttftMs - this.ewmaTtftMs);
    this.#observePeak(ttftMs, now);
  }

  /**
   * Called once per dispatch; `sawFirstToken` says whether onFirstToken already ran. A
   * neutral end (the caller left, a 400) says nothing about the instance and is not counted.
   */
  onEnd(latencyMs: number, outcome: 'ok' | 'failed' | 'neutral', sawFirstToken: boolean, now: number): void {
    this.inFlight--;
    if (!sawFirstToken) this.awaitingFirstToken--;
    if (outcome === 'ok') {
      this.completed++;
      this.ewmaLatencyMs = this.ewmaLatencyMs === 0 ? latencyMs : this.ewmaLatencyMs + ewmaAlpha * (latencyMs - this.ewmaLatencyMs);
    } else if (outcome === 'failed') {
      this.failures++;
      this.#observePeak(this.#failurePenaltyMs, now);
    }
  }

  /** The peak-EWMA cost of the time to first output, decayed for the time since the last sample. */
  peakTtftMs(now: number): number {
    if (this.#peakTtftMs === 0) return 0;
    return this.#peakTtftMs * Math.exp(-Math.max(0, now - this.#peakSampledAt) / peakDecayMs);
  }

  #observePeak(sampleMs: number, now: number): void {
    const current = this.peakTtftMs(now);
    if (sampleMs > current) {
      this.#peakTtftMs = sampleMs;
    } else {
      const weight = Math.exp(-Math.max(0, now - this.#peakSampledAt) / peakDecayMs);
      this.#peakTtftMs = current * weight + sampleMs * (1 - weight);
    }
    this.#peakSampledAt = now;
  }

  /** Records one scrape; the router's own dispatches since then correct the queue estimate until the next. */
  updateLoad(waiting: number, running: number, kvCacheUsage: number, now: number): void {
    this.waiting = waiting;
    this.running = running;
    this.kvCacheUsage = kvCacheUsage;
    this.scrapedAt = now;
    this.#inFlightAtScrape = this.inFlight;
    if (waiting > 0 && running > 0) this.#learnedCapacity = running;
  }

  isStale(now: number): boolean {
    return now - this.scrapedAt > this.#staleAfterMs;
  }

  /**
   * Requests waiting in the engine's queue now, as far as the router can tell between
   * scrapes: the scraped queue plus the calls this router sent since (net of those that
   * ended). With an empty queue, calls beyond the learned batch limit would queue too.
   */
  estimatedWaiting(): number {
    const sinceScrape = this.inFlight - this.#inFlightAtScrape;
    if (this.waiting > 0) return Math.max(0, this.waiting + sinceScrape);
    return Math.max(0, this.running + sinceScrape - this.#learnedCapacity);
  }

  /** Stale metrics count as saturated: an engine that cannot say how loaded it is gets no new calls while others can. */
  isSaturated(now: number): boolean {
    if (!this.scraped) return false;
    return this.isStale(now) || this.estimatedWaiting() > this.#maxWaiting || this.kvCacheUsage > this.#maxKvCacheUsage;
  }

  /** Whether the breaker and any Retry-After let a call through now (no capacity or saturation check). */
  isAvailable(now: number): boolean {
    return now >= this.coolingUntil && this.breaker.allowsCall(now);
  }
}
