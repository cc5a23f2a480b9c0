/**
 * The routing benchmark (`npm run bench:routing`): two workloads, each run for every balancing
 * strategy, Switchboard and the simulators each in a child process. The heterogeneous pool: one
 * open-loop load of short prompts over four mixed engines. The shared-prefix pool: many tenants with
 * long system prompts and multi-turn sessions over four engines with prefix caches (shared-prefix-workload.ts).
 * Writes its sections of docs/benchmarks.md and docs/benchmarks-routing.json.
 */

import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BalancerName, ConfigInput } from '../src/config/config-schema.js';
import type { LlmSimulatorOptions } from '../src/lab/llm-simulator.js';
import { runLoad, type LoadResult } from '../src/lab/load-generator.js';
import { readCpuSeconds } from './bench-process.js';
import { measurePickCost, type PickCost } from './prefix-pick-cost.js';
import type { WorkerReport } from './routing-bench-worker.js';
import { runSharedPrefix, type SharedPrefixResult } from './shared-prefix-workload.js';

/** Two fast engines with room, one slow one, one with four slots: what a real fleet of mixed GPUs looks like. */
const instances: { name: string; options: LlmSimulatorOptions }[] = [
  { name: 'fast-a', options: { ttftMs: 150, itlMs: 10, maxNumSeqs: 64, outputTokens: 32, seed: 1 } },
  { name: 'fast-b', options: { ttftMs: 150, itlMs: 10, maxNumSeqs: 64, outputTokens: 32, seed: 2 } },
  { name: 'slow', options: { ttftMs: 400, itlMs: 30, maxNumSeqs: 64, outputTokens: 32, seed: 3 } },
  { name: 'small', options: { ttftMs: 150, itlMs: 10, maxNumSeqs: 4, outputTokens: 32, seed: 4 } },
];

interface Variant {
  label: string;
  balancer: BalancerName;
  /** Static weights per instance, in `instances` order; equal when absent. */
  weights?: number[];
  /** Per-instance concurrency caps, in `instances` order. */
  maxConcurrency?: (number | undefined)[];
}

const variants: Variant[] = [
  { label: 'round-robin', balancer: 'round-robin' },
  { label: 'least-outstanding', balancer: 'least-outstanding' },
  // Least outstanding cannot see an engine's slots; capping the small engine at its four tells it.
  { label: 'least-outstanding, small capped at 4', balancer: 'least-outstanding', maxConcurrency: [undefined, undefined, undefined, 4] },
  { label: 'power-of-two', balancer: 'power-of-two' },
  { label: 'queue-aware', balancer: 'queue-aware' },
  // What an operator can do without load signals: weights by hand, proportional to each engine's capacity.
  { label: 'weighted (8/8/3/1)', balancer: 'weighted', weights: [8, 8, 3, 1] },
  { label: 'prefix-aware', balancer: 'prefix-aware' },
];

/** Four equal engines with prefix caches and prefill that takes turns (a GPU's compute): where a cache miss costs. */
const prefixInstances: { name: string; options: LlmSimulatorOptions }[] = [0, 1, 2, 3].map((index) => ({
  name: `engine-${index}`,
  options: { ttftMs: 30, itlMs: 8, maxNumSeqs: 32, outputTokens: 32, kvBlocksTotal: 131_072, sharedPrefill: true, seed: 11 + index },
}));

const prefixVariants: Variant[] = [
  { label: 'round-robin', balancer: 'round-robin' },
  { label: 'least-outstanding', balancer: 'least-outstanding' },
  { label: 'queue-aware', balancer: 'queue-aware' },
  { label: 'session-affinity', balancer: 'session-affinity' },
  { label: 'prefix-aware', balancer: 'prefix-aware' },
];

const sharedPrefix = {
  tenants: Number(process.env.ROUTING_BENCH_TENANTS ?? 48),
  systemCharacters: 32_000,
  turnsPerSession: 4,
  sessionRate: Number(process.env.ROUTING_BENCH_SESSION_RATE ?? 8),
  durationS: Number(process.env.ROUTING_BENCH_PREFIX_SECONDS ?? 15),
  maxTokens: 32,
};

const rate = Number(process.env.ROUTING_BENCH_RATE ?? 50);
const durationS = Number(process.env.ROUTING_BENCH_SECONDS ?? 12);
const workerPath = fileURLToPath(new URL('./routing-bench-worker.js', import.meta.url));
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

