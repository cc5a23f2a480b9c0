/**
 * What tracing costs: the same Switchboard with tracing off and on (exporting OTLP/HTTP protobuf
 * to a collector process on loopback), side by side in one run. CPU of the server process per
 * request and per streamed token comes from /proc/<pid>/stat; start-up time and idle memory
 * from spawn to readiness. The variants alternate so that drift of the shared machine falls on both.
 */

import { setTimeout as delay } from 'node:timers/promises';
import { runLoad, type LoadOptions } from '../src/lab/load-generator.js';
import { log, withCpuAccounting } from './bench-load.js';
import { BenchProcess, freePort } from './bench-process.js';
import { round } from './bench-report.js';
import { prepareSwitchboard, startSimulator, startSwitchboard, type SimulatorSettings, type SwitchboardSetup } from './bench-servers.js';

export interface TracingBenchOptions {
  durationS: number;
  warmupS: number;
  /** Rounds of every measurement per variant, alternating off and on. */
  rounds: number;
  coldRuns: number;
  /** Non-streamed chat completions per second (open loop). */
  rate: number;
  /** Streamed turns in flight (closed loop). */
  concurrency: number;
  /** Output tokens of the short and the long streamed turn: the difference separates per-token from per-turn cost. */
  shortTokens: number;
  longTokens: number;
  /** Another build's CLI (without tracing) to start as a baseline for start-up and idle memory. */
  baselineCli?: string;
}

export type TracingVariant = 'off' | 'on';

export interface CpuSample {
  requests: number;
  tokens: number;
  switchboardCpuS: number;
  /** Spans the collector received during the step. */
  spans: number;
  errors: number;
  e2eP50Ms: number;
}

export interface ColdStartSample {
  readyMs: number;
  idleRssMb: number;
}

export interface TracingBenchResult {
  options: TracingBenchOptions;
  backend: SimulatorSettings;
  /** Per variant, per round. */
  chat: Record<TracingVariant, CpuSample[]>;
  shortTurns: Record<TracingVariant, CpuSample[]>;
  longTurns: Record<TracingVariant, CpuSample[]>;
  coldStart: Record<TracingVariant | 'baseline', ColdStartSample[]>;
  /** Medians over the rounds, in microseconds of Switchboard CPU. */
  summary: Record<TracingVariant, { perChatRequestUs: number; perTurnUs: number; perStreamedTokenUs: number; spansPerChatRequest: number; spansPerTurn: number; readyMs: number; idleRssMb: number }> & { baseline?: { readyMs: number; idleRssMb: number } };
}

/** The mock answers at once: what is measured is Switchboard's own work. */
const backend: SimulatorSettings = { ttftMs: 0, itlMs: 0, outputTokens: 512, maxNumSeqs: 4096 };

