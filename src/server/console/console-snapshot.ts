/**
 * What the console page polls (`GET /v1/admin/console`): live load, pools and instances, routes
 * and rules, usage and cost over time, recent turns and experiments — read from the runtime's
 * own metrics (through the sampler), the router's instance state and the store, never counted twice.
 */

import type { RouteConfig, SwitchboardConfig } from '../../config/config-schema.js';
import type { ExperimentEngine } from '../../experiments/experiment-engine.js';
import type { ModelPool } from '../../models/model-pool.js';
import { histogramQuantile } from '../../stats/histogram-quantile.js';
import { labelKey, splitLabelKey, type HistogramReading, type MetricsSample, type MetricsSampler } from './metrics-sampler.js';
import type { RecentTurns } from './recent-turns.js';

/** Latency percentiles are over the samples of about this long. */
const percentileWindowMs = 60_000;
const breakerNames = ['closed', 'half-open', 'open'] as const;

export interface ConsoleSources {
  readonly sampler: MetricsSampler;
  readonly recentTurns: RecentTurns;
  readonly generation: number;
  readonly routes: SwitchboardConfig['routes'];
  readonly pools: ReadonlyMap<string, ModelPool>;
  readonly experiments: Pick<ExperimentEngine, 'list' | 'describe'>;
}

function round(value: number, digits = 3): number | null {
  if (!Number.isFinite(value)) return null;
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

/** The observations between two readings of one histogram (the whole of `newer` without an older one). */
function windowOf(newer: HistogramReading | undefined, older: HistogramReading | undefined): HistogramReading | undefined {
  if (!newer) return undefined;
  if (!older || older.cumulative.length !== newer.cumulative.length) return newer;
  return { bounds: newer.bounds, cumulative: newer.cumulative.map((count, index) => count - older.cumulative[index]!) };
}

function percentilesMs(reading: HistogramReading | undefined): { p50: number | null; p95: number | null; count: number } {
  if (!reading) return { p50: null, p95: null, count: 0 };
  const count = reading.cumulative[reading.cumulative.length - 1] ?? 0;
  return { p50: round(histogramQuantile(0.5, reading.bounds, reading.cumulative) * 1000, 1), p95: round(histogramQuantile(0.95, reading.bounds, reading.cumulative) * 1000, 1), count };
}

/** Per-second rates between neighbouring samples, one per sample after the first. */
function rates(samples: readonly MetricsSample[], read: (sample: MetricsSample) => number): number[] {
  const values: number[] = [];
  for (let index = 1; index < samples.length; index++) {
    const seconds = (samples[index]!.at - samples[index - 1]!.at) / 1000;
    values.push(round(seconds > 0 ? Math.max(0, read(samples[index]!) - read(samples[index - 1]!)) / seconds : 0, 2)!);
  }
  return values;
}

function loadView(samples: readonly MetricsSample[]) {
  const newest = samples[samples.length - 1]!;
  const rps = rates(samples, (sample) => sample.requests);
  const rejections = rates(samples, (sample) => sample.rejections);
  return {
    series: {
      t: samples.slice(1).map((sample) => sample.at / 1000),
      requests_per_s: rps,
      in_flight: samples.slice(1).map((sample) => sample.inflight),
      queued: samples.slice(1).map((sample) => sample.queued),
      rejections_per_s: rejections,
    },
    now: {
      requests_per_s: rps[rps.length - 1] ?? 0,
      in_flight: newest.inflight,
      queued: newest.queued,
      rejections_per_s: rejections[rejections.length - 1] ?? 0,
      requests_total: newest.requests,
      rejections_total: newest.rejections,
    },
  };
}

function poolsView(pools: ReadonlyMap<string, ModelPool>, newest: MetricsSample, base: MetricsSample | undefined) {
  const now = Date.now();
  return [...pools.values()].map((pool) => ({
    name: pool.name,
    model: pool.config.model,
    balancer: pool.config.balancer,
    engine: pool.config.engine,
    in_flight: pool.inFlight,
    ttft_ms: percentilesMs(windowOf(newest.ttft.get(pool.name), base?.ttft.get(pool.name))),
    instances: pool.instances.map((instance) => {
      const key = labelKey(pool.name, instance.url);
      const failures = newest.failures.get(key) ?? 0;
      return {
        index: instance.index,
        url: instance.url,
        in_flight: instance.inFlight,
        completed: instance.completed,
        failures,
        failures_in_window: failures - (base?.failures.get(key) ?? 0),
        breaker: breakerNames[instance.breaker.state],
        latency_ms: percentilesMs(windowOf(newest.upstream.get(key), base?.upstream.get(key))),
        ttft_ewma_ms: round(instance.ewmaTtftMs, 1),
        engine: instance.scraped
          ? { scraped: true, waiting: instance.waiting, running: instance.running, kv_cache_usage: round(instance.kvCacheUsage, 4), stale: instance.isStale(now) }
          : { scraped: false, waiting: null, running: null, kv_cache_usage: null, stale: null },
      };
    }),
  }));
}

function routesView(routes: Readonly<Record<string, RouteConfig>>) {
  return Object.entries(routes).map(([name, route]) => ({
    name,
    description: route.description,
    pool: route.pool,
    fallbacks: route.fallbacks,
    rules: route.rules.map((rule) => ({ name: rule.name, when: rule.when, pool: rule.pool, fallbacks: rule.fallbacks })),
  }));
}

function usageView(samples: readonly MetricsSample[], pools: ReadonlyMap<string, ModelPool>) {
  const newest = samples[samples.length - 1]!;
  const keys = new Set([...newest.tokens.keys(), ...newest.cost.keys()]);
  const series = [...keys].sort().map((key) => {
    const [tenant, pool] = splitLabelKey(key) as [string, string];
    return {
      tenant,
      pool,
      model: pools.get(pool)?.config.model ?? pool,
      tokens_per_s: rates(samples, (sample) => sample.tokens.get(key) ?? 0),
      cost_usd: samples.slice(1).map((sample) => round(sample.cost.get(key) ?? 0, 6)),
      tokens_total: newest.tokens.get(key) ?? 0,
      cost_usd_total: round(newest.cost.get(key) ?? 0, 6),
    };
  });
  return { t: samples.slice(1).map((sample) => sample.at / 1000), series };
}

export async function consoleSnapshot(sources: ConsoleSources) {
  const [samples, summaries] = await Promise.all([sources.sampler.samples(), sources.experiments.list()]);
  const newest = samples[samples.length - 1]!;
  // The newest sample at least a window older than the newest, if the sampler has one.
  let base: MetricsSample | undefined;
  for (const sample of samples) if (newest.at - sample.at >= percentileWindowMs) base = sample;
  const experiments = await Promise.all(summaries.map((summary) => sources.experiments.describe(summary.name)));
  return {
    object: 'console.snapshot',
    at: newest.at,
    generation: sources.generation,
    interval_ms: sources.sampler.intervalMs,
    /** Null while the process is younger than the window: the percentiles are then over everything since start. */
    percentile_window_s: base === undefined ? null : Math.round((newest.at - base.at) / 1000),
    load: loadView(samples),
    pools: poolsView(sources.pools, newest, base),
    routes: routesView(sources.routes),
    usage: usageView(samples, sources.pools),
    turns: sources.recentTurns.list(),
    experiments,
  };
}

export type ConsoleSnapshot = Awaited<ReturnType<typeof consoleSnapshot>>;
