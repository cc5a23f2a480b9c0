/**
 * The routing benchmark (`npm run bench:routing`): one heterogeneous pool of simulator
 * instances, the same open-loop load for each balancing strategy, Switchboard and the
 * simulators each in a child process. Writes its section of docs/benchmarks.md and
 * docs/benchmarks-routing.json.
 */

import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BalancerName, ConfigInput } from '../src/config/config-schema.js';
import type { LlmSimulatorOptions } from '../src/lab/llm-simulator.js';
import { runLoad, type LoadResult } from '../src/lab/load-generator.js';
import type { WorkerReport } from './routing-bench-worker.js';

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
];

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
        // Only the queue-aware strategy reads engine metrics; the others are compared as they run without them.
        engine: variant.balancer === 'queue-aware' ? 'vllm' : 'none',
      },
    },
    routes: { bench: { pool: 'bench' } },
    agents: { bench: { route: 'bench' } },
    intent: { defaultAgent: 'bench' },
  };
}

/** Attempts and failed attempts per instance, from Switchboard's /metrics. */
async function attemptsPerInstance(url: string, urls: string[]): Promise<{ attempts: number[]; failures: number[] }> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const read = (metric: string, instance: string) => Number(new RegExp(`${metric}\\{pool="bench",instance="${instance.replace(/[.:/]/g, '\\$&')}"\\} (\\d+)`).exec(text)?.[1] ?? 0);
  return {
    attempts: urls.map((instance) => read('switchboard_upstream_duration_seconds_count', instance)),
    failures: urls.map((instance) => read('switchboard_upstream_failures_total', instance)),
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
    const result: LoadResult = await runLoad({ ...common, loop: { kind: 'open', rate, poisson: true }, durationS, maxSeconds: durationS + 18, seed: 42 });
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
    return `| ${result.strategy} | ${milliseconds(result.ttftP50Ms)} | ${milliseconds(result.ttftP99Ms)} | ${ratio(result.ttftP99Ms, baseline?.ttftP99Ms)} | ${milliseconds(result.e2eP99Ms)} | ${result.throughputRps.toFixed(1)} | ${result.errors} | ${share.map((value) => `${Math.round((100 * value) / total)}%`).join(' / ')} | ${small ? milliseconds(small.meanMs) : '–'} |`;
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
    '| strategy | TTFT p50 | TTFT p99 | TTFT p99 vs round robin | end-to-end p99 | throughput (req/s) | errors | attempts fast-a / fast-b / slow / small | mean TTFT inside `small` |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
    `Measured by the load generator as a client of Switchboard (times include Switchboard); throughput is completions over the whole run, draining included (${rate} req/s offered); the last column is the small engine's own histogram. Machine: ${meta.machine}; Node ${meta.node}; commit ${meta.commit}; ${meta.date}.`,
    `Command: \`${meta.command}\` (rate and duration: \`ROUTING_BENCH_RATE\`, \`ROUTING_BENCH_SECONDS\`). Raw numbers: [benchmarks-routing.json](benchmarks-routing.json).`,
    '<!-- routing-bench:end -->',
  ].join('\n');
}

/** Replaces the section between the markers, or appends it; other benchmarks' sections stay as they are. */
function writeSection(path: string, section: string): void {
  const existing = existsSync(path) ? readFileSync(path, 'utf8') : '# Benchmarks\n';
  const start = existing.indexOf('<!-- routing-bench:start -->');
  const end = existing.indexOf('<!-- routing-bench:end -->');
  const next = start !== -1 && end > start ? `${existing.slice(0, start)}${section}${existing.slice(end + '<!-- routing-bench:end -->'.length)}` : `${existing.trimEnd()}\n\n${section}\n`;
  writeFileSync(path, next);
}

async function main(): Promise<void> {
  const results: VariantResult[] = [];
  const only = process.env.ROUTING_BENCH_ONLY?.split(',');
  for (const variant of variants.filter((candidate) => !only || only.includes(candidate.balancer))) {
    process.stdout.write(`${variant.label}: `);
    const result = await runVariant(variant);
    results.push(result);
    process.stdout.write(`TTFT p50 ${milliseconds(result.ttftP50Ms)}, p99 ${milliseconds(result.ttftP99Ms)}, e2e p99 ${milliseconds(result.e2eP99Ms)}, ${result.throughputRps.toFixed(1)} req/s, ${result.errors} errors, attempts ${JSON.stringify(result.attemptsPerInstance)}, engine TTFT ${JSON.stringify(result.engineTtftPerInstance)}\n`);
  }
  const meta = {
    machine: `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'unknown CPU'}`,
    node: process.version,
    commit: gitCommit(),
    date: new Date().toISOString().slice(0, 10),
    command: 'npm run bench:routing',
  };
  const docs = resolve(repoRoot, 'docs');
  mkdirSync(docs, { recursive: true });
  writeFileSync(resolve(docs, 'benchmarks-routing.json'), `${JSON.stringify({ ...meta, rate, durationS, instances, results }, null, 2)}\n`);
  writeSection(resolve(docs, 'benchmarks.md'), markdownSection(results, meta));
  process.stdout.write(`wrote docs/benchmarks.md and docs/benchmarks-routing.json\n`);
}

await main();
