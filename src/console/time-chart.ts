/** A uPlot time series that keeps its chart and only swaps the data on each poll. */

import uPlot from 'uplot';

const palette = ['#2563eb', '#16a34a', '#d97706', '#dc2626', '#7c3aed', '#0891b2', '#db2777', '#65a30d'];

export class TimeChart {
  #plot: uPlot | undefined;
  #labels = '';
  readonly #container: HTMLElement;
  readonly #title: string;

  constructor(container: HTMLElement, title: string) {
    this.#container = container;
    this.#title = title;
  }

  /** Draws `series` against `t` (seconds since the epoch); a new set of labels builds a new chart. */
  update(t: readonly number[], series: readonly { label: string; values: readonly (number | null)[] }[]): void {
    const data = [t.slice(), ...series.map((one) => one.values.slice())] as uPlot.AlignedData;
    const labels = series.map((one) => one.label).join('\u0000');
    if (this.#plot && labels === this.#labels) {
      this.#plot.setData(data);
      return;
    }
    this.#plot?.destroy();
    this.#labels = labels;
    const width = Math.max(320, this.#container.clientWidth || 480);
    this.#plot = new uPlot(
      {
        title: this.#title,
        width,
        height: 180,
        series: [{}, ...series.map((one, index) => ({ label: one.label, stroke: palette[index % palette.length], width: 1.5 }))],
        axes: [{}, { size: 60 }],
      },
      data,
      this.#container,
    );
  }
}
