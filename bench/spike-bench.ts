/**
 * The spike: 5,000 simultaneous orchestrated streaming turns through the whole pipeline against
 * LLM simulators, and the same spike sent straight to the simulators in the same run; then the
 * non-streamed variant with a 4 s backend, through Switchboard, Portkey and an agent-squad server.
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LoadOptions } from '../src/lab/load-generator.js';
import { log, measure, withCpuAccounting, summarize, type LatencyPair, type LoadSummary } from './bench-load.js';
import { MemorySampler, type BenchProcess } from './bench-process.js';
import { round } from './bench-report.js';
import { prepareSwitchboard, startAgentSquad, startPortkey, startSimulator, startSwitchboard, type RunningServer, type SimulatorSettings } from './bench-servers.js';
import { findProfile, summarizeProfile, type ProfileSummary } from './cpu-profile-summary.js';
import { runLoad } from '../src/lab/load-generator.js';
import { startNodeProxy } from './relay-floor-bench.js';

export interface SpikeOptions {
  spike: number;
  simulators: number;
  /** Profile Switchboard in a repeat of the streamed spike (the measured run is not profiled). */
  profile: boolean;
  /** Skip the non-streamed comparison with the peers. */
  streamOnly: boolean;
}

export interface EventLoopWindow {
  /** Seconds since the spike began, at the end of the window. */
  atS: number;
  lengthMs: number;
  /** Null when the loop recorded no sample in the window: it did not turn in that time, so its delay was at least the window's length. */
  p99Ms: number | null;
  maxMs: number | null;
}

export interface StreamSpikeResult {
  backend: SimulatorSettings & { instances: number };
  direct: LoadSummary & { halves?: LoadSummary[] };
  switchboard: LoadSummary;
  added: { ttftP50Ms: number; ttftP99Ms: number; e2eP50Ms: number; e2eP99Ms: number };
  switchboardPeakRssMb: number;
  /**
   * prom-client's nodejs_eventloop_lag_{p99,max}_seconds, scraped every second (each scrape covers the time since the one
   * before). The worst figure takes a window without samples as a delay of its whole length.
   */
  eventLoop: { worstWindowP99Ms: number; worstMaxMs: number; emptyWindows: number; windows: EventLoopWindow[] };
  switchboardProfile?: ProfileSummary;
}

export interface NonStreamedRow {
  target: string;
  summary: LoadSummary;
  peakRssMb: number | null;
  /** The server's own CPU over the spike (from /proc) divided by the requests it answered; null for the direct row. */
  serverCpuMicrosPerRequest: number | null;
  addedP50Ms: number;
  addedP99Ms: number;
}

export interface SpikeResult {
  options: SpikeOptions;
  stream: StreamSpikeResult;
  nonStreamed?: { backend: SimulatorSettings; warmUpRequests: number; rows: NonStreamedRow[] };
}

export const streamBackend: SimulatorSettings = { ttftMs: 500, itlMs: 40, outputTokens: 100, maxNumSeqs: 20_000 };
/** About 4 s per answer: 3.9 s to the first token, then two more tokens 40 ms apart. */
export const nonStreamedBackend: SimulatorSettings = { ttftMs: 3_900, itlMs: 40, outputTokens: 3, maxNumSeqs: 20_000 };

const spikeTimeouts = { timeoutS: 180, maxSeconds: 400 } as const;

/**
 * Requests each target answers, untimed, before its non-streamed spike. A flash sale hits processes that have been
 * serving: without it the first spike a fresh process sees measures its JIT and heap growth, and the targets did not
 * start even — a turn load creates its sessions first (5,000 requests through the same server), a chat load did not.
 */
export const spikeWarmUpRequests = 500;

/** Sends `spikeWarmUpRequests` simultaneous requests of the same load, untimed, and waits for them. */
export async function warmUpForSpike(label: string, load: LoadOptions): Promise<void> {
  const result = await runLoad({ ...load, loop: { kind: 'spike', spike: spikeWarmUpRequests } });
  log(`  warm-up ${label}: ${result.ok}/${result.requests} ok`);
}

/** Scrapes Switchboard's event-loop gauges every second; prom-client resets its histogram at each scrape. */
class EventLoopScraper {
  readonly samples: { at: number; p99Ms: number | null; maxMs: number | null }[] = [];
  readonly #timer: NodeJS.Timeout;
  #busy = false;

  constructor(private readonly url: string) {
    void this.#scrape();
    this.#timer = setInterval(() => void this.#scrape(), 1_000);
  }