const median = (values: number[]): number => {
  const sorted = values.filter((value) => Number.isFinite(value)).sort((left, right) => left - right);
  if (sorted.length === 0) return Number.NaN;
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

async function collectorStats(url: string): Promise<{ spans: number; rejected: number }> {
  return (await (await fetch(`${url}/stats`)).json()) as { spans: number; rejected: number };
}

async function startCollector(): Promise<{ process: BenchProcess; url: string }> {
  const port = await freePort();
  const child = new BenchProcess('collector', process.execPath, [new URL('./otlp-sink.js', import.meta.url).pathname], { env: { PORT: String(port) } });
  const url = `http://127.0.0.1:${port}`;
  await child.waitForHttp(`${url}/stats`);
  return { process: child, url };
}

function variantEnv(variant: TracingVariant, collectorUrl: string): Record<string, string> {
  // Off is the default: no endpoint. On is what an operator sets: the collector's base URL.
  return variant === 'on' ? { OTEL_EXPORTER_OTLP_ENDPOINT: collectorUrl } : { OTEL_EXPORTER_OTLP_ENDPOINT: '' };
}

async function measureStep(label: string, server: { process: BenchProcess; url: string }, setup: SwitchboardSetup, collectorUrl: string, load: Omit<LoadOptions, 'url' | 'apiKey' | 'model'>): Promise<CpuSample> {
  const before = await collectorStats(collectorUrl);
  const { value, cpuSeconds } = await withCpuAccounting([server.process], () => runLoad({ ...load, url: server.url, apiKey: setup.apiKey, model: setup.route }));
  // The spans of the step's last requests are exported within the batch delay (2 s by default).
  await delay(2_500);
  const after = await collectorStats(collectorUrl);
  const sample: CpuSample = {
    requests: value.ok,
    tokens: value.tokens.total,
    switchboardCpuS: cpuSeconds.switchboard ?? Number.NaN,
    spans: after.spans - before.spans,
    errors: value.errors,
    e2eP50Ms: round(value.latencyMs.e2e?.p50 ?? Number.NaN, 2),
  };
  log(`  ${label}: ${sample.requests} ok, ${sample.errors} errors, ${sample.tokens} tokens, Switchboard CPU ${sample.switchboardCpuS.toFixed(2)} s, ${sample.spans} spans, e2e p50 ${sample.e2eP50Ms} ms`);
  return sample;
}

export async function runTracingBench(options: TracingBenchOptions): Promise<TracingBenchResult> {
  log('tracing overhead: starting the mock and the collector');
  const simulator = await startSimulator('mock-llm', backend);
  const collector = await startCollector();
  const setup = await prepareSwitchboard([simulator.url]);
  const variants: TracingVariant[] = ['off', 'on'];
  const result: TracingBenchResult = {
    options,
    backend,
    chat: { off: [], on: [] },
    shortTurns: { off: [], on: [] },
    longTurns: { off: [], on: [] },
    coldStart: { off: [], on: [], baseline: [] },
    summary: {} as TracingBenchResult['summary'],
  };
  try {
    for (let run = 0; run < options.coldRuns; run++) {
      for (const variant of variants) {
        const server = await startSwitchboard(setup, { env: variantEnv(variant, collector.url) });
        await delay(2_000);
        result.coldStart[variant].push({ readyMs: round(server.readyMs, 1), idleRssMb: round(server.process.memory()?.rssMb ?? Number.NaN, 1) });
        await server.process.stop();
      }
      if (options.baselineCli) result.coldStart.baseline.push(await baselineColdStart(options.baselineCli, setup));
      log(`cold start ${run + 1}/${options.coldRuns}: ${(['off', 'on', 'baseline'] as const).map((name) => { const sample = result.coldStart[name].at(-1); return sample ? `${name} ${sample.readyMs} ms ${sample.idleRssMb} MB` : ''; }).filter(Boolean).join(', ')}`);
    }
    for (let round = 0; round < options.rounds; round++) {
      for (const variant of round % 2 === 0 ? variants : [...variants].reverse()) {
        log(`round ${round + 1}/${options.rounds}, tracing ${variant}`);
        const server = await startSwitchboard(setup, { env: variantEnv(variant, collector.url) });
        try {
          const closed = { kind: 'closed', concurrency: options.concurrency } as const;
          await runLoad({ url: server.url, apiKey: setup.apiKey, model: setup.route, mode: 'turn', stream: true, maxTokens: options.shortTokens, loop: closed, durationS: options.warmupS });
          await runLoad({ url: server.url, apiKey: setup.apiKey, model: setup.route, mode: 'chat', stream: false, maxTokens: 1, loop: closed, durationS: options.warmupS });
          // The warm-up's last spans are exported before anything is counted.
          await delay(2_500);
          result.chat[variant].push(await measureStep(`chat completions at ${options.rate}/s`, server, setup, collector.url, { mode: 'chat', stream: false, maxTokens: 1, loop: { kind: 'open', rate: options.rate }, durationS: options.durationS }));
          result.shortTurns[variant].push(await measureStep(`streamed turns, ${options.shortTokens} tokens`, server, setup, collector.url, { mode: 'turn', stream: true, maxTokens: options.shortTokens, loop: closed, durationS: options.durationS }));
          result.longTurns[variant].push(await measureStep(`streamed turns, ${options.longTokens} tokens`, server, setup, collector.url, { mode: 'turn', stream: true, maxTokens: options.longTokens, loop: closed, durationS: options.durationS }));
        } finally {
          await server.process.stop();
        }
      }
    }
    const rejected = (await collectorStats(collector.url)).rejected;
    if (rejected > 0) throw new Error(`the collector could not decode ${rejected} exports`);
  } finally {
    await collector.process.stop();
    await simulator.process.stop();
    setup.cleanup();
  }
  for (const variant of variants) result.summary[variant] = summarize(result, variant);
  if (result.coldStart.baseline.length > 0) {
    result.summary.baseline = { readyMs: round(median(result.coldStart.baseline.map((sample) => sample.readyMs)), 1), idleRssMb: round(median(result.coldStart.baseline.map((sample) => sample.idleRssMb)), 1) };
  }
  return result;
}

/**
 * Per-turn and per-token CPU from the short and the long turns of one round: CPU per turn grows
 * linearly with its tokens, so the slope is the cost of a token and the intercept that of the turn.
 */
function summarize(result: TracingBenchResult, variant: TracingVariant): TracingBenchResult['summary'][TracingVariant] {
  const perRequestUs = (sample: CpuSample) => (sample.switchboardCpuS * 1e6) / sample.requests;
  const perToken: number[] = [];
  const perTurn: number[] = [];
  result.shortTurns[variant].forEach((short, index) => {
    const long = result.longTurns[variant][index]!;
    const tokensShort = short.tokens / short.requests;
    const tokensLong = long.tokens / long.requests;
    const slope = (perRequestUs(long) - perRequestUs(short)) / (tokensLong - tokensShort);
    perToken.push(slope);
    perTurn.push(perRequestUs(short) - slope * tokensShort);
  });
  const cold = result.coldStart[variant];
  return {
    perChatRequestUs: round(median(result.chat[variant].map(perRequestUs)), 1),
    perTurnUs: round(median(perTurn), 1),
    perStreamedTokenUs: round(median(perToken), 2),
    spansPerChatRequest: round(median(result.chat[variant].map((sample) => sample.spans / sample.requests)), 2),
    spansPerTurn: round(median(result.shortTurns[variant].map((sample) => sample.spans / sample.requests)), 2),
    readyMs: round(median(cold.map((sample) => sample.readyMs)), 1),
    idleRssMb: round(median(cold.map((sample) => sample.idleRssMb)), 1),
  };
}

async function baselineColdStart(cli: string, setup: SwitchboardSetup): Promise<ColdStartSample> {
  const port = await freePort();
  const child = new BenchProcess('baseline', process.execPath, [cli, 'serve', '--config', setup.configPath, '--port', String(port), '--data-dir', setup.dataDir]);
  try {
    const readyMs = await child.waitForHttp(`http://127.0.0.1:${port}/readyz`);
    await delay(2_000);
    return { readyMs: round(readyMs, 1), idleRssMb: round(child.memory()?.rssMb ?? Number.NaN, 1) };
  } finally {
    await child.stop();
  }
}
