/** Turns a finished run's recorded columns into the load test's result: percentiles, goodput, timeline. */

import { cpus } from 'node:os';
import { summarizeLatencies, type LatencySummary } from '../stats/latency-summary.js';
import { percentileOfSorted } from '../stats/percentile-of-sorted.js';
import { OUTCOME_ERROR, OUTCOME_OK, type LoadRecorder } from './load-recorder.js';

export type LoadMode = 'chat' | 'turn';

export type LoopDescription =
  | { kind: 'closed'; concurrency: number }
  | { kind: 'open'; rate: number; poisson: boolean }
  | { kind: 'spike'; spike: number };

export interface TimelinePoint {
  /** Start of the bucket, seconds since the run began. */
  tS: number;
  /** Most requests in flight at any moment of the bucket. */
  inFlight: number;
  /** Requests that finished in the bucket, successfully or not. */
  completed: number;
  /** End-to-end latency of the successful requests that finished in the bucket; null when none did. */
  e2eP50Ms: number | null;
  e2eP99Ms: number | null;
}

/** The figures of a latency summary a load result publishes: its `--json` fields, in this order. */
export type ReportedLatency = Pick<LatencySummary, 'p50' | 'p90' | 'p99' | 'max' | 'mean' | 'count'>;

/** The whole result; `--json` writes exactly this. */
export interface LoadResult {
  version: 1;
  startedAt: string;
  url: string;
  mode: LoadMode;
  stream: boolean;
  loop: LoopDescription;
  /** Wall time from the first request sent to the last one finished. */
  durationS: number;
  requests: number;
  ok: number;
  errors: number;
  errorsByKind: Record<string, number>;
  throughputRps: number;
  goodputRps: number;
  /** The targets goodput was measured against. */
  targets: { ttftMs: number; itlMs: number };
  peakInFlight: number;
  latencyMs: { ttft: ReportedLatency | null; itl: ReportedLatency | null; e2e: ReportedLatency | null };
  tokens: { total: number; perRequestMean: number };
  overhead: { cpuMicrosPerRequest: number; eventLoopDelayP99Ms: number };
  timeline: TimelinePoint[];
  machine: { cpus: number; model: string; node: string };
}

export interface ResultContext {
  startedAt: Date;
  url: string;
  mode: LoadMode;
  stream: boolean;
  loop: LoopDescription;
  wallMs: number;
  ttftTargetMs: number;
  itlTargetMs: number;
  cpuMicros: number;
  eventLoopDelayP99Ms: number;
}

const round3 = (value: number): number => Math.round(value * 1000) / 1000;

/** A summary's published figures, rounded to three decimals (well below loopback noise). */
function reportedLatency(summary: LatencySummary | null): ReportedLatency | null {
  if (!summary) return null;
  return { p50: round3(summary.p50), p90: round3(summary.p90), p99: round3(summary.p99), max: round3(summary.max), mean: round3(summary.mean), count: summary.count };
}

/** Inter-token latency of one streamed reply: (e2e − TTFT) / (tokens − 1); NaN when it has fewer than two tokens. */
export function interTokenLatencyMs(e2eMs: number, ttftMs: number, tokens: number): number {
  return tokens >= 2 ? (e2eMs - ttftMs) / (tokens - 1) : Number.NaN;
}

