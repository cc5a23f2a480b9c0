/** `loadtest --svg`: end-to-end p50/p99 latency over time above requests in flight over time, drawn by the shared chart writer. */

import { renderSvgChart } from '../charts/svg-chart.js';
import type { LoadResult } from './load-result.js';

/** The whole SVG document for a run's result. */
export function renderLoadChartSvg(result: LoadResult): string {
  const timeline = result.timeline;
  const bucketS = timeline.length > 1 ? timeline[1]!.tS - timeline[0]!.tS : 0.25;
  // A latency belongs to its bucket's middle; in flight is a peak over the whole bucket, so it is drawn as steps.
  const middle = (tS: number): number => tS + bucketS / 2;
  const inFlight: [number, number][] = [];
  for (const point of timeline) inFlight.push([point.tS, point.inFlight], [point.tS + bucketS, point.inFlight]);
  const loop = result.loop.kind === 'spike' ? 'spike' : `${result.loop.kind} loop`;
  return renderSvgChart({
    title: `switchboard loadtest: ${result.url}`,
    subtitle: `${result.mode} mode, ${result.stream ? 'streamed' : 'not streamed'}, ${loop} — ${result.requests} requests, ${result.ok} ok, ${result.errors} errors, peak in flight ${result.peakInFlight}`,
    xMax: Math.max(result.durationS, timeline.length * bucketS, 0.25),
    panels: [
      {
        id: 'latency-chart',
        title: 'End-to-end latency of requests finishing in each 250 ms',
        xLabel: 'time (s)',
        yLabel: 'ms',
        series: [
          { name: 'p50', color: '#1f77b4', points: timeline.map((point) => [middle(point.tS), point.e2eP50Ms]) },
          { name: 'p99', color: '#d62728', points: timeline.map((point) => [middle(point.tS), point.e2eP99Ms]) },
        ],
      },
      {
        id: 'in-flight-chart',
        title: 'Requests in flight (peak in each 250 ms)',
        xLabel: 'time (s)',
        yLabel: 'requests',
        series: [{ name: 'in flight', color: '#2ca02c', points: inFlight }],
      },
    ],
  });
}
