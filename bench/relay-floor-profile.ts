/**
 * CPU profiles of Switchboard's relay under the relay-floor bench's loads, one scenario per profiled process:
 * `chat` (non-streamed, wrk -t1 -c64), `chat-stream` and `turns-stream` (N concurrent streams of 50 tokens), and
 * `proxy-stream`: the bare Node proxy under chat-stream's load, the floor's own profile to compare with.
 * Prints self and inclusive time of the busiest frames; the measured bench runs unprofiled, so this only says where time goes.
 *   node dist/bench/relay-floor-profile.js [chat|chat-stream|turns-stream|proxy-stream …]   (RELAY_PROFILE_SECONDS, RELAY_PROFILE_STREAMS, RELAY_PROFILE_DIR)
 */

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { log, measure } from './bench-load.js';
import { BenchProcess, freePort, stopAll } from './bench-process.js';
import { findProfile, summarizeInclusive, summarizeProfile } from './cpu-profile-summary.js';
import { prepareSwitchboard, repositoryRoot, startSimulator, type SwitchboardSetup } from './bench-servers.js';
import { relayNonStreamedBackend, relayStreamedBackend, warmUpStreamed } from './relay-floor-bench.js';
import { runWrk } from './wrk-load.js';

type Scenario = 'chat' | 'chat-stream' | 'turns-stream' | 'proxy-stream';
const scenarios: Scenario[] = ['chat', 'chat-stream', 'turns-stream', 'proxy-stream'];

const seconds = Number(process.env.RELAY_PROFILE_SECONDS ?? 8);
const streams = Number(process.env.RELAY_PROFILE_STREAMS ?? 300);
const outputDir = process.env.RELAY_PROFILE_DIR ?? mkdtempSync(join(tmpdir(), 'relay-profile-'));

/** The unbundled compile (dist/src), so the profile names source files; the bundle runs the same code. */
async function startProfiled(setup: SwitchboardSetup, directory: string): Promise<{ process: BenchProcess; url: string }> {
  const port = await freePort();
  const main = join(repositoryRoot, 'dist', 'src', 'cli', 'main.js');
  const child = new BenchProcess('switchboard', process.execPath, [main, 'serve', '--config', setup.configPath, '--port', String(port), '--data-dir', setup.dataDir], {
    nodeFlags: ['--cpu-prof', `--cpu-prof-dir=${directory}`],
  });
  const url = `http://127.0.0.1:${port}`;
  await child.waitForHttp(`${url}/readyz`);
  return { process: child, url };
}

/** The bare Node proxy, profiled: what the floor itself spends its time on. */
async function startProfiledProxy(upstreamUrl: string, directory: string): Promise<{ process: BenchProcess; url: string }> {
  const port = await freePort();
  const child = new BenchProcess('node-proxy', process.execPath, [join(repositoryRoot, 'dist', 'bench', 'bare-node-proxy.js')], {
    env: { PORT: String(port), UPSTREAM_URL: upstreamUrl },
    nodeFlags: ['--cpu-prof', `--cpu-prof-dir=${directory}`],
  });
  const url = `http://127.0.0.1:${port}`;
  await child.waitForHttp(`${url}/health`, 15_000, 20);
  return { process: child, url };
}

async function profile(scenario: Scenario): Promise<void> {
  const streamed = scenario !== 'chat';
  const proxied = scenario === 'proxy-stream';
  const upstream = await startSimulator('mock-llm', streamed ? relayStreamedBackend : relayNonStreamedBackend);
  const setup = await prepareSwitchboard([upstream.url]);
  const directory = join(outputDir, scenario);
  const switchboard = proxied ? await startProfiledProxy(upstream.url, directory) : await startProfiled(setup, directory);
  let before = switchboard.process.cpuSeconds();
  let work = 0;
  if (!streamed) {
    const body = JSON.stringify({ model: setup.route, stream: false, messages: [{ role: 'user', content: 'Where is my order 12345?' }] });
    const wrk = await runWrk({ url: `${switchboard.url}/v1/chat/completions`, body, headers: { 'content-type': 'application/json', authorization: `Bearer ${setup.apiKey}` }, connections: 64, durationS: seconds });
    work = wrk.requests;
    log(`${scenario}: ${wrk.requestsPerSecond.toFixed(0)} req/s, errors ${wrk.errors}`);
  } else {
    const load = {
      url: switchboard.url,
      apiKey: proxied ? undefined : setup.apiKey,
      model: proxied ? 'switchboard-sim' : setup.route,
      mode: scenario === 'turns-stream' ? ('turn' as const) : ('chat' as const),
      stream: true,
      loop: { kind: 'closed' as const, concurrency: streams },
    };
    await warmUpStreamed(scenario, load, () => switchboard.process.cpuSeconds(), relayStreamedBackend.outputTokens);
    before = switchboard.process.cpuSeconds();
    const summary = await measure(`${scenario}`, { ...load, requests: streams * 4 }, []);
    work = summary.ok * relayStreamedBackend.outputTokens;
  }
  const cpu = switchboard.process.cpuSeconds() - before;
  log(`${scenario}: ${((cpu * 1e6) / Math.max(1, work)).toFixed(1)} µs CPU per ${streamed ? 'token' : 'request'} (profiled, so inflated)`);
  await switchboard.process.stop();
  await upstream.process.stop();
  setup.cleanup();
  const path = findProfile(directory);
  if (!path) throw new Error(`${scenario}: no profile written in ${directory}`);
  const self = summarizeProfile(path, 30);
  process.stdout.write(`\n## ${scenario}: ${path}\nbusy ${self.totalMs - self.idleMs} ms, GC ${self.garbageCollectorMs} ms\n\nself:\n`);
  for (const entry of self.top) process.stdout.write(`  ${(entry.busyShare * 100).toFixed(1).padStart(5)}%  ${String(entry.selfMs).padStart(6)} ms  ${entry.frame}\n`);
  process.stdout.write('\ninclusive:\n');
  for (const entry of summarizeInclusive(path, 45)) process.stdout.write(`  ${(entry.busyShare * 100).toFixed(1).padStart(5)}%  ${String(entry.selfMs).padStart(6)} ms  ${entry.frame}\n`);
}

const chosen = process.argv.slice(2).length > 0 ? (process.argv.slice(2) as Scenario[]) : scenarios;
for (const scenario of chosen) if (!scenarios.includes(scenario)) throw new RangeError(`unknown scenario ${scenario} (${scenarios.join(', ')})`);
try {
  for (const scenario of chosen) await profile(scenario);
} finally {
  await stopAll();
}
