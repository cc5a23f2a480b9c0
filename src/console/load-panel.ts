/** Live load: requests per second, in flight, queued and rejections, now and over the last minutes. */

import { element, fill, formatNumber } from './dom.js';
import type { ConsoleSnapshot } from './snapshot-types.js';
import { TimeChart } from './time-chart.js';

export class LoadPanel {
  readonly #figures: HTMLElement;
  readonly #chart: TimeChart;

  constructor(root: HTMLElement) {
    this.#figures = element('div', { class: 'figures' });
    const chart = element('div', { class: 'chart' });
    root.append(element('h2', {}, 'Live load'), this.#figures, chart);
    this.#chart = new TimeChart(chart, 'requests/s, in flight, queued, rejections/s');
  }

  update(snapshot: ConsoleSnapshot): void {
    const now = snapshot.load.now;
    const figure = (label: string, value: string, id: string) => element('div', { class: 'figure' }, element('span', { class: 'value', 'data-testid': id }, value), element('span', { class: 'label' }, label));
    fill(
      this.#figures,
      figure('requests/s', formatNumber(now.requests_per_s, 1), 'load-rps'),
      figure('in flight', formatNumber(now.in_flight, 0), 'load-inflight'),
      figure('queued', formatNumber(now.queued, 0), 'load-queued'),
      figure('rejections/s', formatNumber(now.rejections_per_s, 1), 'load-rejections'),
      figure('requests served', formatNumber(now.requests_total, 0), 'load-total'),
    );
    const series = snapshot.load.series;
    this.#chart.update(series.t, [
      { label: 'requests/s', values: series.requests_per_s },
      { label: 'in flight', values: series.in_flight },
      { label: 'queued', values: series.queued },
      { label: 'rejections/s', values: series.rejections_per_s },
    ]);
  }
}
