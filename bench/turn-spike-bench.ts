/**
 * The non-streamed turn spike on its own: N simultaneous turns on a 4 s backend, straight to the
 * simulator and through Switchboard's full pipeline in one run, with the server's CPU per turn read
 * from /proc over the spike alone (session creation and the untimed warm-up of `warmUpForSpike` excluded) and, with BENCH_PROFILE=1, a CPU
 * profile of a repeat. `node dist/bench/turn-spike-bench.js`; prints JSON, writes no docs.
 *
 * Environment: BENCH_SPIKE (5000), BENCH_RUNS (2, measured spikes through Switchboard, each on a fresh server),
 * BENCH_PROFILE (0), BENCH_PROFILE_OUT (a directory to keep the .cpuprofile in), BENCH_BASELINE_CLI (another
 * build's dist/bin/switchboard.mjs: each run then measures it and this build in turn, side by side), BENCH_FLOOR (1: each
 * run also sends the spike as chat completions through the bare Node proxy, the floor of CPU per relayed request),
 * BENCH_NODE_FLAGS (space-separated node flags for this build's server only: with BENCH_BASELINE_CLI naming this same
 * build, an A/B of a runtime flag such as --max-semi-space-size), BENCH_MODES (`turn`; `chat,turn` also sends the spike as
 * chat completions through each build, on its own fresh server, so every row's CPU per request sits beside the floor's;
 * BENCH_PROFILE then profiles the first mode listed).
 */

import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LoadOptions } from '../src/lab/load-generator.js';
import { runLoad } from '../src/lab/load-generator.js';
import { describe, log, measure, summarize, type LoadSummary } from './bench-load.js';
import { intSetting, runBench } from './bench-main.js';
import { round } from './bench-report.js';
import { prepareSwitchboard, startSimulator, startSwitchboard, type SwitchboardSetup } from './bench-servers.js';
import { findProfile, summarizeProfile, type ProfileSummary } from './cpu-profile-summary.js';
import { startNodeProxy } from './relay-floor-bench.js';
import { nonStreamedBackend, warmUpForSpike } from './spike-bench.js';

type SpikeMode = 'chat' | 'turn';

interface TurnSpikeRun {
  mode: SpikeMode;
  summary: LoadSummary;
  /** Server CPU over the spike (after the sessions exist) divided by the requests answered (turns, or chat completions in chat mode). */
  serverCpuMicrosPerTurn: number;
  addedP50Ms: number;
  addedP99Ms: number;
}

async function turnSpike(mode: SpikeMode, setup: SwitchboardSetup, spike: number, direct: LoadSummary, nodeFlags: string[] = [], cli?: string): Promise<TurnSpikeRun> {
  const server = await startSwitchboard(setup, { nodeFlags, cli });
  let cpuAtStart = Number.NaN;
  const load: LoadOptions = {
    url: server.url,
    apiKey: setup.apiKey,
    mode,
    ...(mode === 'chat' ? { model: setup.route } : {}),
    stream: false,
    loop: { kind: 'spike', spike },
    timeoutS: 180,
    maxSeconds: 400,
    onMeasuredStart: () => (cpuAtStart = server.process.cpuSeconds()),
  };
  const what = mode === 'chat' ? 'chat completions' : 'turns';
  await warmUpForSpike(what, { ...load, onMeasuredStart: undefined });
  const result = await runLoad(load);
  const cpuSeconds = server.process.cpuSeconds() - cpuAtStart;
  await server.process.stop();
  const summary = summarize(`Switchboard ${what} (not streamed)`, result, { switchboard: round(cpuSeconds, 2) }, 0);
  log(`  ${what}${cli ? ` (${cli})` : ''}: ${describe(summary)}, ${round((cpuSeconds * 1e6) / Math.max(1, summary.ok))} µs CPU per request`);
  return {
    mode,
    summary,
    serverCpuMicrosPerTurn: round((cpuSeconds * 1e6) / Math.max(1, summary.ok)),
    addedP50Ms: round((summary.e2eMs?.p50 ?? Number.NaN) - (direct.e2eMs?.p50 ?? Number.NaN)),
    addedP99Ms: round((summary.e2eMs?.p99 ?? Number.NaN) - (direct.e2eMs?.p99 ?? Number.NaN)),
  };
}