function startWorker(role: 'simulators' | 'switchboard', payload: unknown): Promise<{ child: ChildProcess; report: WorkerReport }> {
  const child = fork(workerPath, [role, JSON.stringify(payload)], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  return new Promise((resolvePromise, reject) => {
    child.once('message', (report) => resolvePromise({ child, report: report as WorkerReport }));
    child.once('exit', (code) => reject(new Error(`${role} worker exited with ${code} before it was ready`)));
  });
}

function stopWorker(child: ChildProcess): Promise<void> {
  return new Promise((resolvePromise) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolvePromise();
    });
    child.send('stop');
  });
}

function configFor(variant: Variant, urls: string[]): ConfigInput {
  return {
    store: { kind: 'memory' },
    logging: { level: 'error' },
    pools: {
      bench: {
        model: 'bench-model',
        instances: urls.map((url, index) => ({ url, weight: variant.weights?.[index] ?? 1, maxConcurrency: variant.maxConcurrency?.[index] })),
        balancer: variant.balancer,
        // Only the queue-aware and prefix-aware strategies read engine metrics; the others are compared as they run without them.
        engine: variant.balancer === 'queue-aware' || variant.balancer === 'prefix-aware' ? 'vllm' : 'none',
        // Session affinity keys on the session header the shared-prefix workload sends (the other workload has none).
        affinity: { header: 'x-session-id' },
      },
    },
    routes: { bench: { pool: 'bench' } },
    agents: { bench: { route: 'bench' } },
    intent: { defaultAgent: 'bench' },
  };
}

/** Attempts and failed attempts per instance, from Switchboard's /metrics (instances are named `bench-<index>`, the pool's default names). */
async function attemptsPerInstance(url: string, urls: string[]): Promise<{ attempts: number[]; failures: number[] }> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const read = (metric: string, instance: string) => Number(new RegExp(`${metric}\\{pool="bench",instance="${instance.replace(/[.:/]/g, '\\$&')}"\\} (\\d+)`).exec(text)?.[1] ?? 0);
  return {
    attempts: urls.map((_, index) => read('switchboard_upstream_duration_seconds_count', `bench-${index}`)),
    failures: urls.map((_, index) => read('switchboard_upstream_failures_total', `bench-${index}`)),
  };
}

/** Each engine's own time to first token (mean and the p99 bucket bound) over the run, from its vLLM-style histogram. */
async function engineTtft(urls: string[]): Promise<{ meanMs: number; p99BoundMs: number }[]> {
  return Promise.all(
    urls.map(async (url) => {
      const text = await (await fetch(`${url}/metrics`)).text();
      const buckets = [...text.matchAll(/vllm:time_to_first_token_seconds_bucket\{[^}]*le="([^"]+)"\} (\d+)/g)].map((match) => ({ le: Number(match[1]), count: Number(match[2]) }));
      const sum = Number(/vllm:time_to_first_token_seconds_sum\{[^}]*\} ([0-9.e+-]+)/.exec(text)?.[1] ?? 0);
      const count = buckets.at(-1)?.count ?? 0;
      const p99 = buckets.find((bucket) => bucket.count >= 0.99 * count)?.le ?? Number.NaN;
      return { meanMs: count > 0 ? Math.round((1000 * sum) / count) : 0, p99BoundMs: Math.round(1000 * p99) };
    }),
  );
}

interface VariantResult {
  strategy: string;
  ttftP50Ms: number | null;
  ttftP99Ms: number | null;
  e2eP99Ms: number | null;
  throughputRps: number;
  requests: number;
  errors: number;
  errorsByKind: Record<string, number>;
  attemptsPerInstance: Record<string, number>;
  failuresPerInstance: Record<string, number>;
  /** Each engine's own TTFT over warm-up and run: where the client's tail comes from. */
  engineTtftPerInstance: Record<string, { meanMs: number; p99BoundMs: number }>;
  /** Switchboard's CPU (user + system, from /proc) over the measured run, per request. */
  cpuPerRequestUs: number;
}

