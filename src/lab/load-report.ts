/** The load test's human-readable report: a short summary and a latency table for the terminal. */

import type { LoadResult, LoopDescription, ReportedLatency } from './load-result.js';
import type { LoadProgress } from './load-generator.js';

// Beyond this the generator's timestamps are late by a noticeable share of a typical TTFT.
const SATURATED_EVENT_LOOP_DELAY_MS = 50;

function describeLoop(loop: LoopDescription): string {
  if (loop.kind === 'closed') return `closed loop, concurrency ${loop.concurrency}`;
  if (loop.kind === 'open') return `open loop, ${loop.rate} req/s${loop.poisson ? ' (Poisson)' : ''}`;
  return `spike of ${loop.spike}`;
}

function formatMs(value: number): string {
  if (!Number.isFinite(value)) return '-';
  if (value >= 100) return value.toFixed(0);
  if (value >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

function latencyRow(label: string, summary: ReportedLatency | null, note: string): string {
  const cells = summary ? [summary.p50, summary.p90, summary.p99, summary.max, summary.mean].map(formatMs) : ['-', '-', '-', '-', '-'];
  return `  ${label.padEnd(12)}${cells.map((cell) => cell.padStart(10)).join('')}${summary ? '' : `  ${note}`}`;
}

/** The final report printed on stdout. */
export function formatLoadReport(result: LoadResult): string {
  const errorKinds = Object.entries(result.errorsByKind).map(([kind, count]) => `${kind}: ${count}`).join(', ');
  const lines = [
    `switchboard loadtest: ${result.mode} mode, ${result.stream ? 'streamed' : 'not streamed'}, ${describeLoop(result.loop)}, against ${result.url}`,
    '',
    `  requests     ${result.requests} in ${result.durationS.toFixed(2)} s`,
    `  ok           ${result.ok}`,
    `  errors       ${result.errors}${errorKinds ? ` (${errorKinds})` : ''}`,
    `  throughput   ${result.throughputRps.toFixed(2)} req/s`,
    `  goodput      ${result.goodputRps.toFixed(2)} req/s (TTFT ≤ ${result.targets.ttftMs} ms${result.stream ? `, ITL ≤ ${result.targets.itlMs} ms` : ''})`,
    `  in flight    peak ${result.peakInFlight}`,
    `  tokens       ${result.tokens.total} (${result.tokens.perRequestMean.toFixed(1)} per request)`,
    '',
    `  latency ms  ${['p50', 'p90', 'p99', 'max', 'mean'].map((name) => name.padStart(10)).join('')}`,
    latencyRow('TTFT', result.latencyMs.ttft, 'no successful request'),
    latencyRow('ITL', result.latencyMs.itl, result.stream ? 'no reply with two tokens or more' : 'not measured without --stream'),
    latencyRow('end-to-end', result.latencyMs.e2e, 'no successful request'),
    '',
    `generator overhead: ${result.overhead.cpuMicrosPerRequest.toFixed(0)} µs CPU per request, event-loop delay p99 ${result.overhead.eventLoopDelayP99Ms.toFixed(1)} ms` +
      ` (${result.machine.cpus} CPUs, Node ${result.machine.node})`,
  ];
  if (!result.stream) lines.push('note: without --stream, TTFT is the end-to-end latency.');
  if (result.overhead.eventLoopDelayP99Ms > SATURATED_EVENT_LOOP_DELAY_MS) {
    lines.push('warning: the generator\'s own event loop was often late; it may have been the bottleneck (use fewer in flight per process).');
  }
  return lines.join('\n') + '\n';
}

/** The live one-line progress shown on a terminal. */
export function formatProgressLine(progress: LoadProgress): string {
  return (
    `${progress.elapsedS.toFixed(1)} s  sent ${progress.sent}  ok ${progress.ok}  errors ${progress.errors}` +
    `  in flight ${progress.inFlight}  p50 ${Number.isNaN(progress.p50Ms) ? '-' : `${formatMs(progress.p50Ms)} ms`}`
  );
}
