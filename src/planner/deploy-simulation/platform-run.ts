/** What a platform simulation reports, shared by Lambda and Kubernetes, and the timeline both record. */

import { summarizeLatencies, type LatencySummary } from '../../stats/latency-summary.js';

export interface Timeline {
  intervalMs: number;
  timesMs: number[];
  /** Lambda: execution environments alive (busy or idle); Kubernetes: ready pods. */
  instances: number[];
  /** Requests executing. */
  busy: number[];
  /** Kubernetes: nodes (provisioning or ready); Lambda: unused (0). */
  nodes: number[];
}

export function emptyTimeline(intervalMs: number): Timeline {
  return { intervalMs, timesMs: [], instances: [], busy: [], nodes: [] };
}

export function recordSample(timeline: Timeline, timeMs: number, instances: number, busy: number, nodes = 0): void {
  timeline.timesMs.push(timeMs);
  timeline.instances.push(instances);
  timeline.busy.push(busy);
  timeline.nodes.push(nodes);
}

export interface PlatformRun {
  platform: 'lambda' | 'kubernetes';
  requests: number;
  completed: number;
  /** Requests that never got an answer (retries exhausted, gateway timeout). */
  failed: number;
  latency: LatencySummary;
  /** Per request: first arrival, and latency to the answer (NaN when failed). */
  arrivalMs: Float64Array;
  latencyMs: Float64Array;
  /** Requests that paid an initialisation on their way (Lambda cold starts). */
  coldStarts: number;
  /** Requests answered 429 at least once. */
  throttledRequests: number;
  /** Every 429 answered, retries included. */
  throttleResponses: number;
  peakInstances: number;
  peakBusy: number;
  /** When the last request began executing. */
  lastStartMs: number;
  lastCompletionMs: number;
  /** When the simulation stopped (Kubernetes runs on until it has scaled back). */
  endMs: number;
  timeline: Timeline;
}

/** The summary of a run in which nothing was answered: every figure NaN, which the reports print as n/a. */
const nothingAnswered: LatencySummary = { count: 0, mean: Number.NaN, p50: Number.NaN, p90: Number.NaN, p95: Number.NaN, p99: Number.NaN, max: Number.NaN };

/** Per-request bookkeeping every platform needs, in typed arrays indexed by request. */
export class RequestLedger {
  readonly startMs: Float64Array;
  readonly doneMs: Float64Array;
  readonly failed: Uint8Array;
  readonly throttled: Uint8Array;
  readonly cold: Uint8Array;
  outstanding: number;

  constructor(readonly arrivalMs: Float64Array) {
    const count = arrivalMs.length;
    this.startMs = new Float64Array(count).fill(Number.NaN);
    this.doneMs = new Float64Array(count).fill(Number.NaN);
    this.failed = new Uint8Array(count);
    this.throttled = new Uint8Array(count);
    this.cold = new Uint8Array(count);
    this.outstanding = count;
  }

  summarize(platform: PlatformRun['platform'], extras: Pick<PlatformRun, 'throttleResponses' | 'peakInstances' | 'peakBusy' | 'endMs' | 'timeline'>): PlatformRun {
    const count = this.arrivalMs.length;
    const latencyMs = new Float64Array(count);
    const completedLatencies = new Float64Array(count);
    let completedCount = 0;
    let failed = 0;
    let coldStarts = 0;
    let throttledRequests = 0;
    let lastStartMs = 0;
    let lastCompletionMs = 0;
    for (let index = 0; index < count; index++) {
      if (this.cold[index]) coldStarts++;
      if (this.throttled[index]) throttledRequests++;
      if (this.startMs[index]! > lastStartMs) lastStartMs = this.startMs[index]!;
      if (this.failed[index] || Number.isNaN(this.doneMs[index]!)) {
        failed++;
        latencyMs[index] = Number.NaN;
        continue;
      }
      const latency = this.doneMs[index]! - this.arrivalMs[index]!;
      latencyMs[index] = latency;
      completedLatencies[completedCount++] = latency;
      if (this.doneMs[index]! > lastCompletionMs) lastCompletionMs = this.doneMs[index]!;
    }
    return {
      platform,
      requests: count,
      completed: count - failed,
      failed,
      latency: summarizeLatencies(completedLatencies, completedCount) ?? nothingAnswered,
      arrivalMs: this.arrivalMs,
      latencyMs,
      coldStarts,
      throttledRequests,
      lastStartMs,
      lastCompletionMs,
      ...extras,
    };
  }
}
