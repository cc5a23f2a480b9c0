/** Draws `plan deploy`'s charts as one SVG: latency by arrival time for both platforms, then each platform's instances over time. */

import type { DeployPlan } from './deploy-plan.js';
import { nearestRank } from './percentiles.js';
import type { PlatformRun } from './platform-run.js';

interface Series {
  name: string;
  color: string;
  points: [number, number][];
  dashed?: boolean;
}

interface Panel {
  title: string;
  yLabel: string;
  series: Series[];
}

const width = 900;
const panelHeight = 230;
const margin = { left: 70, right: 20, top: 34, bottom: 40 };
const lambdaColor = '#d9480f';
const kubernetesColor = '#1864ab';

const escapeXml = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** A round step giving about `count` ticks over [0, max]. */
function tickStep(max: number, count: number): number {
  const raw = max / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const scaled = raw / power;
  return (scaled <= 1 ? 1 : scaled <= 2 ? 2 : scaled <= 5 ? 5 : 10) * power;
}

const formatTick = (value: number): string => (Math.abs(value) >= 1000 ? value.toLocaleString('en-US', { maximumFractionDigits: 0 }) : String(Number(value.toPrecision(3))));

/** At most `limit` points: keeps each bucket's highest value so peaks survive. */
function downsample(points: [number, number][], limit: number): [number, number][] {
  if (points.length <= limit) return points;
  const bucket = Math.ceil(points.length / limit);
  const result: [number, number][] = [];
  for (let start = 0; start < points.length; start += bucket) {
    let best = points[start]!;
    for (let index = start + 1; index < Math.min(points.length, start + bucket); index++) if (points[index]![1] > best[1]) best = points[index]!;
    result.push(best);
  }
  return result;
}

function renderPanel(panel: Panel, top: number, xMaxSeconds: number): string {
  const plotWidth = width - margin.left - margin.right;
  const plotHeight = panelHeight - margin.top - margin.bottom;
  const yMaxRaw = Math.max(1e-9, ...panel.series.flatMap((series) => series.points.filter(([x]) => x <= xMaxSeconds).map(([, y]) => y)));
  const yStep = tickStep(yMaxRaw * 1.05, 5);
  const yMax = Math.ceil((yMaxRaw * 1.05) / yStep) * yStep;
  const xStep = tickStep(xMaxSeconds, 8);
  const x = (seconds: number): number => margin.left + (Math.min(seconds, xMaxSeconds) / xMaxSeconds) * plotWidth;
  const y = (value: number): number => top + margin.top + plotHeight - (value / yMax) * plotHeight;
  const parts: string[] = [];
  parts.push(`<text x="${margin.left}" y="${top + 20}" font-size="14" font-weight="bold">${escapeXml(panel.title)}</text>`);
  for (let value = 0; value <= yMax + 1e-9; value += yStep) {
    parts.push(`<line x1="${margin.left}" x2="${width - margin.right}" y1="${y(value).toFixed(1)}" y2="${y(value).toFixed(1)}" stroke="#e9ecef"/>`);
    parts.push(`<text x="${margin.left - 6}" y="${(y(value) + 4).toFixed(1)}" font-size="11" text-anchor="end">${formatTick(value)}</text>`);
  }
  for (let seconds = 0; seconds <= xMaxSeconds + 1e-9; seconds += xStep) {
    parts.push(`<text x="${x(seconds).toFixed(1)}" y="${top + panelHeight - margin.bottom + 16}" font-size="11" text-anchor="middle">${formatTick(seconds)}</text>`);
  }
  parts.push(`<text x="${margin.left + plotWidth / 2}" y="${top + panelHeight - 6}" font-size="11" text-anchor="middle">seconds since the profile began</text>`);
  parts.push(`<text x="16" y="${top + margin.top + plotHeight / 2}" font-size="11" text-anchor="middle" transform="rotate(-90 16 ${top + margin.top + plotHeight / 2})">${escapeXml(panel.yLabel)}</text>`);
  parts.push(`<rect x="${margin.left}" y="${top + margin.top}" width="${plotWidth}" height="${plotHeight}" fill="none" stroke="#adb5bd"/>`);
  panel.series.forEach((series, index) => {
    const visible = downsample(series.points.filter(([px]) => px <= xMaxSeconds), 1200);
    if (visible.length > 0) {
      const path = visible.map(([px, py]) => `${x(px).toFixed(1)},${y(py).toFixed(1)}`).join(' ');
      parts.push(`<polyline fill="none" stroke="${series.color}" stroke-width="1.8"${series.dashed ? ' stroke-dasharray="5,3"' : ''} points="${path}"><title>${escapeXml(series.name)}</title></polyline>`);
    }
    const legendX = width - margin.right - 260;
    const legendY = top + 16 + index * 14;
    parts.push(`<line x1="${legendX}" x2="${legendX + 22}" y1="${legendY - 4}" y2="${legendY - 4}" stroke="${series.color}" stroke-width="2"${series.dashed ? ' stroke-dasharray="5,3"' : ''}/>`);
    parts.push(`<text x="${legendX + 28}" y="${legendY}" font-size="11">${escapeXml(series.name)}</text>`);
  });
  return parts.join('\n');
}