  async #scrape(): Promise<void> {
    if (this.#busy) return;
    this.#busy = true;
    try {
      // A long timeout: a scrape that is answered late still reset the histogram, so giving up on it would lose its window.
      const text = await (await fetch(`${this.url}/metrics`, { signal: AbortSignal.timeout(120_000) })).text();
      const gauge = (name: string): number => Number(new RegExp(`^${name} (\\S+)`, 'm').exec(text)?.[1] ?? Number.NaN) * 1000;
      // An empty histogram reports max 0 (and min 2^63 ns): no sample in the window.
      const maxMs = gauge('nodejs_eventloop_lag_max_seconds');
      this.samples.push({ at: Date.now(), p99Ms: maxMs > 0 ? gauge('nodejs_eventloop_lag_p99_seconds') : null, maxMs: maxMs > 0 ? maxMs : null });
    } catch {
      // A scrape lost under load is a missing window, not a failure of the run.
    } finally {
      this.#busy = false;
    }
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    while (this.#busy) await new Promise((resolve) => setTimeout(resolve, 20));
    await this.#scrape();
  }

  /** The windows that overlap [startMs, endMs] (epoch ms). The worst window's p99 bounds the p99 of the whole spike from above. */
  windowsDuring(startMs: number, endMs: number): EventLoopWindow[] {
    const windows: EventLoopWindow[] = [];
    for (let index = 1; index < this.samples.length; index++) {
      const previous = this.samples[index - 1]!;
      const sample = this.samples[index]!;
      if (sample.at <= startMs || previous.at >= endMs) continue;
      windows.push({
        atS: round((sample.at - startMs) / 1000, 1),
        lengthMs: sample.at - previous.at,
        p99Ms: sample.p99Ms === null ? null : round(sample.p99Ms, 1),
        maxMs: sample.maxMs === null ? null : round(sample.maxMs, 1),
      });
    }
    return windows;
  }
}

/** Two halves of one spike fired in the same tick, one per simulator; percentiles of the whole lie between the halves'. */
function combineHalves(label: string, halves: LoadSummary[]): LoadSummary & { halves: LoadSummary[] } {
  const sum = (pick: (summary: LoadSummary) => number) => halves.reduce((total, half) => total + pick(half), 0);
  // The smaller of the halves' percentiles: the direct baseline at its best, so "added over direct" is not understated.
  const lower = (pick: (summary: LoadSummary) => LatencyPair | null): LatencyPair | null => {
    const pairs = halves.map(pick);
    if (pairs.some((value) => value === null)) return null;
    const values = pairs as LatencyPair[];
    return { p50: Math.min(...values.map((value) => value.p50)), p90: Math.min(...values.map((value) => value.p90)), p99: Math.min(...values.map((value) => value.p99)), max: Math.max(...values.map((value) => value.max)) };
  };
  const errorsByKind: Record<string, number> = {};
  for (const half of halves) for (const [kind, count] of Object.entries(half.errorsByKind)) errorsByKind[kind] = (errorsByKind[kind] ?? 0) + count;
  const cpuSeconds: Record<string, number> = {};
  for (const half of halves) for (const [name, seconds] of Object.entries(half.cpuSeconds)) cpuSeconds[name] = seconds;
  return {
    label,
    requests: sum((half) => half.requests),
    ok: sum((half) => half.ok),
    errors: sum((half) => half.errors),
    errorsByKind,
    durationS: Math.max(...halves.map((half) => half.durationS)),
    throughputRps: round(sum((half) => half.throughputRps)),
    ttftMs: lower((half) => half.ttftMs),
    itlMs: lower((half) => half.itlMs),
    e2eMs: lower((half) => half.e2eMs),
    generator: { cpuMicrosPerRequest: halves[0]!.generator.cpuMicrosPerRequest, eventLoopDelayP99Ms: Math.max(...halves.map((half) => half.generator.eventLoopDelayP99Ms)) },
    cpuSeconds,
    listenOverflows: halves[0]!.listenOverflows,
    halves,
  };
}

async function directStreamSpike(simulators: RunningServer[], spike: number): Promise<LoadSummary & { halves?: LoadSummary[] }> {
  const processes = simulators.map((simulator) => simulator.process);
  const share = Math.ceil(spike / simulators.length);
  const { value, cpuSeconds, overflows } = await withCpuAccounting(processes, () =>
    Promise.all(
      simulators.map((simulator, index) =>
        runLoad({ url: simulator.url, mode: 'chat', model: 'switchboard-sim', stream: true, loop: { kind: 'spike', spike: Math.min(share, spike - share * index) }, ...spikeTimeouts }),
      ),
    ),
  );
  const halves = value.map((result, index) => summarize(`direct → simulator ${index}`, result, cpuSeconds, overflows));
  const combined = halves.length === 1 ? halves[0]! : combineHalves(`direct spike ${spike}`, halves);
  log(`  direct spike ${spike}: ${combined.ok}/${combined.requests} ok, TTFT p50 ${combined.ttftMs?.p50} p99 ${combined.ttftMs?.p99} ms, e2e p50 ${combined.e2eMs?.p50} p99 ${combined.e2eMs?.p99} ms`);
  return combined;
}

async function streamSpike(options: SpikeOptions, profileDir: string): Promise<StreamSpikeResult> {
  log(`spike: starting ${options.simulators} simulators (TTFT ${streamBackend.ttftMs} ms, ${streamBackend.outputTokens} tokens at ${streamBackend.itlMs} ms)`);
  const simulators: RunningServer[] = [];
  for (let index = 0; index < options.simulators; index++) simulators.push(await startSimulator(`mock-llm-${index}`, { ...streamBackend, seed: index + 1 }));
  const setup = await prepareSwitchboard(simulators.map((simulator) => simulator.url));
  try {
    log(`spike: ${options.spike} streamed chat completions straight to the simulators`);
    const direct = await directStreamSpike(simulators, options.spike);

    const switchboard = await startSwitchboard(setup);
    const turnLoad: LoadOptions = { url: switchboard.url, apiKey: setup.apiKey, mode: 'turn', stream: true, loop: { kind: 'spike', spike: options.spike }, ...spikeTimeouts };
    log(`spike: ${options.spike} streamed turns through Switchboard (sessions are created first, untimed)`);
    const memory = new MemorySampler([switchboard.process]);
    const scraper = new EventLoopScraper(switchboard.url);
    const processes = [switchboard.process, ...simulators.map((simulator) => simulator.process)];
    const summary = await measure(`spike ${options.spike} turns → switchboard`, turnLoad, processes);
    const finishedAt = Date.now();
    await scraper.stop();
    const peak = memory.stop().get(switchboard.process) ?? Number.NaN;
    await switchboard.process.stop();
    const startedAt = finishedAt - summary.durationS * 1000;
    const windows = scraper.windowsDuring(startedAt, finishedAt);
    const result: StreamSpikeResult = {
      backend: { ...streamBackend, instances: options.simulators },
      direct,
      switchboard: summary,
      added: {
        ttftP50Ms: round((summary.ttftMs?.p50 ?? Number.NaN) - (direct.ttftMs?.p50 ?? Number.NaN)),
        ttftP99Ms: round((summary.ttftMs?.p99 ?? Number.NaN) - (direct.ttftMs?.p99 ?? Number.NaN)),
        e2eP50Ms: round((summary.e2eMs?.p50 ?? Number.NaN) - (direct.e2eMs?.p50 ?? Number.NaN)),
        e2eP99Ms: round((summary.e2eMs?.p99 ?? Number.NaN) - (direct.e2eMs?.p99 ?? Number.NaN)),
      },
      switchboardPeakRssMb: round(peak, 1),
      eventLoop: {
        worstWindowP99Ms: windows.length > 0 ? Math.max(...windows.map((window) => window.p99Ms ?? window.lengthMs)) : Number.NaN,
        worstMaxMs: windows.length > 0 ? Math.max(...windows.map((window) => window.maxMs ?? window.lengthMs)) : Number.NaN,
        emptyWindows: windows.filter((window) => window.p99Ms === null).length,
        windows,
      },
    };

    if (options.profile) {
      log('spike: profiling Switchboard in a repeat of the streamed spike (not the measured run)');
      const profiled = await startSwitchboard(setup, { nodeFlags: ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] });
      await measure(`profiled spike ${options.spike} turns → switchboard`, { ...turnLoad, url: profiled.url }, [profiled.process]);
      await profiled.process.stop();
      const path = findProfile(profileDir);
      if (path) result.switchboardProfile = summarizeProfile(path, 20);
    }
    return result;
  } finally {
    await Promise.all(simulators.map((simulator) => simulator.process.stop()));
    setup.cleanup();
  }
}

