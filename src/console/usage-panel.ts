/** Usage and cost per tenant and model over time, from the token and cost counters. */

import { element, fill, formatNumber, table } from './dom.js';
import type { ConsoleSnapshot } from './snapshot-types.js';
import { TimeChart } from './time-chart.js';

export class UsagePanel {
  readonly #tokens: TimeChart;
  readonly #cost: TimeChart;
  readonly #totals: HTMLElement;

  constructor(root: HTMLElement) {
    const tokens = element('div', { class: 'chart' });
    const cost = element('div', { class: 'chart' });
    this.#totals = element('div');
    root.append(element('h2', {}, 'Usage and cost by tenant and model'), element('div', { class: 'charts' }, tokens, cost), this.#totals);
    this.#tokens = new TimeChart(tokens, 'tokens/s');
    this.#cost = new TimeChart(cost, 'cost since start (USD)');
  }

  update(snapshot: ConsoleSnapshot): void {
    const label = (series: ConsoleSnapshot['usage']['series'][number]) => `${series.tenant} · ${series.model}`;
    this.#tokens.update(snapshot.usage.t, snapshot.usage.series.map((series) => ({ label: label(series), values: series.tokens_per_s })));
    this.#cost.update(snapshot.usage.t, snapshot.usage.series.map((series) => ({ label: label(series), values: series.cost_usd })));
    fill(
      this.#totals,
      table(
        ['tenant', 'model', 'pool', 'tokens', 'cost USD'],
        snapshot.usage.series.map((series) => [series.tenant, series.model, series.pool, element('span', { 'data-testid': `tokens-${series.tenant}-${series.pool}` }, formatNumber(series.tokens_total, 0)), formatNumber(series.cost_usd_total, 6)]),
      ),
    );
  }
}
