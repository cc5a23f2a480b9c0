/**
 * One label set of a prom-client Histogram, observed without prom-client's per-call work. Its
 * bound child (`labels(...)`) still copies the labels into a new object, validates them and builds
 * their hash string on every `observe`: a turn observes eight stages, so that was a few allocations
 * and two string builds per stage at a spike. This cell finds its value by a hash made once and adds
 * to it as prom-client's own observe does; the first observation (and any a reset left without its
 * value) goes through prom-client, which makes the value, and a prom-client without the fields this
 * relies on is used the ordinary way.
 */

import utilModule from 'prom-client/lib/util.js';
import type { Histogram } from './prom-client-core.js';

const { hashObject } = utilModule as { hashObject(labels: Record<string, string | number>, labelNames?: readonly string[]): string };

/** What prom-client 15's Histogram keeps per label set (lib/histogram.js). */
interface HistogramValue {
  sum: number;
  count: number;
  bucketValues: Record<number, number>;
}

interface HistogramInternals {
  hashMap: Record<string, HistogramValue | undefined>;
  upperBounds: readonly number[];
  sortedLabelNames: readonly string[];
}

function internalsOf(histogram: Histogram): HistogramInternals | undefined {
  const candidate = histogram as unknown as Partial<HistogramInternals>;
  return typeof candidate.hashMap === 'object' && candidate.hashMap !== null && Array.isArray(candidate.upperBounds) && Array.isArray(candidate.sortedLabelNames)
    ? (candidate as HistogramInternals)
    : undefined;
}

export class HistogramCell {
  readonly #child: ReturnType<Histogram['labels']>;
  readonly #internals: HistogramInternals | undefined;
  readonly #hash: string;
  /** The buckets' keys in `bucketValues` as strings, made once: a fractional bound used as a key is turned into its string on every lookup. */
  readonly #bucketKeys: readonly string[];

  constructor(histogram: Histogram, labels: Record<string, string>) {
    this.#child = histogram.labels(labels);
    this.#internals = internalsOf(histogram);
    this.#hash = this.#internals ? hashObject(labels, this.#internals.sortedLabelNames) : '';
    this.#bucketKeys = this.#internals ? this.#internals.upperBounds.map(String) : [];
  }

  observe(value: number): void {
    const internals = this.#internals;
    // A reset replaces the map: the value is looked up each time (one property read), never kept.
    const entry = internals?.hashMap[this.#hash];
    // Not finite: prom-client's observe throws its own error for it.
    if (entry === undefined || !Number.isFinite(value)) return this.#child.observe(value);
    entry.sum += value;
    entry.count += 1;
    const bounds = internals!.upperBounds;
    for (let index = 0; index < bounds.length; index++) {
      if (value <= bounds[index]!) {
        (entry.bucketValues as Record<string, number>)[this.#bucketKeys[index]!]! += 1;
        return;
      }
    }
  }
}
