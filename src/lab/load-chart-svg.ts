/** A self-contained SVG of a load run: end-to-end p50/p99 latency over time above requests in flight over time. */

import type { LoadResult, TimelinePoint } from './load-result.js';

const WIDTH = 900;
const HEIGHT = 600;
const LEFT = 80;
const RIGHT = 30;
const PLOT_WIDTH = WIDTH - LEFT - RIGHT;

interface Panel {
  top: number;
  height: number;
  title: string;
  yLabel: string;
}

const LATENCY_PANEL: Panel = { top: 95, height: 190, title: 'End-to-end latency of requests finishing in each 250 ms', yLabel: 'ms' };
const IN_FLIGHT_PANEL: Panel = { top: 375, height: 165, title: 'Requests in flight (peak in each 250 ms)', yLabel: 'requests' };

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (character) => `&#${character.charCodeAt(0)};`);
}

/** Round tick steps (1, 2, 5 × 10^k) giving about `count` ticks up to `max`. */
export function niceTicks(max: number, count = 5): number[] {
  if (!(max > 0) || !Number.isFinite(max)) return [0, 1];
  const rough = max / count;
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((factor) => factor * magnitude).find((candidate) => candidate >= rough) ?? 10 * magnitude;
  const ticks: number[] = [];
  for (let tick = 0; tick < max + step * 1e-9; tick += step) ticks.push(Number(tick.toPrecision(12)));
  if (ticks[ticks.length - 1]! < max) ticks.push(Number((ticks[ticks.length - 1]! + step).toPrecision(12)));
  return ticks;
}

function formatTick(value: number): string {
  if (value >= 10_000) return `${(value / 1000).toFixed(0)}k`;
  return Number.isInteger(value) ? String(value) : value.toFixed(value < 1 ? 2 : 1);
}

/** Axes, grid, tick labels and titles of one panel; returns its scale functions with the markup. */
function drawPanel(panel: Panel, xMax: number, yMax: number): { markup: string[]; x: (value: number) => number; y: (value: number) => number } {
  const xTicks = niceTicks(xMax, 8);
  const yTicks = niceTicks(yMax, 5);
  const xTop = xTicks[xTicks.length - 1]!;
  const yTop = yTicks[yTicks.length - 1]!;
  const bottom = panel.top + panel.height;
  const x = (value: number): number => LEFT + (value / xTop) * PLOT_WIDTH;
  const y = (value: number): number => bottom - (value / yTop) * panel.height;
  const markup = [`<text x="${LEFT}" y="${panel.top - 14}" class="title">${escapeXml(panel.title)}</text>`];
  for (const tick of yTicks) {
    markup.push(`<line x1="${LEFT}" x2="${LEFT + PLOT_WIDTH}" y1="${y(tick).toFixed(1)}" y2="${y(tick).toFixed(1)}" class="grid"/>`);
    markup.push(`<text x="${LEFT - 8}" y="${(y(tick) + 4).toFixed(1)}" text-anchor="end">${formatTick(tick)}</text>`);
  }
  for (const tick of xTicks) {
    markup.push(`<line x1="${x(tick).toFixed(1)}" x2="${x(tick).toFixed(1)}" y1="${bottom}" y2="${bottom + 5}" class="axis"/>`);
    markup.push(`<text x="${x(tick).toFixed(1)}" y="${bottom + 19}" text-anchor="middle">${formatTick(tick)}</text>`);
  }
  markup.push(`<line x1="${LEFT}" x2="${LEFT + PLOT_WIDTH}" y1="${bottom}" y2="${bottom}" class="axis"/>`);
  markup.push(`<line x1="${LEFT}" x2="${LEFT}" y1="${panel.top}" y2="${bottom}" class="axis"/>`);
  markup.push(`<text x="${LEFT + PLOT_WIDTH / 2}" y="${bottom + 38}" text-anchor="middle">time (s)</text>`);
  const labelY = panel.top + panel.height / 2;
  markup.push(`<text x="${LEFT - 55}" y="${labelY}" text-anchor="middle" transform="rotate(-90 ${LEFT - 55} ${labelY})">${escapeXml(panel.yLabel)}</text>`);
  return { markup, x, y };
}

