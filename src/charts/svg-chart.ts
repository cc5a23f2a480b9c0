/** The project's one SVG chart writer: panels stacked under a title, each with a grid, axes, a legend and line series over one shared x axis. */

export interface ChartSeries {
  name: string;
  color: string;
  /** [x, y] in x order; a null (or non-finite) y is a gap, where the line breaks: a bucket with nothing to show. */
  points: readonly (readonly [number, number | null])[];
  dashed?: boolean;
}

export interface ChartPanel {
  title: string;
  xLabel: string;
  yLabel: string;
  series: readonly ChartSeries[];
  /** When set, the panel is wrapped in `<g id="…">`, so a page or a test can find it. */
  id?: string;
}

export interface Chart {
  title: string;
  /** A second, smaller line under the title. */
  subtitle?: string;
  /** Every panel's x axis runs from 0 to here; points beyond it are not drawn. */
  xMax: number;
  panels: readonly ChartPanel[];
}

type Point = [number, number];

const width = 900;
const panelHeight = 230;
const margin = { left: 70, right: 20, top: 34, bottom: 40 };
/** More points than the plot has pixels across, few enough to keep a day-long run's file small. */
const maxPointsPerLine = 1200;

const escapeXml = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** A round step (1, 2 or 5 × 10^k) giving about `count` ticks over [0, max]. */
function tickStep(max: number, count: number): number {
  const raw = max / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const scaled = raw / power;
  return (scaled <= 1 ? 1 : scaled <= 2 ? 2 : scaled <= 5 ? 5 : 10) * power;
}

const formatTick = (value: number): string => (Math.abs(value) >= 1000 ? value.toLocaleString('en-US', { maximumFractionDigits: 0 }) : String(Number(value.toPrecision(3))));

/** At most `limit` points: keeps each bucket's highest value so peaks survive. */
function downsample(points: Point[], limit: number): Point[] {
  if (points.length <= limit) return points;
  const bucket = Math.ceil(points.length / limit);
  const result: Point[] = [];
  for (let start = 0; start < points.length; start += bucket) {
    let best = points[start]!;
    for (let index = start + 1; index < Math.min(points.length, start + bucket); index++) if (points[index]![1] > best[1]) best = points[index]!;
    result.push(best);
  }
  return result;
}

/** The series' unbroken runs of points up to `xMax`: one drawn line each. */
function runsOf(series: ChartSeries, xMax: number): Point[][] {
  const runs: Point[][] = [];
  let run: Point[] = [];
  for (const [x, y] of series.points) {
    if (y === null || !Number.isFinite(y)) {
      if (run.length > 0) runs.push(run);
      run = [];
    } else if (x <= xMax) run.push([x, y]);
  }
  if (run.length > 0) runs.push(run);
  return runs;
}

function renderPanel(panel: ChartPanel, top: number, xMax: number): string {
  const plotWidth = width - margin.left - margin.right;
  const plotHeight = panelHeight - margin.top - margin.bottom;
  const runs = panel.series.map((series) => runsOf(series, xMax));
  let highest = 0;
  let drawn = 0;
  for (const run of runs.flat()) {
    drawn += run.length;
    for (const [, value] of run) if (value > highest) highest = value;
  }
  // A panel with nothing above zero still gets a readable 0–1 axis.
  const yMaxRaw = highest > 0 ? highest : 1;
  const yStep = tickStep(yMaxRaw * 1.05, 5);
  const yMax = Math.ceil((yMaxRaw * 1.05) / yStep) * yStep;
  const xStep = tickStep(xMax, 8);
  const x = (value: number): number => margin.left + (Math.min(value, xMax) / xMax) * plotWidth;
  const y = (value: number): number => top + margin.top + plotHeight - (value / yMax) * plotHeight;
  const parts: string[] = [];
  if (panel.id !== undefined) parts.push(`<g id="${escapeXml(panel.id)}">`);
  parts.push(`<text x="${margin.left}" y="${top + 20}" font-size="14" font-weight="bold">${escapeXml(panel.title)}</text>`);
  for (let value = 0; value <= yMax + 1e-9; value += yStep) {
    parts.push(`<line x1="${margin.left}" x2="${width - margin.right}" y1="${y(value).toFixed(1)}" y2="${y(value).toFixed(1)}" stroke="#e9ecef"/>`);
    parts.push(`<text x="${margin.left - 6}" y="${(y(value) + 4).toFixed(1)}" font-size="11" text-anchor="end">${formatTick(value)}</text>`);
  }
  for (let value = 0; value <= xMax + 1e-9; value += xStep) {
    parts.push(`<text x="${x(value).toFixed(1)}" y="${top + panelHeight - margin.bottom + 16}" font-size="11" text-anchor="middle">${formatTick(value)}</text>`);
  }
  parts.push(`<text x="${margin.left + plotWidth / 2}" y="${top + panelHeight - 6}" font-size="11" text-anchor="middle">${escapeXml(panel.xLabel)}</text>`);
  parts.push(`<text x="16" y="${top + margin.top + plotHeight / 2}" font-size="11" text-anchor="middle" transform="rotate(-90 16 ${top + margin.top + plotHeight / 2})">${escapeXml(panel.yLabel)}</text>`);
  parts.push(`<rect x="${margin.left}" y="${top + margin.top}" width="${plotWidth}" height="${plotHeight}" fill="none" stroke="#adb5bd"/>`);
  if (drawn === 0) parts.push(`<text x="${margin.left + plotWidth / 2}" y="${top + margin.top + plotHeight / 2}" font-size="11" text-anchor="middle">no data</text>`);
  panel.series.forEach((series, index) => {
    const dash = series.dashed ? ' stroke-dasharray="5,3"' : '';
    for (const run of runs[index]!) {
      const path = downsample(run, maxPointsPerLine).map(([px, py]) => `${x(px).toFixed(1)},${y(py).toFixed(1)}`).join(' ');
      parts.push(`<polyline fill="none" stroke="${series.color}" stroke-width="1.8"${dash} points="${path}"><title>${escapeXml(series.name)}</title></polyline>`);
    }
    const legendX = width - margin.right - 260;
    const legendY = top + 16 + index * 14;
    parts.push(`<line x1="${legendX}" x2="${legendX + 22}" y1="${legendY - 4}" y2="${legendY - 4}" stroke="${series.color}" stroke-width="2"${dash}/>`);
    parts.push(`<text x="${legendX + 28}" y="${legendY}" font-size="11">${escapeXml(series.name)}</text>`);
  });
  if (panel.id !== undefined) parts.push('</g>');
  return parts.join('\n');
}

/** The whole SVG document: the title (and subtitle) above the panels, top to bottom. */
export function renderSvgChart(chart: Chart): string {
  // Ticks step through [0, xMax]: a zero, negative or infinite axis would never end.
  if (!(chart.xMax > 0 && Number.isFinite(chart.xMax))) throw new RangeError(`a chart's xMax must be a positive finite number, got ${chart.xMax}`);
  const headerHeight = chart.subtitle === undefined ? 28 : 46;
  const height = headerHeight + chart.panels.length * panelHeight + 10;
  const header = [`<text x="${margin.left}" y="20" font-size="15">${escapeXml(chart.title)}</text>`];
  if (chart.subtitle !== undefined) header.push(`<text x="${margin.left}" y="38" font-size="12" fill="#555555">${escapeXml(chart.subtitle)}</text>`);
  const body = chart.panels.map((panel, index) => renderPanel(panel, headerHeight + index * panelHeight, chart.xMax)).join('\n');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif">
<rect width="100%" height="100%" fill="white"/>
${header.join('\n')}
${body}
</svg>
`;
}
