/**
 * Gateway overhead: the same OpenAI-compatible mock called directly, through Switchboard's
 * /v1/chat/completions and through Portkey's gateway, in one run: a closed loop at 64
 * connections (throughput, p50/p99) and an open loop at 1,000 requests/s (latency added over direct).
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LoadOptions } from '../src/lab/load-generator.js';
import { log, measure, type LoadSummary } from './bench-load.js';
import { MemorySampler, type BenchProcess } from './bench-process.js';
import { round } from './bench-report.js';
import { prepareSwitchboard, startPortkey, startSimulator, startSwitchboard, type SimulatorSettings } from './bench-servers.js';
import { findProfile, summarizeProfile, type ProfileSummary } from './cpu-profile-summary.js';

export interface GatewayOverheadOptions {
  durationS: number;
  warmupS: number;
  concurrency: number;
  rate: number;
  /** Also profile Switchboard under the closed loop (a separate run, so the measured one is not slowed by the profiler). */
  profile: boolean;
}

export type GatewayTarget = 'direct' | 'switchboard' | 'portkey';

export interface GatewayOverheadResult {
  backend: SimulatorSettings;
  options: GatewayOverheadOptions;
  closedLoop: Record<GatewayTarget, LoadSummary>;
  openLoop: Record<GatewayTarget, LoadSummary>;
  /** Open-loop latency added over direct, in ms. */
  added: Record<'switchboard' | 'portkey', { p50: number; p99: number }>;
  peakRssMb: Record<'switchboard' | 'portkey', number>;
  switchboardProfile?: ProfileSummary;
}

/** The fastest answer the mock gives (no delay, one token): what is left is the cost of the hops. */
export const gatewayBackend: SimulatorSettings = { ttftMs: 0, itlMs: 0, outputTokens: 1, maxNumSeqs: 4096 };

export async function runGatewayOverheadBench(options: GatewayOverheadOptions): Promise<GatewayOverheadResult> {
  log('gateway overhead: starting the mock, Switchboard and Portkey');
  const simulator = await startSimulator('mock-llm', gatewayBackend);
  const setup = await prepareSwitchboard([simulator.url]);
  const profileDir = mkdtempSync(join(tmpdir(), 'switchboard-bench-profile-'));
  try {
    const switchboard = await startSwitchboard(setup);
    const portkey = await startPortkey(simulator.url);
    const memory = new MemorySampler([switchboard.process, portkey.process]);
    const targets: { name: GatewayTarget; load: Pick<LoadOptions, 'url' | 'model' | 'apiKey'>; processes: BenchProcess[] }[] = [
      { name: 'direct', load: { url: simulator.url, model: 'switchboard-sim' }, processes: [simulator.process] },
      { name: 'switchboard', load: { url: switchboard.url, model: setup.route, apiKey: setup.apiKey }, processes: [simulator.process, switchboard.process] },
      { name: 'portkey', load: { url: portkey.url, model: 'switchboard-sim', apiKey: 'sk-bench' }, processes: [simulator.process, portkey.process] },
    ];
    const closedLoop = {} as Record<GatewayTarget, LoadSummary>;
    const openLoop = {} as Record<GatewayTarget, LoadSummary>;
    const closed = { kind: 'closed', concurrency: options.concurrency } as const;
    for (const target of targets) {
      // JIT and connection pools warm before anything is measured.
      await measure(`warm-up ${target.name}`, { ...target.load, mode: 'chat', stream: false, loop: closed, durationS: options.warmupS }, target.processes);
      closedLoop[target.name] = await measure(`closed loop ${options.concurrency} → ${target.name}`, { ...target.load, mode: 'chat', stream: false, loop: closed, durationS: options.durationS }, target.processes);
    }
    for (const target of targets) {
      openLoop[target.name] = await measure(
        `open loop ${options.rate}/s → ${target.name}`,
        { ...target.load, mode: 'chat', stream: false, loop: { kind: 'open', rate: options.rate }, durationS: options.durationS },
        target.processes,
      );
    }
    const peaks = memory.stop();
    const added = (target: 'switchboard' | 'portkey') => ({
      p50: round((openLoop[target].e2eMs?.p50 ?? Number.NaN) - (openLoop.direct.e2eMs?.p50 ?? Number.NaN)),
      p99: round((openLoop[target].e2eMs?.p99 ?? Number.NaN) - (openLoop.direct.e2eMs?.p99 ?? Number.NaN)),
    });
    const result: GatewayOverheadResult = {
      backend: gatewayBackend,
      options,
      closedLoop,
      openLoop,
      added: { switchboard: added('switchboard'), portkey: added('portkey') },
      peakRssMb: { switchboard: round(peaks.get(switchboard.process) ?? Number.NaN, 1), portkey: round(peaks.get(portkey.process) ?? Number.NaN, 1) },
    };
    await portkey.process.stop();
    await switchboard.process.stop();

    if (options.profile) {
      log('gateway overhead: profiling Switchboard under the closed loop (separate run)');
      const profiled = await startSwitchboard(setup, { nodeFlags: ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] });
      const load = { url: profiled.url, model: setup.route, apiKey: setup.apiKey, mode: 'chat', stream: false, loop: closed } as const;
      await measure('profiled warm-up → switchboard', { ...load, durationS: options.warmupS }, [profiled.process]);
      await measure('profiled closed loop → switchboard', { ...load, durationS: options.durationS }, [profiled.process]);
      await profiled.process.stop();
      const path = findProfile(profileDir);
      if (path) result.switchboardProfile = summarizeProfile(path);
      else log('gateway overhead: the profiled Switchboard wrote no profile');
    }
    return result;
  } finally {
    await simulator.process.stop();
    setup.cleanup();
    rmSync(profileDir, { recursive: true, force: true });
  }
}
