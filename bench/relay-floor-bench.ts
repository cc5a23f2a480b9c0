/**
 * The relay at the runtime's floor: the same OpenAI-compatible mock behind nginx (the C floor),
 * a bare Node proxy (the Node floor), Switchboard's /v1/chat/completions, Switchboard's turns and
 * Portkey, in one run. Each gateway's own CPU is read from /proc over the measured window and
 * divided by the work relayed — a figure that holds on a noisy machine where wall-clock times do
 * not. Non-streamed load comes from wrk (-t1 -c64); streamed load is N concurrent streams of 50
 * tokens at 20 ms from the lab's load generator.
 */

import { join } from 'node:path';
import { log, measure, type LoadSummary } from './bench-load.js';
import type { LoadOptions } from '../src/lab/load-generator.js';
import { BenchProcess, freePort, type BenchProcess as Process } from './bench-process.js';
import { round } from './bench-report.js';
import { prepareSwitchboard, repositoryRoot, startPortkey, startSimulator, startSwitchboard, type RunningServer, type SimulatorSettings } from './bench-servers.js';
import { findNginx, startNginx } from './nginx-reference.js';
import { findWrk, runWrk, type WrkResult } from './wrk-load.js';

export type RelayGateway = 'nginx' | 'node-proxy' | 'switchboard-chat' | 'switchboard-turns' | 'portkey';

export interface RelayOptions {
  /** Seconds of wrk per gateway (after as long again of warm-up). */
  durationS: number;
  /** Concurrent streams of the streamed measurement. */
  streams: number;
  /** Streamed requests per gateway (closed loop at `streams`). */
  streamedRequests: number;
}

export interface NonStreamedRow {
  gateway: RelayGateway;
  wrk: WrkResult;
  /** The gateway's CPU over the window, divided by the requests wrk completed. */
  cpuMicrosPerRequest: number;
}

export interface StreamedRow {
  gateway: RelayGateway;
  summary: LoadSummary;
  tokens: number;
  cpuMicrosPerToken: number;
}

export interface RelayResult {
  options: RelayOptions;
  backends: { nonStreamed: SimulatorSettings; streamed: SimulatorSettings };
  /** Rows left out, with the reason (nginx or wrk not installed, a peer not installed). */
  skipped: { gateway: RelayGateway | 'wrk'; reason: string }[];
  nonStreamed: NonStreamedRow[];
  streamed: StreamedRow[];
}

export const relayNonStreamedBackend: SimulatorSettings = { ttftMs: 0, itlMs: 0, outputTokens: 1, maxNumSeqs: 4096 };
export const relayStreamedBackend: SimulatorSettings = { ttftMs: 50, itlMs: 20, outputTokens: 50, maxNumSeqs: 4096 };

interface Gateway {
  name: RelayGateway;
  server: RunningServer;
  /** Processes whose CPU is the gateway's (nginx: the whole group). */
  cpu: () => number;
  chatPath: string;
  headers: Record<string, string>;
  model: string;
  apiKey?: string;
  stop(): Promise<void>;
}

const chatBody = (model: string, stream: boolean) =>
  JSON.stringify({ model, stream, ...(stream ? { stream_options: { include_usage: true } } : {}), messages: [{ role: 'user', content: 'Where is my order 12345?' }] });

/** The bare Node pass-through proxy (bench/bare-node-proxy.ts) in its own process, in front of `upstreamUrl`. */
export async function startNodeProxy(upstreamUrl: string): Promise<RunningServer> {
  const port = await freePort();
  const child = new BenchProcess('node-proxy', process.execPath, [join(repositoryRoot, 'dist', 'bench', 'bare-node-proxy.js')], { env: { PORT: String(port), UPSTREAM_URL: upstreamUrl } });
  const url = `http://127.0.0.1:${port}`;
  await child.waitForHttp(`${url}/health`, 15_000, 20);
  return { process: child, url, port };
}