async function runVariant(variant: Variant): Promise<VariantResult> {
  const simulators = await startWorker('simulators', instances.map((instance) => instance.options));
  const urls = (simulators.report as Extract<WorkerReport, { kind: 'simulators' }>).urls;
  const switchboard = await startWorker('switchboard', configFor(variant, urls));
  const { url, key } = switchboard.report as Extract<WorkerReport, { kind: 'switchboard' }>;
  try {
    const common = { url, apiKey: key, mode: 'chat' as const, model: 'bench', stream: true, maxTokens: 32, timeoutS: 20 };
    // Warm-up: connections opened and every strategy's averages seeded, at a rate every instance copes with.
    await runLoad({ ...common, loop: { kind: 'open', rate: 8 }, durationS: 2 });
    await new Promise((resolvePromise) => setTimeout(resolvePromise, 1_500));
    const before = await attemptsPerInstance(url, urls);
    const cpuBefore = readCpuSeconds(switchboard.child.pid!);
    const result: LoadResult = await runLoad({ ...common, loop: { kind: 'open', rate, poisson: true }, durationS, maxSeconds: durationS + 18, seed: 42 });
    const cpuAfter = readCpuSeconds(switchboard.child.pid!);
    const afterRun = await attemptsPerInstance(url, urls);
    const engines = await engineTtft(urls);
    const byName = (values: number[], baseline: number[]) => Object.fromEntries(instances.map((instance, index) => [instance.name, values[index]! - baseline[index]!]));
    return {
      strategy: variant.label,
      ttftP50Ms: result.latencyMs.ttft?.p50 ?? null,
      ttftP99Ms: result.latencyMs.ttft?.p99 ?? null,
      e2eP99Ms: result.latencyMs.e2e?.p99 ?? null,
      throughputRps: result.throughputRps,
      requests: result.requests,
      errors: result.errors,
      errorsByKind: result.errorsByKind,
      attemptsPerInstance: byName(afterRun.attempts, before.attempts),
      failuresPerInstance: byName(afterRun.failures, before.failures),
      engineTtftPerInstance: Object.fromEntries(instances.map((instance, index) => [instance.name, engines[index]!])),
      cpuPerRequestUs: ((cpuAfter - cpuBefore) * 1e6) / Math.max(1, result.requests),
    };
  } finally {
    await stopWorker(switchboard.child);
    await stopWorker(simulators.child);
  }
}

interface PrefixVariantResult extends SharedPrefixResult {
  strategy: string;
  /** Prompt tokens the engines found in their prefix caches over prompt tokens looked up, all engines together. */
  cacheHitRate: number;
  cpuPerRequestUs: number;
  attemptsPerInstance: Record<string, number>;
  /** Each engine's own TTFT (warm-up included): where the client's time goes. */
  engineTtftPerInstance: Record<string, { meanMs: number; p99BoundMs: number }>;
  /** Mean TTFT of the upstream calls as Switchboard saw them (warm-up included): the engines plus the wire. */
  upstreamTtftMeanMs: number;
}

async function upstreamTtftMeanMs(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const sum = Number(/switchboard_upstream_ttft_seconds_sum\{[^}]*\} ([0-9.e+-]+)/.exec(text)?.[1] ?? 0);
  const count = Number(/switchboard_upstream_ttft_seconds_count\{[^}]*\} ([0-9.e+-]+)/.exec(text)?.[1] ?? 0);
  return count > 0 ? Math.round((1000 * sum) / count) : 0;
}

/** Prefix-cache counters summed over the engines, from their vLLM-style /metrics. */
async function prefixCacheTotals(urls: string[]): Promise<{ hits: number; queries: number }> {
  let hits = 0;
  let queries = 0;
  for (const url of urls) {
    const text = await (await fetch(`${url}/metrics`)).text();
    hits += Number(/vllm:prefix_cache_hits_total\{[^}]*\} ([0-9.e+]+)/.exec(text)?.[1] ?? 0);
    queries += Number(/vllm:prefix_cache_queries_total\{[^}]*\} ([0-9.e+]+)/.exec(text)?.[1] ?? 0);
  }
  return { hits, queries };
}

