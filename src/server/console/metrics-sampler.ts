/**
 * Samples the runtime's own Prometheus metrics once a second while the console is watched, so
 * the console shows the numbers `/metrics` exposes: request and rejection rates, in flight,
 * queued, upstream latency and TTFT histograms, failures, tokens and cost. It starts on the first
 * read and stops after a minute without one, so an unwatched process does no work for it.
 */

import type { Metrics } from '../../telemetry/metrics.js';

export interface HistogramReading {
  /** Upper bounds, ascending, +Inf last. */
  bounds: number[];
  /** Cumulative counts per bound. */
  cumulative: number[];
}

export interface MetricsSample {
  at: number;
  /** Answered on the serving routes (turns and completions), every status. */
  requests: number;
  inflight: number;
  queued: number;
  rejections: number;
  /** By `pool\0instance`. */
  upstream: Map<string, HistogramReading>;
  failures: Map<string, number>;
  /** By pool. */
  ttft: Map<string, HistogramReading>;
  /** By `tenant\0pool`. */
  tokens: Map<string, number>;
  cost: Map<string, number>;
}

interface MetricValue {
  value: number;
  labels: Partial<Record<string, string | number>>;
  metricName?: string;
}

const separator = '\u0000';

function sumValues(values: readonly MetricValue[], keep: (labels: MetricValue['labels']) => boolean = () => true): number {
  let total = 0;
  for (const value of values) if (keep(value.labels)) total += value.value;
  return total;
}

function byLabels(values: readonly MetricValue[], names: readonly string[]): Map<string, number> {
  const totals = new Map<string, number>();
  for (const value of values) {
    const key = names.map((name) => String(value.labels[name])).join(separator);
    totals.set(key, (totals.get(key) ?? 0) + value.value);
  }
  return totals;
}

function histograms(values: readonly MetricValue[], names: readonly string[]): Map<string, HistogramReading> {
  const readings = new Map<string, HistogramReading>();
  for (const value of values) {
    if (!value.metricName?.endsWith('_bucket')) continue;
    const key = names.map((name) => String(value.labels[name])).join(separator);
    let reading = readings.get(key);
    if (!reading) readings.set(key, (reading = { bounds: [], cumulative: [] }));
    const bound = value.labels.le === '+Inf' ? Number.POSITIVE_INFINITY : Number(value.labels.le);
    reading.bounds.push(bound);
    reading.cumulative.push(value.value);
  }
  return readings;
}

export class MetricsSampler {
  readonly #metrics: Metrics;
  readonly #servingRoutes: ReadonlySet<string>;
  readonly #queued: () => number;
  readonly #intervalMs: number;
  readonly #capacity: number;
  readonly #now: () => number;
  readonly #samples: MetricsSample[] = [];
  #timer: NodeJS.Timeout | undefined;
  #lastRead = 0;
  #sampling: Promise<void> | undefined;

  constructor(metrics: Metrics, options: { servingRoutes: Iterable<string>; queued: () => number; intervalMs?: number; capacity?: number; now?: () => number }) {
    this.#metrics = metrics;
    this.#servingRoutes = new Set(options.servingRoutes);
    this.#queued = options.queued;
    this.#intervalMs = options.intervalMs ?? 1000;
    this.#capacity = options.capacity ?? 300;
    this.#now = options.now ?? Date.now;
  }

  get intervalMs(): number {
    return this.#intervalMs;
  }

  /** The samples kept, oldest first; takes one now when none is newer than the interval, and keeps sampling while read. */
  async samples(): Promise<readonly MetricsSample[]> {
    const now = this.#now();
    this.#lastRead = now;
    const newest = this.#samples[this.#samples.length - 1];
    if (!newest || now - newest.at >= this.#intervalMs) await this.#sampleOnce();
    if (!this.#timer) {
      this.#timer = setInterval(() => {
        if (this.#now() - this.#lastRead > 60_000) this.stop();
        else void this.#sampleOnce();
      }, this.#intervalMs);
      this.#timer.unref();
    }
    return this.#samples;
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** One sample at a time: a read and the timer arriving together take one. */
  #sampleOnce(): Promise<void> {
    this.#sampling ??= this.#take().finally(() => (this.#sampling = undefined));
    return this.#sampling;
  }

  async #take(): Promise<void> {
    const metrics = this.#metrics;
    const [requests, inflight, rejections, upstream, failures, ttft, tokens, cost] = await Promise.all([
      metrics.requests.get(),
      metrics.inflight.get(),
      metrics.admissionRejections.get(),
      metrics.upstreamDuration.get(),
      metrics.upstreamFailures.get(),
      metrics.upstreamTtft.get(),
      metrics.tokens.get(),
      metrics.costUsd.get(),
    ]);
    this.#samples.push({
      at: this.#now(),
      requests: sumValues(requests.values, (labels) => this.#servingRoutes.has(String(labels.route))),
      inflight: sumValues(inflight.values),
      queued: this.#queued(),
      rejections: sumValues(rejections.values),
      upstream: histograms(upstream.values, ['pool', 'instance']),
      failures: byLabels(failures.values, ['pool', 'instance']),
      ttft: histograms(ttft.values, ['pool']),
      tokens: byLabels(tokens.values, ['tenant', 'pool']),
      cost: byLabels(cost.values, ['tenant', 'pool']),
    });
    if (this.#samples.length > this.#capacity) this.#samples.shift();
  }
}

export function labelKey(...parts: string[]): string {
  return parts.join(separator);
}

export function splitLabelKey(key: string): string[] {
  return key.split(separator);
}
