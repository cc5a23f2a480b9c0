/**
 * One label set of a prom-client Counter, counted without prom-client's per-call work: its bound
 * child validates the labels and builds their hash string on every `inc` (a request counts itself
 * once, a turn and its tokens a few times more). Same approach as HistogramCell: the value is found
 * by a hash made once; the first count, and any a reset left without its value, goes through
 * prom-client; a prom-client without the fields this relies on is used the ordinary way.
 */

import utilModule from 'prom-client/lib/util.js';
import type { Counter } from './prom-client-core.js';

const { hashObject } = utilModule as { hashObject(labels: Record<string, string | number>, labelNames?: readonly string[]): string };

interface CounterInternals {
  hashMap: Record<string, { value: number } | undefined>;
  sortedLabelNames: readonly string[];
}

export class CounterCell {
  readonly #child: ReturnType<Counter['labels']>;
  readonly #internals: CounterInternals | undefined;
  readonly #hash: string;

  constructor(counter: Counter, labels: Record<string, string>) {
    this.#child = counter.labels(labels);
    const candidate = counter as unknown as Partial<CounterInternals>;
    this.#internals = typeof candidate.hashMap === 'object' && candidate.hashMap !== null && Array.isArray(candidate.sortedLabelNames) ? (candidate as CounterInternals) : undefined;
    this.#hash = this.#internals ? hashObject(labels, this.#internals.sortedLabelNames) : '';
  }

  inc(value = 1): void {
    const entry = this.#internals?.hashMap[this.#hash];
    // Not a finite count of zero or more: prom-client's inc throws its own error for it.
    if (entry === undefined || !(Number.isFinite(value) && value >= 0)) return this.#child.inc(value);
    entry.value += value;
  }
}