function timelineOf(recorder: LoadRecorder, wallMs: number): TimelinePoint[] {
  const bucketMs = recorder.bucketMs;
  const bucketCount = Math.max(recorder.bucketPeakInFlight.length, Math.ceil(wallMs / bucketMs));
  const completed = new Uint32Array(bucketCount);
  const okCounts = new Uint32Array(bucketCount + 1);
  const bucketOf = (index: number): number => Math.min(bucketCount - 1, Math.max(0, Math.floor(recorder.endMs[index]! / bucketMs)));
  for (let index = 0; index < recorder.begun; index++) {
    const outcome = recorder.outcome[index];
    if (outcome === OUTCOME_OK || outcome === OUTCOME_ERROR) completed[bucketOf(index)]!++;
    if (outcome === OUTCOME_OK) okCounts[bucketOf(index) + 1]!++;
  }
  // Counting sort of successful latencies by bucket, then each bucket's slice is sorted on its own.
  for (let bucket = 1; bucket <= bucketCount; bucket++) okCounts[bucket]! += okCounts[bucket - 1]!;
  const offsets = okCounts.slice();
  const grouped = new Float64Array(okCounts[bucketCount]!);
  for (let index = 0; index < recorder.begun; index++) {
    if (recorder.outcome[index] === OUTCOME_OK) grouped[offsets[bucketOf(index)]!++] = recorder.e2eMs[index]!;
  }
  const timeline: TimelinePoint[] = [];
  for (let bucket = 0; bucket < bucketCount; bucket++) {
    const slice = grouped.subarray(okCounts[bucket]!, okCounts[bucket + 1]!).sort();
    timeline.push({
      tS: round3((bucket * bucketMs) / 1000),
      // Buckets after the last event opened with nothing in flight.
      inFlight: recorder.bucketPeakInFlight[bucket] ?? 0,
      completed: completed[bucket]!,
      e2eP50Ms: slice.length > 0 ? round3(percentileOfSorted(slice, slice.length, 0.5)) : null,
      e2eP99Ms: slice.length > 0 ? round3(percentileOfSorted(slice, slice.length, 0.99)) : null,
    });
  }
  return timeline;
}

export function buildLoadResult(recorder: LoadRecorder, context: ResultContext): LoadResult {
  const ok = recorder.ok;
  const ttft = new Float64Array(ok);
  const e2e = new Float64Array(ok);
  const itl = new Float64Array(ok);
  let itlCount = 0;
  let okCount = 0;
  let goodCount = 0;
  let totalTokens = 0;
  for (let index = 0; index < recorder.begun; index++) {
    if (recorder.outcome[index] !== OUTCOME_OK) continue;
    const requestTtft = recorder.ttftMs[index]!;
    const requestE2e = recorder.e2eMs[index]!;
    const tokens = recorder.tokens[index]!;
    ttft[okCount] = requestTtft;
    e2e[okCount] = requestE2e;
    okCount++;
    totalTokens += tokens;
    const requestItl = context.stream ? interTokenLatencyMs(requestE2e, requestTtft, tokens) : Number.NaN;
    if (!Number.isNaN(requestItl)) itl[itlCount++] = requestItl;
    // A reply with no inter-token gap to measure meets the ITL target by definition.
    if (requestTtft <= context.ttftTargetMs && (Number.isNaN(requestItl) || requestItl <= context.itlTargetMs)) goodCount++;
  }
  const wallSeconds = context.wallMs / 1000;
  const perSecond = (count: number): number => (wallSeconds > 0 ? round3(count / wallSeconds) : 0);
  return {
    version: 1,
    startedAt: context.startedAt.toISOString(),
    url: context.url,
    mode: context.mode,
    stream: context.stream,
    loop: context.loop,
    durationS: round3(wallSeconds),
    requests: recorder.requests,
    ok,
    errors: recorder.errors,
    errorsByKind: Object.fromEntries([...recorder.errorsByKind].sort((left, right) => right[1] - left[1])),
    throughputRps: perSecond(ok),
    goodputRps: perSecond(goodCount),
    targets: { ttftMs: context.ttftTargetMs, itlMs: context.itlTargetMs },
    peakInFlight: recorder.peakInFlight,
    latencyMs: {
      ttft: reportedLatency(summarizeLatencies(ttft, okCount)),
      itl: reportedLatency(summarizeLatencies(itl, itlCount)),
      e2e: reportedLatency(summarizeLatencies(e2e, okCount)),
    },
    tokens: { total: totalTokens, perRequestMean: ok > 0 ? round3(totalTokens / ok) : 0 },
    overhead: {
      cpuMicrosPerRequest: recorder.requests > 0 ? round3(context.cpuMicros / recorder.requests) : 0,
      eventLoopDelayP99Ms: round3(context.eventLoopDelayP99Ms),
    },
    timeline: timelineOf(recorder, context.wallMs),
    machine: { cpus: cpus().length, model: cpus()[0]?.model.trim() ?? 'unknown', node: process.version },
  };
}