async function startGateways(upstream: RunningServer, skipped: RelayResult['skipped'], withTurns: boolean): Promise<Gateway[]> {
  const gateways: Gateway[] = [];
  const nginx = findNginx();
  if ('path' in nginx) {
    const server = await startNginx(nginx.path, upstream.url);
    gateways.push({ name: 'nginx', server, cpu: () => server.process.groupCpuSeconds(), chatPath: '/v1/chat/completions', headers: {}, model: 'switchboard-sim', stop: async () => (await server.process.stop(), server.cleanup()) });
  } else {
    skipped.push({ gateway: 'nginx', reason: nginx.missing });
  }
  const proxy = await startNodeProxy(upstream.url);
  gateways.push({ name: 'node-proxy', server: proxy, cpu: () => proxy.process.cpuSeconds(), chatPath: '/v1/chat/completions', headers: {}, model: 'switchboard-sim', stop: () => proxy.process.stop() });
  const setup = await prepareSwitchboard([upstream.url]);
  const switchboard = await startSwitchboard(setup);
  const auth = { authorization: `Bearer ${setup.apiKey}` };
  const stopSwitchboard = async () => (await switchboard.process.stop(), setup.cleanup());
  gateways.push({ name: 'switchboard-chat', server: switchboard, cpu: () => switchboard.process.cpuSeconds(), chatPath: '/v1/chat/completions', headers: auth, model: setup.route, apiKey: setup.apiKey, stop: async () => undefined });
  if (withTurns) gateways.push({ name: 'switchboard-turns', server: switchboard, cpu: () => switchboard.process.cpuSeconds(), chatPath: '', headers: auth, model: setup.route, apiKey: setup.apiKey, stop: stopSwitchboard });
  else gateways[gateways.length - 1]!.stop = stopSwitchboard;
  try {
    const portkey = await startPortkey(upstream.url);
    gateways.push({ name: 'portkey', server: portkey, cpu: () => portkey.process.cpuSeconds(), chatPath: '/v1/chat/completions', headers: { authorization: 'Bearer sk-bench' }, model: 'switchboard-sim', apiKey: 'sk-bench', stop: () => portkey.process.stop() });
  } catch (error) {
    skipped.push({ gateway: 'portkey', reason: `Portkey did not start (npm run bench:peers installs it): ${(error as Error).message.split('\n')[0]}` });
  }
  return gateways;
}

async function stopGateways(gateways: Gateway[]): Promise<void> {
  for (const gateway of gateways) await gateway.stop();
}

async function measureNonStreamed(gateways: Gateway[], options: RelayOptions): Promise<NonStreamedRow[]> {
  const rows: NonStreamedRow[] = [];
  for (const gateway of gateways) {
    if (gateway.name === 'switchboard-turns') continue;
    const load = { url: `${gateway.server.url}${gateway.chatPath}`, body: chatBody(gateway.model, false), headers: { 'content-type': 'application/json', ...gateway.headers }, connections: 64 };
    await runWrk({ ...load, durationS: Math.max(2, Math.round(options.durationS / 2)) });
    const before = gateway.cpu();
    const wrk = await runWrk({ ...load, durationS: options.durationS });
    const cpuSeconds = gateway.cpu() - before;
    const row: NonStreamedRow = { gateway: gateway.name, wrk, cpuMicrosPerRequest: round((cpuSeconds * 1e6) / Math.max(1, wrk.requests), 1) };
    log(`  not streamed → ${gateway.name}: ${wrk.requestsPerSecond.toFixed(0)} req/s, p99 ${wrk.latencyMs.p99.toFixed(2)} ms, errors ${wrk.errors}, ${row.cpuMicrosPerRequest} µs CPU per request`);
    rows.push(row);
  }
  return rows;
}

/** Warm-up waves (one wave: as many streams as the load keeps open) at least, and at most, per gateway. */
const warmUpWaves = { min: 3, max: 6 };
/** A wave's CPU per token within this share of the wave before it: the gateway is warm (JIT, heap, upstream connections). */
const stableWithin = 0.1;

