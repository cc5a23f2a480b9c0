/**
 * `npm run bench`: cold start, gateway overhead and the spike, each server in its own process;
 * writes docs/benchmarks.json and this benchmark's section of docs/benchmarks.md.
 *
 * Environment: BENCH_ONLY=cold,gateway,relay,spike (default all), BENCH_STREAMS (300) and BENCH_STREAMED_REQUESTS (1500) for the relay floor, BENCH_SPIKE (5000), BENCH_SECONDS (8,
 * per gateway measurement), BENCH_SIMULATORS (2, for the streamed spike), BENCH_PROFILE (1: also
 * profile Switchboard in separate runs), BENCH_COLD_RUNS (5), BENCH_DOCS_DIR (docs/).
 */

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { log } from './bench-load.js';
import { checkTargets, renderMarkdown, type BenchResults } from './bench-markdown.js';
import { stopAll } from './bench-process.js';
import { runContext, writeJson, writeMarkdownSection } from './bench-report.js';
import { repositoryRoot } from './bench-servers.js';
import { runColdStartBench } from './cold-start-bench.js';
import { runGatewayOverheadBench } from './gateway-overhead-bench.js';
import { runRelayFloorBench } from './relay-floor-bench.js';
import { runSpikeBench } from './spike-bench.js';

const sectionStart = '<!-- bench:start -->';
const sectionEnd = '<!-- bench:end -->';

function intSetting(name: string, fallback: number, minimum = 1): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < minimum) throw new RangeError(`${name} must be an integer ≥ ${minimum}, got ${raw}`);
  return value;
}

async function main(): Promise<number> {
  const only = new Set((process.env.BENCH_ONLY ?? 'cold,gateway,relay,spike').split(',').map((name) => name.trim()).filter(Boolean));
  for (const name of only) if (!['cold', 'gateway', 'relay', 'spike'].includes(name)) throw new RangeError(`BENCH_ONLY names unknown scenario "${name}" (cold, gateway, relay, spike)`);
  const spike = intSetting('BENCH_SPIKE', 5_000);
  const seconds = intSetting('BENCH_SECONDS', 8);
  const simulators = intSetting('BENCH_SIMULATORS', 2);
  const coldRuns = intSetting('BENCH_COLD_RUNS', 5);
  const profile = process.env.BENCH_PROFILE !== '0';
  const docsDir = process.env.BENCH_DOCS_DIR ?? join(repositoryRoot, 'docs');
  // Made before the run, not found missing after minutes of it.
  mkdirSync(docsDir, { recursive: true });
  const settings = [...only].sort().join(',') === 'cold,gateway,relay,spike' && spike === 5_000 && seconds === 8 ? '' : ` (BENCH_ONLY=${[...only].join(',')} BENCH_SPIKE=${spike} BENCH_SECONDS=${seconds})`;
  const results: Omit<BenchResults, 'targets'> = { context: runContext(`npm run bench${settings}`), failures: [] };
  const startedAt = performance.now();

  const run = async (scenario: string, body: () => Promise<void>): Promise<void> => {
    if (!only.has(scenario)) return;
    try {
      await body();
    } catch (error) {
      log(`${scenario} failed: ${(error as Error).stack ?? String(error)}`);
      results.failures.push({ scenario, error: (error as Error).message });
    } finally {
      await stopAll();
    }
  };
  await run('cold', async () => {
    results.coldStart = await runColdStartBench(coldRuns);
  });
  await run('gateway', async () => {
    results.gateway = await runGatewayOverheadBench({ durationS: seconds, warmupS: 2, concurrency: 64, rate: 1_000, profile });
  });
  await run('relay', async () => {
    results.relay = await runRelayFloorBench({ durationS: seconds, streams: intSetting('BENCH_STREAMS', 300), streamedRequests: intSetting('BENCH_STREAMED_REQUESTS', 1_500) });
  });
  await run('spike', async () => {
    results.spike = await runSpikeBench({ spike, simulators, profile, streamOnly: false });
  });

  const complete: BenchResults = { ...results, targets: checkTargets(results) };
  writeJson(join(docsDir, 'benchmarks.json'), complete);
  writeMarkdownSection(join(docsDir, 'benchmarks.md'), sectionStart, sectionEnd, renderMarkdown(complete));
  log(`done in ${((performance.now() - startedAt) / 1000).toFixed(0)} s; wrote ${join(docsDir, 'benchmarks.md')} and benchmarks.json`);
  for (const check of complete.targets) log(`  ${check.met ? 'met   ' : 'MISSED'} ${check.name}: ${check.measured} (goal ${check.target})${check.by ? `, ${check.by}` : ''}`);
  return results.failures.length > 0 ? 1 : 0;
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    log(`${signal}: stopping every server`);
    void stopAll().finally(() => process.exit(130));
  });
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  async (error: unknown) => {
    process.stderr.write(`bench failed: ${(error as Error).stack ?? String(error)}\n`);
    await stopAll();
    process.exitCode = 1;
  },
);