/** p99 latency of the requests answered in each bin, in seconds: after a spike, the waves show. */
function latencyByCompletion(run: PlatformRun, binMs: number): [number, number][] {
  const bins = new Map<number, number[]>();
  for (let index = 0; index < run.arrivalMs.length; index++) {
    const latency = run.latencyMs[index]!;
    if (Number.isNaN(latency)) continue;
    const bin = Math.floor((run.arrivalMs[index]! + latency) / binMs);
    let values = bins.get(bin);
    if (!values) bins.set(bin, (values = []));
    values.push(latency);
  }
  return [...bins.entries()]
    .sort((left, right) => left[0] - right[0])
    .map(([bin, values]) => [((bin + 0.5) * binMs) / 1000, nearestRank(values.sort((left, right) => left - right), 0.99) / 1000]);
}

const timelinePoints = (run: PlatformRun, values: number[]): [number, number][] => run.timeline.timesMs.map((time, index) => [time / 1000, values[index]!]);

export function renderDeployChart(plan: DeployPlan): string {
  const lambda = plan.lambda.run;
  const kubernetes = plan.kubernetes.run;
  const lastMs = Math.max(lambda.lastCompletionMs, kubernetes.lastCompletionMs, lambda.arrivalMs[lambda.arrivalMs.length - 1] ?? 0);
  const xMaxSeconds = Math.max(1, (lastMs * 1.1) / 1000);
  const binMs = plan.lambda.config.sampleIntervalMs;
  const panels: Panel[] = [
    {
      title: 'p99 latency of the requests answered at each moment',
      yLabel: 'seconds',
      series: [
        { name: 'Lambda + API Gateway', color: lambdaColor, points: latencyByCompletion(lambda, binMs) },
        { name: 'Kubernetes', color: kubernetesColor, points: latencyByCompletion(kubernetes, binMs) },
      ],
    },
    {
      title: 'Lambda execution environments',
      yLabel: 'environments',
      series: [
        { name: 'alive (busy or idle)', color: lambdaColor, points: timelinePoints(lambda, lambda.timeline.instances) },
        { name: 'busy', color: '#868e96', points: timelinePoints(lambda, lambda.timeline.busy), dashed: true },
      ],
    },
    {
      title: 'Kubernetes pods and nodes',
      yLabel: 'count',
      series: [
        { name: 'ready pods', color: kubernetesColor, points: timelinePoints(kubernetes, kubernetes.timeline.instances) },
        { name: 'nodes', color: '#868e96', points: timelinePoints(kubernetes, kubernetes.timeline.nodes), dashed: true },
      ],
    },
  ];
  const headerHeight = 28;
  const height = headerHeight + panels.length * panelHeight + 10;
  const header = `<text x="${margin.left}" y="20" font-size="15">${escapeXml(`switchboard plan deploy: ${plan.scenario.description}, turns ${plan.scenario.serviceTime.spec}, seed ${plan.scenario.seed}`)}</text>`;
  const body = panels.map((panel, index) => renderPanel(panel, headerHeight + index * panelHeight, xMaxSeconds)).join('\n');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif">
<rect width="100%" height="100%" fill="white"/>
${header}
${body}
</svg>
`;
}
