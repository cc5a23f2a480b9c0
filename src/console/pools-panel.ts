/** Each pool and instance: TTFT and latency p50/p95, errors, breaker state, and the engine's scraped queue and KV-cache use. */

import { element, fill, formatNumber, table } from './dom.js';
import type { ConsoleSnapshot } from './snapshot-types.js';

export class PoolsPanel {
  readonly #body: HTMLElement;

  constructor(root: HTMLElement) {
    this.#body = element('div');
    root.append(element('h2', {}, 'Pools and instances'), this.#body);
  }

  update(snapshot: ConsoleSnapshot): void {
    const window = snapshot.percentile_window_s === null ? 'since start' : `last ${snapshot.percentile_window_s} s`;
    fill(
      this.#body,
      ...snapshot.pools.map((pool) =>
        element(
          'section',
          { class: 'pool', 'data-pool': pool.name },
          element('h3', {}, `${pool.name} `, element('small', {}, `${pool.model} · ${pool.balancer} · engine ${pool.engine} · TTFT p50 `, element('span', { 'data-testid': `ttft-p50-${pool.name}` }, formatNumber(pool.ttft_ms.p50)), ` ms, p95 ${formatNumber(pool.ttft_ms.p95)} ms (${window})`)),
          table(
            ['#', 'instance', 'in flight', 'completed', 'errors', 'breaker', 'latency p50 ms', 'latency p95 ms', 'TTFT ewma ms', 'engine queue', 'running', 'KV cache'],
            pool.instances.map((instance) => [
              instance.index,
              instance.url,
              instance.in_flight,
              element('span', { 'data-testid': `completed-${pool.name}-${instance.index}` }, String(instance.completed)),
              `${instance.failures} (${instance.failures_in_window} in window)`,
              element('span', { class: `breaker ${instance.breaker}` }, instance.breaker),
              formatNumber(instance.latency_ms.p50),
              formatNumber(instance.latency_ms.p95),
              formatNumber(instance.ttft_ewma_ms),
              instance.engine.scraped ? formatNumber(instance.engine.waiting, 0) : 'not scraped',
              instance.engine.scraped ? formatNumber(instance.engine.running, 0) : '–',
              instance.engine.scraped && instance.engine.kv_cache_usage !== null ? `${formatNumber(instance.engine.kv_cache_usage * 100)} %` : '–',
            ]),
          ),
        ),
      ),
    );
  }
}
