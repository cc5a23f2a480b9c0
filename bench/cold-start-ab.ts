/**
 * Cold start of two or more Switchboard builds side by side, interleaved round by round with
 * `node -e ''`, so a change's effect on start-up is read on the same noisy machine at the same
 * moments. Per start: spawn to the first `/readyz` 200, the server's CPU at that moment and 2 s
 * later with nothing asked of it (all threads, from /proc/<pid>/task/<tid>/schedstat, in ns), the idle RSS then, and then
 * the latency of the first and the second non-streamed chat request (a first request that pays for
 * what start-up left undone shows here). Each build serves from ROOT/dist/bin/switchboard.mjs with the bench's config and SQLite.
 *   node dist/bench/cold-start-ab.js ROOT [ROOT…] [--rounds N] [--node-flags "--flag …"] [--env LABEL:NAME=VALUE]
 * A ROOT may be given as LABEL=ROOT (one root may be listed twice under two labels); `--node-flags`
 * apply to every build's server; `--env` sets a variable for one label's servers only (e.g.
 * NODE_DISABLE_COMPILE_CACHE=1). Another node binary is chosen with COLD_AB_NODE=/path/to/node,
 * which `node -e ''` uses too.
 */

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { BenchProcess, freePort, stopAll } from './bench-process.js';
import { prepareSwitchboard, startSimulator, type SwitchboardSetup } from './bench-servers.js';

interface Build {
  label: string;
  cli: string;
  env: Record<string, string>;
  setup?: SwitchboardSetup;
}

interface StartSample {
  readyMs: number;
  cpuToReadyMs: number;
  cpuTo2sMs: number;
  idleRssMb: number;
  firstRequestMs: number;
  secondRequestMs: number;
}

