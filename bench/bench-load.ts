/** Runs the load generator for a benchmark step: progress lines while it runs, a compact summary after, CPU seconds of every process involved. */

import { runLoad, type LoadOptions, type LoadResult } from '../src/lab/load-generator.js';
import type { LatencySummary } from '../src/stats/latency-summary.js';
import { listenOverflows, type BenchProcess } from './bench-process.js';
import { round } from './bench-report.js';

/** The figures of a latency summary a benchmark step keeps. */
export type LatencyPair = Pick<LatencySummary, 'p50' | 'p90' | 'p99' | 'max'>;

/** A benchmark step's load run: the result's counts as the lab reports them, its latencies, and what the machine spent. */
export interface LoadSummary extends Pick<LoadResult, 'requests' | 'ok' | 'errors' | 'errorsByKind' | 'durationS' | 'throughputRps'> {
  label: string;
  ttftMs: LatencyPair | null;
  itlMs: LatencyPair | null;
  e2eMs: LatencyPair | null;
  /** The generator's own cost: CPU per request and its event-loop delay (a busy generator inflates every latency). */
  generator: LoadResult['overhead'];
  /** CPU seconds each process used during the step (the bench process is "generator"). */
  cpuSeconds: Record<string, number>;
  /** Connections the kernel dropped because an accept queue was full during the step (machine-wide). */
  listenOverflows: number;
}

const pair = (summary: LatencyPair | null): LatencyPair | null =>
  summary ? { p50: summary.p50, p90: summary.p90, p99: summary.p99, max: summary.max } : null;

export function summarize(label: string, result: LoadResult, cpuSeconds: Record<string, number>, overflows: number): LoadSummary {
  return {
    label,
    requests: result.requests,
    ok: result.ok,
    errors: result.errors,
    errorsByKind: result.errorsByKind,
    durationS: result.durationS,
    throughputRps: result.throughputRps,
    ttftMs: pair(result.latencyMs.ttft),
    itlMs: pair(result.latencyMs.itl),
    e2eMs: pair(result.latencyMs.e2e),
    generator: { cpuMicrosPerRequest: result.overhead.cpuMicrosPerRequest, eventLoopDelayP99Ms: result.overhead.eventLoopDelayP99Ms },
    cpuSeconds,
    listenOverflows: overflows,
  };
}

/** Measures the CPU seconds `processes` (and this process) use while `work` runs. */
export async function withCpuAccounting<T>(processes: BenchProcess[], work: () => Promise<T>): Promise<{ value: T; cpuSeconds: Record<string, number>; overflows: number }> {
  const before = processes.map((child) => child.cpuSeconds());
  const ownBefore = process.cpuUsage();
  const overflowsBefore = listenOverflows();
  const value = await work();
  const own = process.cpuUsage(ownBefore);
  const cpuSeconds: Record<string, number> = { generator: round((own.user + own.system) / 1e6, 2) };
  processes.forEach((child, index) => {
    const key = cpuSeconds[child.name] === undefined ? child.name : `${child.name}#${index}`;
    cpuSeconds[key] = round(child.cpuSeconds() - before[index]!, 2);
  });
  return { value, cpuSeconds, overflows: listenOverflows() - overflowsBefore };
}

/** One load run with a progress line every two seconds. */
export async function measure(label: string, options: LoadOptions, processes: BenchProcess[]): Promise<LoadSummary> {
  const { value, cpuSeconds, overflows } = await withCpuAccounting(processes, () =>
    runLoad({
      ...options,
      progressIntervalMs: 2_000,
      onProgress: (progress) =>
        log(`    ${label}: ${progress.elapsedS.toFixed(0)} s, sent ${progress.sent}, ok ${progress.ok}, errors ${progress.errors}, in flight ${progress.inFlight}`),
    }),
  );
  const summary = summarize(label, value, cpuSeconds, overflows);
  log(`  ${label}: ${describe(summary)}`);
  return summary;
}

export function describe(summary: LoadSummary): string {
  const e2e = summary.e2eMs;
  const ttft = summary.ttftMs;
  const parts = [`${summary.ok}/${summary.requests} ok`, `${summary.throughputRps.toFixed(0)} req/s`];
  if (ttft && summary.itlMs) parts.push(`TTFT p50 ${ttft.p50.toFixed(1)} p99 ${ttft.p99.toFixed(1)} ms`);
  if (e2e) parts.push(`e2e p50 ${e2e.p50.toFixed(2)} p99 ${e2e.p99.toFixed(2)} ms`);
  if (summary.errors > 0) parts.push(`errors ${JSON.stringify(summary.errorsByKind)}`);
  return parts.join(', ');
}

export function log(line: string): void {
  process.stdout.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
}
