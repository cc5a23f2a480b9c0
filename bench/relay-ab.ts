/**
 * Two Switchboard builds side by side under the relay floor's loads, interleaved round by round, so a
 * change's effect on CPU per request and per streamed token is read on the same noisy machine at the
 * same moments. Each build serves from its own `dist/bin/switchboard.mjs`. The streamed scenarios run the
 * bare Node proxy in the same rounds too, so each build's ratio to the Node floor comes from one run.
 *   node dist/bench/relay-ab.js BEFORE_ROOT AFTER_ROOT [rounds]   (RELAY_AB_SECONDS, RELAY_AB_STREAMS,
 *   RELAY_AB_SCENARIOS=chat,chat-stream,turns-stream)
 */

import { join } from 'node:path';
import { log, measure } from './bench-load.js';
import { BenchProcess, freePort, stopAll } from './bench-process.js';
import { prepareSwitchboard, startSimulator, type SwitchboardSetup } from './bench-servers.js';
import { relayNonStreamedBackend, relayStreamedBackend, startNodeProxy, warmUpStreamed } from './relay-floor-bench.js';
import { runWrk } from './wrk-load.js';

const [beforeRoot, afterRoot, roundsText] = process.argv.slice(2);
if (!beforeRoot || !afterRoot) throw new Error('usage: relay-ab.js BEFORE_ROOT AFTER_ROOT [rounds]');
const rounds = Number(roundsText ?? 2);
const seconds = Number(process.env.RELAY_AB_SECONDS ?? 6);
const streams = Number(process.env.RELAY_AB_STREAMS ?? 300);
const chosen = (process.env.RELAY_AB_SCENARIOS ?? 'chat,chat-stream,turns-stream').split(',').map((name) => name.trim());

async function serve(root: string, setup: SwitchboardSetup): Promise<{ process: BenchProcess; url: string }> {
  const port = await freePort();
  const child = new BenchProcess(`switchboard ${root}`, process.execPath, [join(root, 'dist', 'bin', 'switchboard.mjs'), 'serve', '--config', setup.configPath, '--port', String(port), '--data-dir', setup.dataDir]);
  const url = `http://127.0.0.1:${port}`;
  await child.waitForHttp(`${url}/readyz`);
  return { process: child, url };
}

type Scenario = 'chat' | 'chat-stream' | 'turns-stream';

async function once(scenario: Scenario, server: { process: BenchProcess; url: string }, setup: SwitchboardSetup): Promise<number> {
  if (scenario === 'chat') {
    const load = { url: `${server.url}/v1/chat/completions`, body: JSON.stringify({ model: setup.route, stream: false, messages: [{ role: 'user', content: 'Where is my order 12345?' }] }), headers: { 'content-type': 'application/json', authorization: `Bearer ${setup.apiKey}` }, connections: 64 };
    await runWrk({ ...load, durationS: 2 });
    const before = server.process.cpuSeconds();
    const wrk = await runWrk({ ...load, durationS: seconds });
    return ((server.process.cpuSeconds() - before) * 1e6) / Math.max(1, wrk.requests);
  }
  return streamed(scenario, server, { apiKey: setup.apiKey, model: setup.route });
}

/** CPU per token of one streamed measurement (after the warm-up every gateway gets); the proxy passes no key and the mock's model. */
async function streamed(scenario: Scenario, server: { process: BenchProcess; url: string }, caller: { apiKey?: string; model: string }): Promise<number> {
  const load = { url: server.url, ...caller, mode: scenario === 'chat-stream' ? ('chat' as const) : ('turn' as const), stream: true, loop: { kind: 'closed' as const, concurrency: streams } };
  await warmUpStreamed(scenario, load, () => server.process.cpuSeconds(), relayStreamedBackend.outputTokens);
  const before = server.process.cpuSeconds();
  const summary = await measure(scenario, { ...load, requests: streams * 4 }, []);
  return ((server.process.cpuSeconds() - before) * 1e6) / Math.max(1, summary.ok * relayStreamedBackend.outputTokens);
}

const results: Record<string, { before: number[]; after: number[]; proxy: number[] }> = {};
try {
  for (const scenario of ['chat', 'chat-stream', 'turns-stream'] as Scenario[]) {
    if (!chosen.includes(scenario)) continue;
    const upstream = await startSimulator('mock-llm', scenario === 'chat' ? relayNonStreamedBackend : relayStreamedBackend);
    // A data directory (SQLite files, API key) per build: two processes never share a store.
    // Each made by its own build: a file the newer build made may be at a schema the older one refuses.
    const setups = { before: await prepareSwitchboard([upstream.url], join(beforeRoot, 'dist', 'bin', 'switchboard.mjs')), after: await prepareSwitchboard([upstream.url], join(afterRoot, 'dist', 'bin', 'switchboard.mjs')) };
    const servers = { before: await serve(beforeRoot, setups.before), after: await serve(afterRoot, setups.after) };
    // The Node floor (turns have no proxy equivalent: their ratio is to the same proxy's chat streams).
    const proxy = scenario === 'chat' ? undefined : await startNodeProxy(upstream.url);
    const figures = (results[scenario] = { before: [] as number[], after: [] as number[], proxy: [] as number[] });
    for (let round = 0; round < rounds; round++) {
      // Alternate which build goes first, so a drift in the machine's load falls on both.
      const order = round % 2 === 0 ? (['before', 'after'] as const) : (['after', 'before'] as const);
      for (const build of order) figures[build].push(await once(scenario, servers[build], setups[build]));
      if (proxy) figures.proxy.push(await streamed('chat-stream', proxy, { model: 'switchboard-sim' }));
      log(`${scenario} round ${round + 1}: before ${figures.before.at(-1)!.toFixed(1)} µs, after ${figures.after.at(-1)!.toFixed(1)} µs${proxy ? `, node proxy ${figures.proxy.at(-1)!.toFixed(1)} µs` : ''}`);
    }
    await proxy?.process.stop();
    await servers.before.process.stop();
    await servers.after.process.stop();
    await upstream.process.stop();
    setups.before.cleanup();
    setups.after.cleanup();
  }
} finally {
  await stopAll();
}
for (const [scenario, { before, after, proxy }] of Object.entries(results)) {
  const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
  // On a shared machine other work only ever adds CPU time: the median and the least of the rounds say more than the mean.
  const median = (values: number[]) => [...values].sort((left, right) => left - right)[Math.floor((values.length - 1) / 2)]!;
  const least = (values: number[]) => Math.min(...values);
  const ratios = (over: number[], under: number[]) => `${(mean(over) / mean(under)).toFixed(2)}× (median ${(median(over) / median(under)).toFixed(2)}×, least ${(least(over) / least(under)).toFixed(2)}×)`;
  const unit = scenario === 'chat' ? 'request' : 'token';
  const floor = proxy.length === 0 ? '' : `; node proxy ${proxy.map((value) => value.toFixed(1)).join(', ')} µs/token; before ÷ proxy ${ratios(before, proxy)}, after ÷ proxy ${ratios(after, proxy)}`;
  process.stdout.write(`${scenario}: before ${before.map((value) => value.toFixed(1)).join(', ')} µs/${unit}; after ${after.map((value) => value.toFixed(1)).join(', ')} µs/${unit}; after ÷ before ${ratios(after, before)}${floor}\n`);
}