const args = process.argv.slice(2);
let rounds = 5;
let nodeFlags: string[] = [];
const roots: string[] = [];
const envs: string[] = [];
for (let index = 0; index < args.length; index++) {
  const arg = args[index]!;
  if (arg === '--rounds') rounds = Number(args[++index]);
  else if (arg === '--node-flags') nodeFlags = (args[++index] ?? '').split(' ').filter(Boolean);
  else if (arg === '--env') envs.push(args[++index] ?? '');
  else roots.push(arg);
}
if (roots.length === 0 || !Number.isInteger(rounds) || rounds < 1) throw new Error('usage: cold-start-ab.js ROOT [ROOT…] [--rounds N] [--node-flags "…"]');
const nodePath = process.env.COLD_AB_NODE ?? process.execPath;
const builds: Build[] = roots.map((root) => {
  const [label, path] = root.includes('=') ? (root.split('=', 2) as [string, string]) : [root, root];
  return { label, cli: join(path, 'dist', 'bin', 'switchboard.mjs'), env: {} };
});
for (const setting of envs) {
  const match = /^([^:]+):([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(setting);
  const build = match ? builds.find((candidate) => candidate.label === match[1]) : undefined;
  if (!match || !build) throw new Error(`--env ${setting}: expected LABEL:NAME=VALUE with a LABEL of the builds`);
  build.env[match[2]!] = match[3]!;
}

/**
 * CPU time of every thread of the process so far, in ms, from /proc/<pid>/task/<tid>/schedstat
 * (nanoseconds on the CPU): the 10 ms ticks of /proc/<pid>/stat are too coarse for a start that
 * differs by a few ms. Threads that have exited (none do during a start) are not counted.
 */
function threadsCpuMs(pid: number): number {
  let nanoseconds = 0;
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    try {
      nanoseconds += Number(readFileSync(`/proc/${pid}/task/${task}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // Gone between the listing and the read.
    }
  }
  return nanoseconds / 1e6;
}

async function timedChat(url: string, setup: SwitchboardSetup): Promise<number> {
  const started = performance.now();
  const response = await fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${setup.apiKey}` },
    body: JSON.stringify({ model: setup.route, stream: false, messages: [{ role: 'user', content: 'Where is my order 12345?' }] }),
  });
  await response.arrayBuffer();
  if (response.status !== 200) throw new Error(`chat request answered ${response.status}`);
  return performance.now() - started;
}

async function sampleStart(build: Build): Promise<StartSample> {
  const setup = build.setup!;
  const port = await freePort();
  const child = new BenchProcess(`switchboard ${build.label}`, nodePath, [build.cli, 'serve', '--config', setup.configPath, '--port', String(port), '--data-dir', setup.dataDir], { nodeFlags, env: build.env });
  try {
    const url = `http://127.0.0.1:${port}`;
    const readyMs = await child.waitForHttp(`${url}/readyz`, 15_000, 2);
    const cpuToReadyMs = threadsCpuMs(child.pid);
    // Idle: nothing asked of the server between ready and this reading.
    await delay(Math.max(0, 2_000 - (performance.now() - child.startedAt - readyMs)));
    const cpuTo2sMs = threadsCpuMs(child.pid);
    const idleRssMb = child.memory()?.rssMb ?? Number.NaN;
    const firstRequestMs = await timedChat(url, setup);
    const secondRequestMs = await timedChat(url, setup);
    return { readyMs, cpuToReadyMs, cpuTo2sMs, idleRssMb, firstRequestMs, secondRequestMs };
  } finally {
    await child.stop();
  }
}

async function emptyNode(): Promise<number> {
  const child = new BenchProcess("node -e ''", nodePath, ['-e', '']);
  await child.completed(30_000);
  return performance.now() - child.startedAt;
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((left, right) => left - right);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};
const figure = (values: number[], digits = 0): string => `${median(values).toFixed(digits)} (${Math.min(...values).toFixed(digits)}–${Math.max(...values).toFixed(digits)})`;

// The simulator answers at once: the first request's latency is Switchboard's own.
const upstream = await startSimulator('mock-llm', { ttftMs: 1, itlMs: 0, outputTokens: 4, maxNumSeqs: 64 });
// fetch loads its internals on first use; that must not count against the first server timed.
await fetch(`${upstream.url}/health`).then((response) => response.arrayBuffer());
const samples = new Map<string, StartSample[]>(builds.map((build) => [build.label, []]));
const floors: number[] = [];
// Per round, each build's spawn to ready over that round's `node -e ''` (the floor moves with the load).
const ratios = new Map<string, number[]>(builds.map((build) => [build.label, []]));
try {
  // A data directory per build, made by that build: a file a newer build made may be at a schema an older one refuses.
  for (const build of builds) build.setup = await prepareSwitchboard([upstream.url], build.cli);
  // One start of each, not counted: the first read of the files from disk.
  for (const build of builds) await sampleStart(build);
  for (let round = 0; round < rounds; round++) {
    // Rotate who goes first, so a drift in the machine's load falls on every build alike.
    const order = builds.map((_, index) => builds[(index + round) % builds.length]!);
    const floor = await emptyNode();
    floors.push(floor);
    const line: string[] = [`node -e '' ${floor.toFixed(0)} ms`];
    for (const build of order) {
      const sample = await sampleStart(build);
      samples.get(build.label)!.push(sample);
      ratios.get(build.label)!.push(sample.readyMs / floor);
      line.push(`${build.label} ${sample.readyMs.toFixed(0)} ms (${(sample.readyMs / floor).toFixed(2)}×) cpu ${sample.cpuToReadyMs.toFixed(0)} ms first ${sample.firstRequestMs.toFixed(1)} ms rss ${sample.idleRssMb.toFixed(1)} MB`);
    }
    process.stderr.write(`round ${round + 1}/${rounds}: ${line.join(' · ')}\n`);
  }
  const rows = builds.map((build) => {
    const list = samples.get(build.label)!;
    const pick = (key: keyof StartSample): number[] => list.map((sample) => sample[key]);
    return `| ${build.label} | ${figure(pick('readyMs'))} | ${figure(ratios.get(build.label)!, 2)}× | ${figure(pick('cpuToReadyMs'))} | ${figure(pick('cpuTo2sMs'))} | ${figure(pick('idleRssMb'), 1)} | ${figure(pick('firstRequestMs'), 1)} | ${figure(pick('secondRequestMs'), 1)} |`;
  });
  process.stdout.write(
    [
      `node ${nodePath === process.execPath ? process.version : nodePath}, ${rounds} rounds${envs.length > 0 ? ` (env: ${envs.join(', ')})` : ''}, median (range) in ms; ratio per round to that round's \`node -e ''\`${nodeFlags.length > 0 ? `; server flags: ${nodeFlags.join(' ')}` : ''}`,
      '',
      "| build | spawn to ready | ÷ `node -e ''` | CPU to ready | CPU to 2 s after ready (idle) | idle RSS, MB | first chat request | second |",
      '| --- | --- | --- | --- | --- | --- | --- | --- |',
      ...rows,
      `| \`node -e ''\` | ${figure(floors)} | 1 | | | | | |`,
      '',
    ].join('\n'),
  );
} finally {
  for (const build of builds) build.setup?.cleanup();
  await stopAll();
}