async function runPrefixVariant(variant: Variant): Promise<PrefixVariantResult> {
  const simulators = await startWorker('simulators', prefixInstances.map((instance) => instance.options));
  const urls = (simulators.report as Extract<WorkerReport, { kind: 'simulators' }>).urls;
  const switchboard = await startWorker('switchboard', configFor(variant, urls));
  const { url, key } = switchboard.report as Extract<WorkerReport, { kind: 'switchboard' }>;
  try {
    // Warm-up: one single-turn session per tenant, so the run measures the steady state, not the first misses.
    const warmupRate = sharedPrefix.tenants / 4;
    await runSharedPrefix({ url, apiKey: key, model: 'bench', ...sharedPrefix, turnsPerSession: 1, sessionRate: warmupRate, durationS: 4, seed: 7, timeoutS: 30, everyTenant: true });
    const before = await prefixCacheTotals(urls);
    const attemptsBefore = await attemptsPerInstance(url, urls);
    const cpuBefore = readCpuSeconds(switchboard.child.pid!);
    const result = await runSharedPrefix({ url, apiKey: key, model: 'bench', ...sharedPrefix, seed: 42, timeoutS: 30 });
    const cpuAfter = readCpuSeconds(switchboard.child.pid!);
    const after = await prefixCacheTotals(urls);
    const attemptsAfter = await attemptsPerInstance(url, urls);
    const engines = await engineTtft(urls);
    return {
      upstreamTtftMeanMs: await upstreamTtftMeanMs(url),
      engineTtftPerInstance: Object.fromEntries(prefixInstances.map((instance, index) => [instance.name, engines[index]!])),
      strategy: variant.label,
      ...result,
      cacheHitRate: (after.hits - before.hits) / Math.max(1, after.queries - before.queries),
      cpuPerRequestUs: ((cpuAfter - cpuBefore) * 1e6) / Math.max(1, result.requests),
      attemptsPerInstance: Object.fromEntries(prefixInstances.map((instance, index) => [instance.name, attemptsAfter.attempts[index]! - attemptsBefore.attempts[index]!])),
    };
  } finally {
    await stopWorker(switchboard.child);
    await stopWorker(simulators.child);
  }
}

function gitCommit(): string {
  try {
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repoRoot, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: repoRoot, encoding: 'utf8' }).trim() !== '';
    return dirty ? `${commit} (with uncommitted changes)` : commit;
  } catch {
    return 'unknown';
  }
}

const milliseconds = (value: number | null) => (value === null ? '–' : value >= 10_000 ? `${(value / 1000).toFixed(1)} s` : `${Math.round(value)} ms`);

function markdownSection(results: VariantResult[], meta: { machine: string; node: string; commit: string; date: string; command: string }): string {
  const baseline = results.find((result) => result.strategy === 'round-robin');
  const ratio = (value: number | null, base: number | null | undefined) => (value && base ? `${(base / value).toFixed(1)}×` : '–');
  const rows = results.map((result) => {
    const share = instances.map((instance) => result.attemptsPerInstance[instance.name] ?? 0);
    const total = share.reduce((sum, value) => sum + value, 0) || 1;
    const small = result.engineTtftPerInstance.small;
    return `| ${result.strategy} | ${milliseconds(result.ttftP50Ms)} | ${milliseconds(result.ttftP99Ms)} | ${ratio(result.ttftP99Ms, baseline?.ttftP99Ms)} | ${milliseconds(result.e2eP99Ms)} | ${result.throughputRps.toFixed(1)} | ${result.errors} | ${share.map((value) => `${Math.round((100 * value) / total)}%`).join(' / ')} | ${small ? milliseconds(small.meanMs) : '–'} | ${Math.round(result.cpuPerRequestUs)} µs |`;
  });
  return [
    '<!-- routing-bench:start -->',
    '## Routing strategies',
    '',
    `One pool of four LLM simulators behind Switchboard, the same open-loop Poisson load of ${rate} streamed chat completions per second for ${durationS} s per strategy (32 output tokens each):`,
    '',
    '| instance | time to first token | inter-token latency | slots (max_num_seqs) |',
    '| --- | --- | --- | --- |',
    ...instances.map((instance) => `| ${instance.name} | ${instance.options.ttftMs} ms | ${instance.options.itlMs} ms | ${instance.options.maxNumSeqs} |`),
    '',
    '| strategy | TTFT p50 | TTFT p99 | TTFT p99 vs round robin | end-to-end p99 | throughput (req/s) | errors | attempts fast-a / fast-b / slow / small | mean TTFT inside `small` | Switchboard CPU per request |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
    `Measured by the load generator as a client of Switchboard (times include Switchboard); throughput is completions over the whole run, draining included (${rate} req/s offered); the last column is the small engine's own histogram. Machine: ${meta.machine}; Node ${meta.node}; commit ${meta.commit}; ${meta.date}.`,
    `Command: \`${meta.command}\` (rate and duration: \`ROUTING_BENCH_RATE\`, \`ROUTING_BENCH_SECONDS\`). Raw numbers: [benchmarks-routing.json](benchmarks-routing.json).`,
    '<!-- routing-bench:end -->',
  ].join('\n');
}

