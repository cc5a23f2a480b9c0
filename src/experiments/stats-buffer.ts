/**
 * Statistics a process collected and has not yet added to the store, summed per (experiment,
 * variant, metric) and flushed every `flushMs`. Summing first is exact because the stored form is
 * additive; one write per statistic per flush keeps the store's load independent of the request
 * rate. A failed flush keeps what was not added and adds it with the next one.
 */

import type { IncompleteStatsError } from '../stores/experiment-input.js';
import type { ExperimentStore, StatIncrement } from '../stores/store-types.js';
import type { Logger } from '../telemetry/logger.js';

interface Accumulator {
  count: number;
  sum: number;
  sumSquares: number;
}

/** Past this many buffered statistics (a long store outage) new ones are dropped, and counted, rather than growing without bound. */
const maxBuffered = 50_000;

export class StatsBuffer {
  /** experiment → variant → metric → sums, so a hot-path add builds no key string. */
  #pending = new Map<string, Map<string, Map<string, Accumulator>>>();
  #size = 0;
  #dropped = 0;
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> | undefined;
  readonly #store: Pick<ExperimentStore, 'addStats'>;
  readonly #logger: Pick<Logger, 'warn'>;

  constructor(store: Pick<ExperimentStore, 'addStats'>, logger: Pick<Logger, 'warn'>) {
    this.#store = store;
    this.#logger = logger;
  }

  /** Adds one observation of `value`. */
  observe(experiment: string, variant: string, metric: string, value: number): void {
    this.add(experiment, variant, metric, 1, value, value * value);
  }

  add(experiment: string, variant: string, metric: string, count: number, sum: number, sumSquares: number): void {
    if (!Number.isFinite(sum) || !Number.isFinite(sumSquares)) return;
    let variants = this.#pending.get(experiment);
    if (!variants) this.#pending.set(experiment, (variants = new Map()));
    let metrics = variants.get(variant);
    if (!metrics) variants.set(variant, (metrics = new Map()));
    let accumulator = metrics.get(metric);
    if (!accumulator) {
      if (this.#size >= maxBuffered) {
        this.#dropped++;
        return;
      }
      metrics.set(metric, (accumulator = { count: 0, sum: 0, sumSquares: 0 }));
      this.#size++;
    }
    accumulator.count += count;
    accumulator.sum += sum;
    accumulator.sumSquares += sumSquares;
  }

  /** Statistics waiting for the next flush. */
  get size(): number {
    return this.#size;
  }

  start(flushMs: number): void {
    this.#timer ??= setInterval(() => void this.flush(), flushMs);
    this.#timer.unref();
  }

  /** Adds everything buffered to the store; resolves when done (failures are logged and kept for the next flush). */
  flush(): Promise<void> {
    // One flush at a time: a second waits for the first, then sends what arrived meanwhile.
    this.#flushing = (this.#flushing ?? Promise.resolve()).then(() => this.#flushOnce());
    return this.#flushing;
  }

  async #flushOnce(): Promise<void> {
    if (this.#size === 0) return;
    const increments: StatIncrement[] = [];
    for (const [experiment, variants] of this.#pending) {
      for (const [variant, metrics] of variants) {
        for (const [metric, { count, sum, sumSquares }] of metrics) increments.push({ experiment, variant, metric, count, sum, sumSquares });
      }
    }
    this.#pending = new Map();
    this.#size = 0;
    try {
      await this.#store.addStats(increments);
    } catch (error) {
      // By name rather than instanceof: a second copy of the store module must still be recognised.
      const retry = (error as { name?: unknown }).name === 'IncompleteStatsError' ? (error as IncompleteStatsError).failed : increments;
      for (const increment of retry) this.add(increment.experiment, increment.variant, increment.metric, increment.count, increment.sum, increment.sumSquares);
      this.#logger.warn({ err: (error as Error).message, kept: retry.length }, 'adding experiment statistics to the store failed; kept for the next flush');
    }
    if (this.#dropped > 0) {
      this.#logger.warn({ dropped: this.#dropped }, 'experiment statistics dropped: the buffer was full');
      this.#dropped = 0;
    }
  }

  /** Stops the timer and flushes what is left. */
  async close(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    await this.flush();
  }
}