/** One spike against one server process, with that process's peak RSS. */
async function spikeAgainst(label: string, server: RunningServer, load: LoadOptions, backend: BenchProcess): Promise<{ summary: LoadSummary; peakRssMb: number; serverCpuMicrosPerRequest: number }> {
  await warmUpForSpike(label, load);
  const memory = new MemorySampler([server.process]);
  const summary = await measure(label, load, [server.process, backend]);
  const peak = memory.stop().get(server.process) ?? Number.NaN;
  const serverCpuSeconds = summary.cpuSeconds[server.process.name] ?? Number.NaN;
  return { summary, peakRssMb: round(peak, 1), serverCpuMicrosPerRequest: round((serverCpuSeconds * 1e6) / Math.max(1, summary.ok)) };
}

async function nonStreamedSpike(options: SpikeOptions): Promise<NonNullable<SpikeResult['nonStreamed']>> {
  log(`spike (not streamed): a simulator answering in about 4 s (TTFT ${nonStreamedBackend.ttftMs} ms + ${nonStreamedBackend.outputTokens} tokens)`);
  const simulator = await startSimulator('mock-llm-4s', nonStreamedBackend);
  const setup = await prepareSwitchboard([simulator.url]);
  const spike = { kind: 'spike', spike: options.spike } as const;
  const rows: { target: string; summary: LoadSummary; peakRssMb: number | null; serverCpuMicrosPerRequest: number | null }[] = [];
  try {
    const directLoad: LoadOptions = { url: simulator.url, mode: 'chat', model: 'switchboard-sim', stream: false, loop: spike, ...spikeTimeouts };
    await warmUpForSpike('direct', directLoad);
    const direct = await measure(`direct spike ${options.spike} (not streamed)`, directLoad, [simulator.process]);
    rows.push({ target: 'direct', summary: direct, peakRssMb: null, serverCpuMicrosPerRequest: null });

    // The floor of CPU per relayed request at this spike: every gateway's row below reads beside it.
    const proxy = await startNodeProxy(simulator.url);
    rows.push({ target: 'bare Node proxy (the floor)', ...(await spikeAgainst(`spike ${options.spike} → bare Node proxy`, proxy, { ...directLoad, url: proxy.url }, simulator.process)) });
    await proxy.process.stop();

    for (const mode of ['chat', 'turn'] as const) {
      const switchboard = await startSwitchboard(setup);
      const load: LoadOptions = { url: switchboard.url, apiKey: setup.apiKey, model: setup.route, mode, stream: false, loop: spike, ...spikeTimeouts };
      const label = mode === 'chat' ? 'Switchboard /v1/chat/completions' : 'Switchboard turns (full pipeline)';
      rows.push({ target: label, ...(await spikeAgainst(`spike ${options.spike} → ${label}`, switchboard, load, simulator.process)) });
      await switchboard.process.stop();
    }

    const portkey = await startPortkey(simulator.url);
    rows.push({
      target: 'Portkey gateway',
      ...(await spikeAgainst(`spike ${options.spike} → Portkey`, portkey, { url: portkey.url, apiKey: 'sk-bench', model: 'switchboard-sim', mode: 'chat', stream: false, loop: spike, ...spikeTimeouts }, simulator.process)),
    });
    await portkey.process.stop();

    const agentSquad = await startAgentSquad(simulator.url);
    rows.push({
      target: 'agent-squad server',
      ...(await spikeAgainst(`spike ${options.spike} → agent-squad`, agentSquad, { url: agentSquad.url, mode: 'turn', stream: false, loop: spike, ...spikeTimeouts }, simulator.process)),
    });
    await agentSquad.process.stop();
  } finally {
    await simulator.process.stop();
    setup.cleanup();
  }
  const base = rows[0]!.summary.e2eMs;
  return {
    backend: nonStreamedBackend,
    warmUpRequests: spikeWarmUpRequests,
    rows: rows.map((row) => ({
      ...row,
      addedP50Ms: round((row.summary.e2eMs?.p50 ?? Number.NaN) - (base?.p50 ?? Number.NaN)),
      addedP99Ms: round((row.summary.e2eMs?.p99 ?? Number.NaN) - (base?.p99 ?? Number.NaN)),
    })),
  };
}

export async function runSpikeBench(options: SpikeOptions): Promise<SpikeResult> {
  const profileDir = mkdtempSync(join(tmpdir(), 'switchboard-bench-profile-'));
  try {
    const stream = await streamSpike(options, profileDir);
    const result: SpikeResult = { options, stream };
    if (!options.streamOnly) result.nonStreamed = await nonStreamedSpike(options);
    return result;
  } finally {
    rmSync(profileDir, { recursive: true, force: true });
  }
}