/**
 * Streamed warm-up, the same for every gateway: waves of `concurrency` streams until the gateway's CPU
 * per token has settled (two waves in a row within 10%), so the measured window sees no process's first
 * load — a fresh process compiles and grows its heap through its first few thousand tokens, and a single
 * wave left that cost in the TTFT tail of whichever gateway warmed slowest.
 */
export async function warmUpStreamed(label: string, load: Omit<LoadOptions, 'requests'>, cpu: () => number, tokensPerStream: number): Promise<number> {
  const wave = load.loop.kind === 'closed' ? load.loop.concurrency : 100;
  let previous: number | undefined;
  for (let round = 1; ; round++) {
    const before = cpu();
    const summary = await measure(`warm-up ${round} streamed → ${label}`, { ...load, requests: wave }, []);
    const perToken = ((cpu() - before) * 1e6) / Math.max(1, summary.ok * tokensPerStream);
    const settled = previous !== undefined && Math.abs(perToken - previous) <= stableWithin * previous;
    previous = perToken;
    if (round >= warmUpWaves.max || (round >= warmUpWaves.min && settled)) return round;
  }
}

async function measureStreamed(gateways: Gateway[], options: RelayOptions, tokensPerStream: number): Promise<StreamedRow[]> {
  const rows: StreamedRow[] = [];
  for (const gateway of gateways) {
    const turns = gateway.name === 'switchboard-turns';
    const load = {
      url: gateway.server.url,
      apiKey: gateway.apiKey,
      model: gateway.model,
      mode: turns ? ('turn' as const) : ('chat' as const),
      stream: true,
      loop: { kind: 'closed' as const, concurrency: options.streams },
    };
    await warmUpStreamed(gateway.name, load, gateway.cpu, tokensPerStream);
    const before = gateway.cpu();
    const summary = await measure(`${options.streams} streams → ${gateway.name}`, { ...load, requests: options.streamedRequests }, [] as Process[]);
    const cpuSeconds = gateway.cpu() - before;
    const tokens = summary.ok * tokensPerStream;
    rows.push({ gateway: gateway.name, summary, tokens, cpuMicrosPerToken: round((cpuSeconds * 1e6) / Math.max(1, tokens), 2) });
    log(`  streamed → ${gateway.name}: ${rows.at(-1)!.cpuMicrosPerToken} µs CPU per token, TTFT p99 ${summary.ttftMs?.p99.toFixed(1)} ms`);
  }
  return rows;
}

export async function runRelayFloorBench(options: RelayOptions): Promise<RelayResult> {
  const result: RelayResult = { options, backends: { nonStreamed: relayNonStreamedBackend, streamed: relayStreamedBackend }, skipped: [], nonStreamed: [], streamed: [] };
  const wrk = findWrk();
  if (wrk) {
    log('relay floor: non-streamed (wrk -t1 -c64)');
    const upstream = await startSimulator('mock-llm', relayNonStreamedBackend);
    const gateways = await startGateways(upstream, result.skipped, false);
    try {
      result.nonStreamed = await measureNonStreamed(gateways, options);
    } finally {
      await stopGateways(gateways);
      await upstream.process.stop();
    }
  } else {
    result.skipped.push({ gateway: 'wrk', reason: 'wrk is not installed (apt-get install wrk); the non-streamed rows are skipped' });
  }
  log(`relay floor: streamed (${options.streams} streams × ${relayStreamedBackend.outputTokens} tokens at ${relayStreamedBackend.itlMs} ms)`);
  const upstream = await startSimulator('mock-llm', relayStreamedBackend);
  const skippedStreamed: RelayResult['skipped'] = [];
  const gateways = await startGateways(upstream, skippedStreamed, true);
  try {
    result.streamed = await measureStreamed(gateways, options, relayStreamedBackend.outputTokens);
  } finally {
    await stopGateways(gateways);
    await upstream.process.stop();
  }
  for (const skip of skippedStreamed) if (!result.skipped.some((known) => known.gateway === skip.gateway)) result.skipped.push(skip);
  return result;
}
