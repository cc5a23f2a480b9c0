import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderSvgChart, type Chart } from '../../src/charts/svg-chart.js';

const chart = (overrides: Partial<Chart> = {}): Chart => ({
  title: 'A & B <test>',
  xMax: 10,
  panels: [
    {
      id: 'first',
      title: 'Latency',
      xLabel: 'time (s)',
      yLabel: 'ms',
      series: [
        { name: 'p50', color: '#111111', points: [[1, 10], [2, 20], [3, null], [4, 40], [5, 50]] },
        { name: 'p99 "tail"', color: '#222222', points: [[1, 100], [20, 1000]], dashed: true },
      ],
    },
    { title: 'Empty', xLabel: 'time (s)', yLabel: 'requests', series: [{ name: 'none', color: '#333333', points: [] }] },
  ],
  ...overrides,
});

const polylines = (svg: string): string[] => [...svg.matchAll(/<polyline [^>]*points="([^"]*)"/g)].map((match) => match[1]!);

test('a gap breaks a line in two; points past the x axis are not drawn; every series has a legend entry', () => {
  const svg = renderSvgChart(chart());
  const lines = polylines(svg);
  assert.equal(lines.length, 3, 'p50 before and after its gap, and p99 up to x = 10');
  assert.deepEqual(lines.map((points) => points.split(' ').length), [2, 2, 1]);
  assert.match(svg, /stroke-dasharray="5,3" points=/);
  for (const name of ['p50', 'p99 &quot;tail&quot;', 'none']) assert.match(svg, new RegExp(`<text [^>]*>${name}</text>`));
});

test('a panel with an id is a balanced <g>; text is escaped; a panel with nothing to draw says so', () => {
  const svg = renderSvgChart(chart({ subtitle: 'second line' }));
  assert.match(svg, /<g id="first">[\s\S]*?<\/g>/);
  assert.equal((svg.match(/<g[ >]/g) ?? []).length, (svg.match(/<\/g>/g) ?? []).length);
  assert.match(svg, />A &amp; B &lt;test&gt;</);
  assert.match(svg, />second line</);
  assert.equal((svg.match(/>no data</g) ?? []).length, 1);
  assert.match(svg, /^<svg [^>]*height="516"/, 'a 46 px header with a subtitle and two 230 px panels');
});

test('the y axis covers the highest point with headroom, on round ticks', () => {
  const svg = renderSvgChart(chart({ xMax: 30 }));
  // The highest point is 1000: 1,050 with headroom, ticks every 500 up to 1,500.
  const labels = [...svg.matchAll(/text-anchor="end">([^<]*)</g)].map((match) => match[1]);
  assert.deepEqual(labels.slice(0, 4), ['0', '500', '1,000', '1,500']);
});

test('long lines are thinned to 1,200 points that keep the peaks', () => {
  const points: [number, number][] = Array.from({ length: 12_000 }, (_, index) => [index / 1000, index === 7777 ? 999 : 1]);
  const svg = renderSvgChart({ title: 't', xMax: 12, panels: [{ title: 'p', xLabel: 'x', yLabel: 'y', series: [{ name: 's', color: '#000000', points }] }] });
  const [line] = polylines(svg);
  assert.equal(line!.split(' ').length, 1200);
  // The plot spans y 62 (header 28 + margin 34) to 218; 999 with headroom rounds the axis up to 1,500.
  const peakY = Number((218 - (999 / 1500) * 156).toFixed(1));
  const highest = Math.min(...line!.split(' ').map((point) => Number(point.split(',')[1])));
  assert.equal(highest, peakY, 'the one peak among 12,000 points survives the thinning');
});

test('an x axis that is not a positive finite number is refused by name', () => {
  for (const xMax of [0, -1, Number.NaN, Infinity]) assert.throws(() => renderSvgChart(chart({ xMax })), /xMax must be a positive finite number/);
});