function prefixMarkdownSection(results: PrefixVariantResult[], pickCost: PickCost, meta: { machine: string; node: string; commit: string; date: string; command: string }): string {
  const queueAware = results.find((result) => result.strategy === 'queue-aware');
  const ratio = (value: number | null, base: number | null | undefined) => (value && base ? `${(base / value).toFixed(1)}×` : '–');
  const rows = results.map((result) => {
    const share = prefixInstances.map((instance) => result.attemptsPerInstance[instance.name] ?? 0);
    const total = share.reduce((sum, value) => sum + value, 0) || 1;
    return `| ${result.strategy} | ${milliseconds(result.ttftP50Ms)} | ${milliseconds(result.ttftP99Ms)} | ${ratio(result.ttftP99Ms, queueAware?.ttftP99Ms)} | ${Math.round(result.outputTokensPerSecond)} | ${(100 * result.cacheHitRate).toFixed(1)}% | ${result.requests} | ${result.errors} | ${share.map((value) => `${Math.round((100 * value) / total)}%`).join(' / ')} | ${Math.round(result.cpuPerRequestUs)} µs |`;
  });
  const engine = prefixInstances[0]!.options;
  return [
    '<!-- routing-bench-prefix:start -->',
    '## Routing strategies on shared prefixes (issue 14)',
    '',
    `${sharedPrefix.tenants} tenants, each with its own ${sharedPrefix.systemCharacters.toLocaleString('en')}-character (${(sharedPrefix.systemCharacters / 4).toLocaleString('en')}-token) system prompt; sessions arrive as a Poisson process at ${sharedPrefix.sessionRate} per second for ${sharedPrefix.durationS} s, each of a tenant drawn at random, with ${sharedPrefix.turnsPerSession} turns one after the other (every turn resends the whole conversation, ${sharedPrefix.maxTokens} output tokens). Four equal simulated engines: TTFT ${engine.ttftMs} ms + prefill of the uncached prompt tokens at 32,000 tokens/s, prefills taking turns (\`sharedPrefill\`), ITL ${engine.itlMs} ms, ${engine.maxNumSeqs} slots, ${engine.kvBlocksTotal!.toLocaleString('en')} KV tokens holding the prefix cache (16-token blocks, what running sequences leave free). Before the run, a warm-up of one single-turn session per tenant (over 4 s, not counted).`,
    '',
    '| strategy | TTFT p50 | TTFT p99 | TTFT p99 vs queue-aware | output tokens/s | prefix cache hit rate | requests | errors | attempts per engine | Switchboard CPU per request |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
    `Hit rate: prompt tokens found cached over prompt tokens looked up, summed over the engines' \`vllm:prefix_cache_*\` counters. Output tokens/s: completion tokens over the run, draining included. CPU per request: Switchboard's user + system time from /proc over the run, divided by the requests (HTTP, JSON, relay and routing together). The pick alone, in one process (\`bench/prefix-pick-cost.ts\`, a ${pickCost.promptCharacters.toLocaleString('en')}-character conversation over four instances): hashing ${pickCost.hashUs.toFixed(1)} µs, a prefix-aware pick (hash, score, LRU update) ${pickCost.prefixAwarePickUs.toFixed(1)} µs, a queue-aware pick ${pickCost.queueAwarePickUs.toFixed(2)} µs. Machine: ${meta.machine}; Node ${meta.node}; commit ${meta.commit}; ${meta.date}.`,
    `Command: \`${meta.command}\` (\`ROUTING_BENCH_TENANTS\`, \`ROUTING_BENCH_SESSION_RATE\`, \`ROUTING_BENCH_PREFIX_SECONDS\`; \`ROUTING_BENCH_WORKLOAD=heterogeneous\` or \`shared-prefix\` runs one). Raw numbers: [benchmarks-routing.json](benchmarks-routing.json).`,
    '<!-- routing-bench-prefix:end -->',
  ].join('\n');
}

