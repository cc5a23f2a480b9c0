/** `plan deploy --svg`: latency by completion time for both platforms, then each platform's instances over time, drawn by the shared chart writer. */

import { renderSvgChart, type ChartPanel } from '../../charts/svg-chart.js';
import { percentileOfSorted } from '../../stats/percentile-of-sorted.js';
import type { PlatformRun } from './platform-run.js';
import type { SimulatedPlan } from './simulated-plan.js';

const lambdaColor = '#d9480f';
const kubernetesColor = '#1864ab';
const secondaryColor = '#868e96';
const xLabel = 'seconds since the profile began';

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
    .map(([bin, values]) => [((bin + 0.5) * binMs) / 1000, percentileOfSorted(values.sort((left, right) => left - right), values.length, 0.99) / 1000]);
}

const timelinePoints = (run: PlatformRun, values: number[]): [number, number][] => run.timeline.timesMs.map((time, index) => [time / 1000, values[index]!]);

export function renderDeployChart(plan: SimulatedPlan): string {
  const lambda = plan.lambda.run;
  const kubernetes = plan.kubernetes.run;
  const lastMs = Math.max(lambda.lastCompletionMs, kubernetes.lastCompletionMs, lambda.arrivalMs[lambda.arrivalMs.length - 1] ?? 0);
  const binMs = plan.lambda.config.sampleIntervalMs;
  const panels: ChartPanel[] = [
    {
      title: 'p99 latency of the requests answered at each moment',
      xLabel,
      yLabel: 'seconds',
      series: [
        { name: 'Lambda + API Gateway', color: lambdaColor, points: latencyByCompletion(lambda, binMs) },
        { name: 'Kubernetes', color: kubernetesColor, points: latencyByCompletion(kubernetes, binMs) },
      ],
    },
    {
      title: 'Lambda execution environments',
      xLabel,
      yLabel: 'environments',
      series: [
        { name: 'alive (busy or idle)', color: lambdaColor, points: timelinePoints(lambda, lambda.timeline.instances) },
        { name: 'busy', color: secondaryColor, points: timelinePoints(lambda, lambda.timeline.busy), dashed: true },
      ],
    },
    {
      title: 'Kubernetes pods and nodes',
      xLabel,
      yLabel: 'count',
      series: [
        { name: 'ready pods', color: kubernetesColor, points: timelinePoints(kubernetes, kubernetes.timeline.instances) },
        { name: 'nodes', color: secondaryColor, points: timelinePoints(kubernetes, kubernetes.timeline.nodes), dashed: true },
      ],
    },
  ];
  return renderSvgChart({
    title: `switchboard plan deploy: ${plan.scenario.description}, turns ${plan.scenario.serviceTime.spec}, seed ${plan.scenario.seed}`,
    xMax: Math.max(1, (lastMs * 1.1) / 1000),
    panels,
  });
}