async function main(): Promise<void> {
  const spike = intSetting('BENCH_SPIKE', 5_000);
  const runs = intSetting('BENCH_RUNS', 2, 0);
  const nodeFlags = (process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter((flag) => flag !== '');
  const modes = (process.env.BENCH_MODES ?? 'turn').split(',').map((mode) => mode.trim());
  for (const mode of modes) if (mode !== 'chat' && mode !== 'turn') throw new Error(`BENCH_MODES takes chat and turn, not ${JSON.stringify(mode)}`);
  const simulator = await startSimulator('mock-llm-4s', nonStreamedBackend);
  const setup = await prepareSwitchboard([simulator.url]);
  const baselineCli = process.env.BENCH_BASELINE_CLI || undefined;
  // The baseline's own data directory, made by it: this build's file may be at a schema the baseline refuses.
  const baselineSetup = baselineCli ? await prepareSwitchboard([simulator.url], baselineCli) : undefined;
  const profileDir = mkdtempSync(join(tmpdir(), 'switchboard-turn-spike-profile-'));
  try {
    const directLoad: LoadOptions = { url: simulator.url, mode: 'chat', model: 'switchboard-sim', stream: false, loop: { kind: 'spike', spike }, timeoutS: 180, maxSeconds: 400 };
    const directSpike = async () => {
      await warmUpForSpike('direct', directLoad);
      return measure(`direct spike ${spike} (not streamed)`, directLoad, [simulator.process]);
    };
    // Each run measures the simulator straight first, so "added over direct" compares spikes minutes apart at most on a shared machine.
    const directs: LoadSummary[] = [];
    const measured: TurnSpikeRun[] = [];
    const baseline: TurnSpikeRun[] = [];
    const floor: { cpuMicrosPerRequest: number; addedP99Ms: number; errors: number }[] = [];
    for (let run = 0; run < runs; run++) {
      const direct = await directSpike();
      directs.push(direct);
      if (process.env.BENCH_FLOOR === '1') {
        const proxy = await startNodeProxy(simulator.url);
        const proxyLoad: LoadOptions = { ...directLoad, url: proxy.url };
        await warmUpForSpike('bare Node proxy', proxyLoad);
        const relayed = await measure(`spike ${spike} → bare Node proxy`, proxyLoad, [proxy.process]);
        await proxy.process.stop();
        floor.push({ cpuMicrosPerRequest: round(((relayed.cpuSeconds['node-proxy'] ?? Number.NaN) * 1e6) / Math.max(1, relayed.ok)), addedP99Ms: round((relayed.e2eMs?.p99 ?? Number.NaN) - (direct.e2eMs?.p99 ?? Number.NaN)), errors: relayed.errors });
      }
      // Alternate which build goes first, so a drift in the machine's load (or the simulator's state) falls on both.
      for (const mode of modes as SpikeMode[]) {
        if (baselineCli && run % 2 === 0) baseline.push(await turnSpike(mode, baselineSetup!, spike, direct, [], baselineCli));
        measured.push(await turnSpike(mode, setup, spike, direct, nodeFlags));
        if (baselineCli && run % 2 === 1) baseline.push(await turnSpike(mode, baselineSetup!, spike, direct, [], baselineCli));
      }
    }
    // A profiled repeat of the spike (not a measured run), of the baseline build too when one is given.
    const profileOf = async (label: string, cli?: string): Promise<ProfileSummary | undefined> => {
      const directory = join(profileDir, label);
      await turnSpike(modes[0] as SpikeMode, cli ? baselineSetup! : setup, spike, directs[0] ?? (await directSpike()), [...(cli ? [] : nodeFlags), '--cpu-prof', `--cpu-prof-dir=${directory}`], cli);
      const path = findProfile(directory);
      if (!path) return undefined;
      if (process.env.BENCH_PROFILE_OUT) copyFileSync(path, join(process.env.BENCH_PROFILE_OUT, `turn-spike-${label}-${Date.now()}.cpuprofile`));
      return summarizeProfile(path, 30);
    };
    let profile: ProfileSummary | undefined;
    let baselineProfile: ProfileSummary | undefined;
    if (process.env.BENCH_PROFILE === '1') {
      if (baselineCli) baselineProfile = await profileOf('baseline', baselineCli);
      profile = await profileOf('this-build');
    }
    const view = (run: TurnSpikeRun) => ({ mode: run.mode, ok: run.summary.ok, errors: run.summary.errors, errorsByKind: run.summary.errorsByKind, e2eMs: run.summary.e2eMs, serverCpuMicrosPerTurn: run.serverCpuMicrosPerTurn, addedP50Ms: run.addedP50Ms, addedP99Ms: run.addedP99Ms });
    const report = { spike, direct: directs.map((direct) => ({ e2eMs: direct.e2eMs, errors: direct.errors })), runs: measured.map(view), ...(baselineCli ? { baselineCli, baseline: baseline.map(view), baselineProfile } : {}), ...(floor.length > 0 ? { floor } : {}), profile };
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } finally {
    await simulator.process.stop();
    setup.cleanup();
    baselineSetup?.cleanup();
    rmSync(profileDir, { recursive: true, force: true });
  }
}

runBench('turn spike bench', main);