/** Replaces the section between the markers, or appends it; other benchmarks' sections stay as they are. */
function writeSection(path: string, section: string, marker = 'routing-bench'): void {
  const existing = existsSync(path) ? readFileSync(path, 'utf8') : '# Benchmarks\n';
  const start = existing.indexOf(`<!-- ${marker}:start -->`);
  const end = existing.indexOf(`<!-- ${marker}:end -->`);
  const next = start !== -1 && end > start ? `${existing.slice(0, start)}${section}${existing.slice(end + `<!-- ${marker}:end -->`.length)}` : `${existing.trimEnd()}\n\n${section}\n`;
  writeFileSync(path, next);
}

async function main(): Promise<void> {
  // Read before the runs: the figures belong to the code as it was when they started.
  const commit = gitCommit();
  const workload = process.env.ROUTING_BENCH_WORKLOAD ?? 'all';
  const only = process.env.ROUTING_BENCH_ONLY?.split(',');
  const chosen = (list: Variant[]) => list.filter((candidate) => !only || only.includes(candidate.balancer));
  const results: VariantResult[] = [];
  if (workload === 'all' || workload === 'heterogeneous') {
    for (const variant of chosen(variants)) {
      process.stdout.write(`${variant.label}: `);
      const result = await runVariant(variant);
      results.push(result);
      process.stdout.write(`TTFT p50 ${milliseconds(result.ttftP50Ms)}, p99 ${milliseconds(result.ttftP99Ms)}, e2e p99 ${milliseconds(result.e2eP99Ms)}, ${result.throughputRps.toFixed(1)} req/s, ${result.errors} errors, CPU ${Math.round(result.cpuPerRequestUs)} µs/request, attempts ${JSON.stringify(result.attemptsPerInstance)}, engine TTFT ${JSON.stringify(result.engineTtftPerInstance)}\n`);
    }
  }
  const prefixResults: PrefixVariantResult[] = [];
  if (workload === 'all' || workload === 'shared-prefix') {
    for (const variant of chosen(prefixVariants)) {
      process.stdout.write(`shared prefixes, ${variant.label}: `);
      const result = await runPrefixVariant(variant);
      prefixResults.push(result);
      process.stdout.write(`TTFT p50 ${milliseconds(result.ttftP50Ms)}, p99 ${milliseconds(result.ttftP99Ms)}, ${Math.round(result.outputTokensPerSecond)} output tokens/s, hit rate ${(100 * result.cacheHitRate).toFixed(1)}%, ${result.requests} requests, ${result.errors} errors, ${result.elapsedS.toFixed(1)} s, CPU ${Math.round(result.cpuPerRequestUs)} µs/request, attempts ${JSON.stringify(result.attemptsPerInstance)}, upstream TTFT mean ${result.upstreamTtftMeanMs} ms, engine TTFT ${JSON.stringify(result.engineTtftPerInstance)}\n`);
    }
  }
  const pickCost = measurePickCost();
  process.stdout.write(`prefix-aware pick: ${JSON.stringify(pickCost)}\n`);
  const meta = {
    machine: `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'unknown CPU'}`,
    node: process.version,
    commit,
    date: new Date().toISOString().slice(0, 10),
    command: 'npm run bench:routing',
  };
  if (process.env.ROUTING_BENCH_WRITE === '0') return;
  const docs = resolve(repoRoot, 'docs');
  mkdirSync(docs, { recursive: true });
  writeFileSync(resolve(docs, 'benchmarks-routing.json'), `${JSON.stringify({ ...meta, rate, durationS, instances, results, sharedPrefix: { ...sharedPrefix, instances: prefixInstances, results: prefixResults, pickCost } }, null, 2)}\n`);
  if (results.length > 0) writeSection(resolve(docs, 'benchmarks.md'), markdownSection(results, meta));
  if (prefixResults.length > 0) writeSection(resolve(docs, 'benchmarks.md'), prefixMarkdownSection(prefixResults, pickCost, meta), 'routing-bench-prefix');
  process.stdout.write(`wrote docs/benchmarks.md and docs/benchmarks-routing.json\n`);
}

await main();