/** A polyline path that breaks where the series has no value (a bucket with no finished request). */
function seriesPath(points: readonly TimelinePoint[], value: (point: TimelinePoint) => number | null, x: (value: number) => number, y: (value: number) => number, bucketS: number): string {
  let path = '';
  let drawing = false;
  for (const point of points) {
    const measured = value(point);
    if (measured === null) {
      drawing = false;
      continue;
    }
    // Each value belongs to its bucket's middle.
    path += `${drawing ? 'L' : 'M'}${x(point.tS + bucketS / 2).toFixed(1)},${y(measured).toFixed(1)}`;
    drawing = true;
  }
  return path;
}

/** The whole SVG document for a run's result. */
export function renderLoadChartSvg(result: LoadResult): string {
  const timeline = result.timeline;
  const bucketS = timeline.length > 1 ? timeline[1]!.tS - timeline[0]!.tS : 0.25;
  const xMax = Math.max(result.durationS, timeline.length * bucketS, 0.25);
  let latencyMax = 0;
  let inFlightMax = 0;
  for (const point of timeline) {
    latencyMax = Math.max(latencyMax, point.e2eP99Ms ?? 0, point.e2eP50Ms ?? 0);
    inFlightMax = Math.max(inFlightMax, point.inFlight);
  }
  const latency = drawPanel(LATENCY_PANEL, xMax, latencyMax || 1);
  const inFlight = drawPanel(IN_FLIGHT_PANEL, xMax, inFlightMax || 1);
  const p99Path = seriesPath(timeline, (point) => point.e2eP99Ms, latency.x, latency.y, bucketS);
  const p50Path = seriesPath(timeline, (point) => point.e2eP50Ms, latency.x, latency.y, bucketS);
  // In flight is drawn as steps: it is a peak over each whole bucket.
  let inFlightPath = `M${inFlight.x(0).toFixed(1)},${inFlight.y(0).toFixed(1)}`;
  for (const point of timeline) {
    inFlightPath += `L${inFlight.x(point.tS).toFixed(1)},${inFlight.y(point.inFlight).toFixed(1)}L${inFlight.x(point.tS + bucketS).toFixed(1)},${inFlight.y(point.inFlight).toFixed(1)}`;
  }
  inFlightPath += `L${inFlight.x(timeline.length * bucketS).toFixed(1)},${inFlight.y(0).toFixed(1)}Z`;
  const legendX = LEFT + PLOT_WIDTH - 150;
  const subtitle = `${result.mode} mode, ${result.stream ? 'streamed' : 'not streamed'}, ${result.loop.kind === 'spike' ? 'spike' : `${result.loop.kind} loop`} — ${result.requests} requests, ${result.ok} ok, ${result.errors} errors, peak in flight ${result.peakInFlight}`;
  const empty = timeline.length === 0 ? `<text x="${LEFT + PLOT_WIDTH / 2}" y="${LATENCY_PANEL.top + 100}" text-anchor="middle">no data</text>` : '';
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="12">`,
    '<style>.grid{stroke:#e4e4e4;stroke-width:1}.axis{stroke:#333;stroke-width:1}.title{font-size:14px;font-weight:bold}</style>',
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="#ffffff"/>`,
    `<text x="${LEFT}" y="22" font-size="16" font-weight="bold">switchboard loadtest: ${escapeXml(result.url)}</text>`,
    `<text x="${LEFT}" y="42" fill="#555">${escapeXml(subtitle)}</text>`,
    '<g id="latency-chart">',
    ...latency.markup,
    `<path d="${p99Path}" fill="none" stroke="#d62728" stroke-width="2"/>`,
    `<path d="${p50Path}" fill="none" stroke="#1f77b4" stroke-width="2"/>`,
    `<line x1="${legendX}" x2="${legendX + 20}" y1="${LATENCY_PANEL.top - 18}" y2="${LATENCY_PANEL.top - 18}" stroke="#1f77b4" stroke-width="2"/>`,
    `<text x="${legendX + 25}" y="${LATENCY_PANEL.top - 14}">p50</text>`,
    `<line x1="${legendX + 70}" x2="${legendX + 90}" y1="${LATENCY_PANEL.top - 18}" y2="${LATENCY_PANEL.top - 18}" stroke="#d62728" stroke-width="2"/>`,
    `<text x="${legendX + 95}" y="${LATENCY_PANEL.top - 14}">p99</text>`,
    empty,
    '</g>',
    '<g id="in-flight-chart">',
    ...inFlight.markup,
    `<path d="${inFlightPath}" fill="#2ca02c" fill-opacity="0.25" stroke="#2ca02c" stroke-width="1.5"/>`,
    '</g>',
    '</svg>',
    '',
  ].join('\n');
}
