/**
 * Cold start: from process spawn to the first 200 of the readiness endpoint, and the idle RSS
 * after, for Switchboard and Portkey; the import time of agent-squad, for reference.
 */

import { setTimeout as delay } from 'node:timers/promises';
import { log } from './bench-load.js';
import { BenchProcess } from './bench-process.js';
import { round } from './bench-report.js';
import { peersDir, prepareSwitchboard, requirePeers, startPortkey, startSwitchboard, type RunningServer } from './bench-servers.js';

export interface ColdStartSample {
  readyMs: number;
  idleRssMb: number;
}

export interface ColdStartRow {
  /** Medians of the samples. */
  readyMs: number;
  idleRssMb: number;
  samples: ColdStartSample[];
}

export interface ColdStartResult {
  runs: number;
  /** How long after ready the idle RSS is read. */
  settleMs: number;
  switchboard: ColdStartRow;
  portkey: ColdStartRow;
  agentSquadImport: { importMs: number; rssMb: number; samples: { importMs: number; rssMb: number }[] };
  /** Spawn to exit of `node -e ''`: the floor any Node server's cold start sits on, on this machine at this moment. */
  emptyNodeMs: number;
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((left, right) => left - right);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

function row(samples: ColdStartSample[]): ColdStartRow {
  return { readyMs: round(median(samples.map((sample) => sample.readyMs)), 1), idleRssMb: round(median(samples.map((sample) => sample.idleRssMb)), 1), samples };
}

async function sampleStart(start: () => Promise<RunningServer & { readyMs: number }>, settleMs: number): Promise<ColdStartSample> {
  const server = await start();
  try {
    await delay(settleMs);
    return { readyMs: round(server.readyMs, 1), idleRssMb: round(server.process.memory()?.rssMb ?? Number.NaN, 1) };
  } finally {
    await server.process.stop();
  }
}

const importScript = `
const started = performance.now();
await import('agent-squad');
const importMs = performance.now() - started;
process.stdout.write(JSON.stringify({ importMs, rssMb: process.memoryUsage().rss / 2 ** 20 }) + '\\n');
`;

async function emptyNodeMs(): Promise<number> {
  const child = new BenchProcess('node -e ""', process.execPath, ['-e', '']);
  await child.completed(30_000);
  return performance.now() - child.startedAt;
}

export async function runColdStartBench(runs: number, settleMs = 2_000): Promise<ColdStartResult> {
  // The readiness target (a pool instance) need not answer: start-up does not call it.
  const setup = await prepareSwitchboard(['http://127.0.0.1:9']);
  // fetch loads its internals on first use; that must not count against the first server timed.
  await fetch('http://127.0.0.1:9/').catch(() => undefined);
  try {
    const switchboard: ColdStartSample[] = [];
    const portkey: ColdStartSample[] = [];
    // The floor is sampled in the same rounds as the servers, so a ratio to it compares moments of
    // the same load (on a shared machine `node -e ''` itself moves by half between minutes).
    const emptyNode: number[] = [];
    for (let run = 0; run < runs; run++) {
      emptyNode.push(await emptyNodeMs());
      switchboard.push(await sampleStart(() => startSwitchboard(setup), settleMs));
      portkey.push(await sampleStart(() => startPortkey('http://127.0.0.1:9'), settleMs));
      log(`cold start ${run + 1}/${runs}: node -e '' ${emptyNode.at(-1)!.toFixed(0)} ms, Switchboard ${switchboard.at(-1)!.readyMs} ms ${switchboard.at(-1)!.idleRssMb} MB, Portkey ${portkey.at(-1)!.readyMs} ms ${portkey.at(-1)!.idleRssMb} MB`);
    }
    const imports: { importMs: number; rssMb: number }[] = [];
    for (let run = 0; run < runs; run++) {
      // From bench/peers, where agent-squad is installed.
      requirePeers();
      const child = new BenchProcess('agent-squad import', process.execPath, ['--input-type=module', '-e', importScript], { cwd: peersDir });
      const output = await child.completed(60_000);
      const parsed = JSON.parse(output.trim().split('\n').at(-1)!) as { importMs: number; rssMb: number };
      imports.push({ importMs: round(parsed.importMs, 1), rssMb: round(parsed.rssMb, 1) });
    }
    log(`agent-squad import: ${imports.map((sample) => `${sample.importMs} ms`).join(', ')}`);
    log(`empty node process: ${emptyNode.map((value) => `${value.toFixed(0)} ms`).join(', ')}`);
    return {
      runs,
      settleMs,
      switchboard: row(switchboard),
      portkey: row(portkey),
      agentSquadImport: { importMs: round(median(imports.map((sample) => sample.importMs)), 1), rssMb: round(median(imports.map((sample) => sample.rssMb)), 1), samples: imports },
      emptyNodeMs: round(median(emptyNode), 1),
    };
  } finally {
    setup.cleanup();
  }
}
