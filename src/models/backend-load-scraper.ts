/** Scrapes each self-hosted instance's Prometheus endpoint on a timer per pool, so balancers see queue depth and KV-cache usage. */

import type { Agent } from 'undici';
import { loadUndici } from './providers/load-undici.js';
import type { Logger } from '../telemetry/logger.js';
import { metricNamesFor, readEngineLoad, type EngineMetricNames } from './engine-metrics.js';
import type { InstanceState } from './instance-state.js';
import type { ModelPool } from './model-pool.js';

export interface BackendLoadScraperOptions {
  /** The router's clock, so staleness is measured on the same scale as routing decisions. */
  now: () => number;
  logger?: Pick<Logger, 'warn' | 'info'>;
}

interface ScrapeTarget {
  instance: InstanceState;
  origin: string;
  path: string;
  busy: boolean;
  /** Whether the last scrape failed, so a failing endpoint logs once rather than every tick. */
  failing: boolean;
}

interface ScrapedPool {
  name: string;
  names: EngineMetricNames;
  intervalMs: number;
  timeoutMs: number;
  targets: ScrapeTarget[];
  timer?: NodeJS.Timeout;
}

export class BackendLoadScraper {
  readonly #pools: ScrapedPool[] = [];
  #agent: Agent | undefined;
  readonly #now: () => number;
  readonly #logger: BackendLoadScraperOptions['logger'];
  #closed = false;

  constructor(pools: Iterable<ModelPool>, options: BackendLoadScraperOptions) {
    this.#now = options.now;
    this.#logger = options.logger;
    for (const pool of pools) {
      const names = metricNamesFor(pool.config);
      if (!names) continue;
      const { intervalMs, staleAfterMs } = pool.config.metrics;
      this.#pools.push({
        name: pool.name,
        names,
        intervalMs,
        // A scrape slower than the staleness limit is useless anyway.
        timeoutMs: Math.max(intervalMs, staleAfterMs),
        targets: pool.instances.map((instance) => {
          const url = new URL(instance.metricsUrl);
          return { instance, origin: url.origin, path: `${url.pathname}${url.search}`, busy: false, failing: false };
        }),
      });
    }
  }

  /** Whether any pool is scraped. */
  get active(): boolean {
    return this.#pools.length > 0;
  }

  /** Scrapes every instance once (so the first calls see fresh numbers), then on each pool's interval. */
  async start(): Promise<void> {
    if (this.#pools.length === 0) return;
    const { Agent } = await loadUndici();
    // One connection per engine is plenty for a small GET every 150 ms.
    this.#agent = new Agent({ connections: 1, pipelining: 1, keepAliveTimeout: 30_000 });
    await Promise.all(this.#pools.map((pool) => this.#scrapePool(pool)));
    for (const pool of this.#pools) {
      if (this.#closed) return;
      pool.timer = setInterval(() => void this.#scrapePool(pool), pool.intervalMs);
      // Scraping must never keep a process alive on its own.
      pool.timer.unref();
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const pool of this.#pools) clearInterval(pool.timer);
    await this.#agent?.close().catch(() => undefined);
  }

  #scrapePool(pool: ScrapedPool): Promise<unknown> {
    return Promise.all(pool.targets.map((target) => (target.busy ? undefined : this.#scrape(pool, target))));
  }

  async #scrape(pool: ScrapedPool, target: ScrapeTarget): Promise<void> {
    target.busy = true;
    try {
      const response = await this.#agent!.request({
        origin: target.origin,
        path: target.path,
        method: 'GET',
        headersTimeout: pool.timeoutMs,
        bodyTimeout: pool.timeoutMs,
      });
      const text = await response.body.text();
      if (response.statusCode !== 200) throw new Error(`status ${response.statusCode}`);
      const load = readEngineLoad(text, pool.names);
      if (!load) throw new Error(`no ${pool.names.waiting.join(' or ')} in the scrape`);
      target.instance.updateLoad(load.waiting, load.running, load.kvCacheUsage, this.#now());
      if (target.failing) this.#logger?.info({ pool: pool.name, instance: target.instance.url }, 'engine metrics scrape recovered');
      target.failing = false;
    } catch (error) {
      // The instance's numbers go stale and it counts as saturated; nothing else to do here.
      if (!target.failing && !this.#closed) this.#logger?.warn({ pool: pool.name, instance: target.instance.url, err: (error as Error).message }, 'engine metrics scrape failed');
      target.failing = true;
    } finally {
      target.busy = false;
    }
  }
}
