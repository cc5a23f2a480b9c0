/**
 * `npm run bench:tracing`: the overhead of tracing, off against on with a collector on loopback;
 * writes docs/benchmarks-tracing.json and its section of docs/benchmarks.md.
 *
 * Environment: TRACING_BENCH_SECONDS (8, per step), TRACING_BENCH_ROUNDS (2), TRACING_BENCH_COLD_RUNS (5),
 * TRACING_BENCH_RATE (300 chat completions/s), TRACING_BENCH_CONCURRENCY (16 streamed turns),
 * TRACING_BENCH_BASELINE_CLI (another build's dist/bin/switchboard.mjs, for start-up and memory before tracing existed).
 */

import { runBench, writeBenchDocs } from './bench-main.js';
import { log } from './bench-load.js';
import { round, runContext, table, type RunContext } from './bench-report.js';
import { runTracingBench, type CpuSample, type TracingBenchResult } from './tracing-overhead-bench.js';

function setting(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new RangeError(`${name} must be a positive number, got ${raw}`);
  return value;
}

const mb = (value: number) => (Number.isFinite(value) ? `${value.toFixed(1)} MB` : '–');
const us = (value: number) => (Number.isFinite(value) ? `${value >= 100 ? Math.round(value) : value.toFixed(1)} µs` : '–');
const added = (off: number, on: number, unit: (value: number) => string) => `${on - off >= 0 ? '+' : '−'}${unit(Math.abs(on - off))} (${off > 0 ? `${on >= off ? '+' : '−'}${Math.abs(((on - off) / off) * 100).toFixed(0)} %` : '–'})`;

function perRound(samples: CpuSample[]): string {
  return samples.map((sample) => `${us((sample.switchboardCpuS * 1e6) / sample.requests)} (${sample.requests} req, ${sample.spans} spans)`).join('; ');
}

function render(result: TracingBenchResult, context: RunContext): string {
  const { off, on, baseline } = result.summary;
  const o = result.options;
  const rows: (string | number)[][] = [
    ['CPU per non-streamed chat completion', us(off.perChatRequestUs), us(on.perChatRequestUs), added(off.perChatRequestUs, on.perChatRequestUs, us)],
    ['CPU per streamed turn, fixed part (auth, session, intent, agent, save)', us(off.perTurnUs), us(on.perTurnUs), added(off.perTurnUs, on.perTurnUs, us)],
    ['CPU per streamed token', us(off.perStreamedTokenUs), us(on.perStreamedTokenUs), added(off.perStreamedTokenUs, on.perStreamedTokenUs, us)],
    ['spans exported per chat completion / per turn', `${off.spansPerChatRequest} / ${off.spansPerTurn}`, `${on.spansPerChatRequest} / ${on.spansPerTurn}`, ''],
    [`start-up, spawn to /readyz 200 (median of ${o.coldRuns})`, `${off.readyMs} ms`, `${on.readyMs} ms`, `${on.readyMs - off.readyMs >= 0 ? '+' : '−'}${Math.abs(round(on.readyMs - off.readyMs, 1))} ms`],
    ['idle RSS 2 s after ready', mb(off.idleRssMb), mb(on.idleRssMb), `${on.idleRssMb - off.idleRssMb >= 0 ? '+' : '−'}${Math.abs(round(on.idleRssMb - off.idleRssMb, 1))} MB`],
  ];
  const lines = [
    '## Tracing overhead',
    '',
    `Machine: ${context.machine.cpuCount} × ${context.machine.cpuModel}, ${context.machine.memoryGiB} GiB, ${context.machine.os}; Node ${context.machine.node}. Commit ${context.commit.slice(0, 12)}${context.dirty ? ' (with uncommitted changes)' : ''}; ${context.date.slice(0, 10)}; 1-minute load average at start ${context.loadAverageAtStart}. Command: \`${context.command}\`. Raw numbers: [benchmarks-tracing.json](benchmarks-tracing.json).`,
    '',
    `The same Switchboard (\`switchboard serve\`, the bench config, SQLite) with tracing off and on — on is \`OTEL_EXPORTER_OTLP_ENDPOINT\` pointing at a collector process on loopback that decodes every OTLP/HTTP protobuf export — against a mock that answers at once. CPU is the server process's user + system time from \`/proc/<pid>/stat\` over each step, divided by the requests (or tokens) served. ${o.rounds} rounds per variant, off and on alternating, ${o.durationS} s per step after ${o.warmupS} s of warm-up; figures are medians over the rounds. Non-streamed chat completions run open-loop at ${o.rate}/s; streamed turns run closed-loop at ${o.concurrency} in flight, once with ${o.shortTokens} and once with ${o.longTokens} output tokens: the slope between the two is the cost of a streamed token, the rest the cost of the turn.`,
    '',
    table(['', 'tracing off', 'tracing on', 'added by tracing'], rows),
    '',
  ];
  if (baseline) lines.push(`Before tracing existed (\`${o.baselineCli}\`, same config, same run): start-up ${baseline.readyMs} ms, idle RSS ${mb(baseline.idleRssMb)} — against tracing off ${off.readyMs} ms, ${mb(off.idleRssMb)}.`, '');
  lines.push(
    'Per round, Switchboard CPU per request:',
    '',
    table(
      ['step', 'tracing off', 'tracing on'],
      [
        ['chat completions', perRound(result.chat.off), perRound(result.chat.on)],
        [`turns, ${o.shortTokens} tokens`, perRound(result.shortTurns.off), perRound(result.shortTurns.on)],
        [`turns, ${o.longTokens} tokens`, perRound(result.longTurns.off), perRound(result.longTurns.on)],
      ],
    ),
  );
  return lines.join('\n');
}

async function main(): Promise<void> {
  const seconds = setting('TRACING_BENCH_SECONDS', 8);
  const options = {
    durationS: seconds,
    warmupS: 2,
    rounds: setting('TRACING_BENCH_ROUNDS', 2),
    coldRuns: setting('TRACING_BENCH_COLD_RUNS', 5),
    rate: setting('TRACING_BENCH_RATE', 300),
    concurrency: setting('TRACING_BENCH_CONCURRENCY', 16),
    shortTokens: 16,
    longTokens: 256,
    baselineCli: process.env.TRACING_BENCH_BASELINE_CLI || undefined,
  };
  const context = runContext('npm run bench:tracing');
  const result = await runTracingBench(options);
  writeBenchDocs('tracing', 'benchmarks-tracing.json', { context, ...result }, render(result, context));
  log(JSON.stringify(result.summary));
}

runBench('tracing bench', main);
