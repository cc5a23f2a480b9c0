/**
 * `npm run bench:experiments`: two measurements of experiments and zero-downtime model changes,
 * every server in its own process; writes docs/benchmarks-experiments.json and its section of
 * docs/benchmarks.md.
 *
 * 1. Guardrail stop: two LLM simulators — the control, and a candidate with a 10 % error rate and
 *    a 900 ms first token — behind two Switchboard pods on one SQLite file, a 50/50 experiment
 *    with guardrails (error rate ≤ 5 %, p95 TTFT ≤ 800 ms), open-loop streamed load. Measured: the
 *    samples and seconds until a guardrail stopped the candidate, how many requests saw it, and
 *    when each pod stopped serving it.
 * 2. Reload under load: a rolling model update (add v2, move the weight, remove v1) by three
 *    reloads while closed-loop streamed load runs; measured: requests, errors, reload times.
 *
 * Environment: EXPERIMENTS_BENCH_RATE (20 req/s), EXPERIMENTS_BENCH_LOOPS (32 streams for the
 * reload), EXPERIMENTS_BENCH_DOCS_DIR (docs/).
 */

import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { log } from './bench-load.js';
import { BenchProcess, freePort, stopAll } from './bench-process.js';
import { ms, runContext, table, writeJson, writeMarkdownSection, type RunContext } from './bench-report.js';
import { cliPath, repositoryRoot } from './bench-servers.js';

interface Server {
  process: BenchProcess;
  url: string;
}

interface RequestRecord {
  /** Milliseconds since the load started. */
  at: number;
  pod: number;
  variant: string;
  status: number;
  complete: boolean;
}

function intSetting(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer, got ${raw}`);
  return value;
}

async function startMockLlm(name: string, flags: string[]): Promise<Server> {
  const port = await freePort();
  const child = new BenchProcess(name, process.execPath, [cliPath, 'mock-llm', '--port', String(port), '--itl-ms', '10', '--output-tokens', '20', '--max-num-seqs', '512', ...flags]);
  const url = `http://127.0.0.1:${port}`;
  await child.waitForHttp(`${url}/health`, 15_000, 20);
  return { process: child, url };
}

async function startServe(configPath: string, dataDir: string, name: string): Promise<Server> {
  const port = await freePort();
  const child = new BenchProcess(name, process.execPath, [cliPath, 'serve', '--config', configPath, '--port', String(port), '--host', '127.0.0.1', '--data-dir', dataDir]);
  const url = `http://127.0.0.1:${port}`;
  await child.waitForHttp(`${url}/readyz`, 20_000, 20);
  return { process: child, url };
}

async function adminKey(configPath: string, dataDir: string): Promise<string> {
  const keys = new BenchProcess('keys create', process.execPath, [cliPath, 'keys', 'create', '--tenant', 'bench', '--role', 'admin', '--config', configPath, '--data-dir', dataDir]);
  return (await keys.completed(30_000)).trim().split('\n').at(-1)!.trim();
}

/** One streamed completion; complete only with [DONE] and no error chunk. */
async function streamedCompletion(url: string, key: string, session: string): Promise<{ status: number; complete: boolean; variant: string; instance: string }> {
  try {
    const response = await fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'x-session-id': session },
      body: JSON.stringify({ model: 'bench', stream: true, max_tokens: 20, messages: [{ role: 'user', content: 'Where is my order 12345?' }] }),
    });
    const text = await response.text();
    const variant = /=(\S+)/.exec(response.headers.get('x-switchboard-experiments') ?? '')?.[1] ?? '';
    const complete = response.status === 200 && text.trimEnd().endsWith('data: [DONE]') && !text.includes('"error"');
    return { status: response.status, complete, variant, instance: response.headers.get('x-switchboard-instance') ?? '' };
  } catch {
    return { status: 0, complete: false, variant: '', instance: '' };
  }
}

function baseConfig(pools: Record<string, unknown>, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    server: { host: '127.0.0.1' },
    logging: { level: 'warn' },
    pools,
    routes: { bench: { pool: Object.keys(pools)[0] } },
    agents: { helper: { route: 'bench', systemPrompt: 'Help.' } },
    intent: { defaultAgent: 'helper' },
    ...extra,
  };
}

export interface GuardrailResult {
  rate: number;
  durationS: number;
  requests: number;
  sawCandidate: number;
  candidateErrors: number;
  /** Seconds from the first request the candidate served to the stop being written. */
  stopAfterS: number | undefined;
  /** The candidate's samples of the guardrail's metric when it fired (from the recorded reason). */
  stopSamples: number | undefined;
  reason: string | undefined;
  /** Per pod: seconds from the stop to the last request it served on the candidate (negative: before the stop). */
  lastCandidateAfterStopS: (number | undefined)[];
  candidateAfterStopPlusRefresh: number;
  errorsOnControl: number;
}

async function runGuardrailBench(rate: number): Promise<GuardrailResult> {
  const control = await startMockLlm('control-llm', ['--ttft-ms', '150', '--seed', '1']);
  const candidate = await startMockLlm('candidate-llm', ['--ttft-ms', '900', '--error-rate', '0.1', '--seed', '2']);
  const dataDir = mkdtempSync(join(tmpdir(), 'switchboard-bench-experiments-'));
  try {
    const configPath = join(dataDir, 'experiment.yaml');
    const pools = {
      control: { model: 'model-v1', instances: [{ url: control.url }], prices: { inputPerMillionTokens: 0.15, outputPerMillionTokens: 0.6 } },
      candidate: { model: 'model-v2', instances: [{ url: candidate.url }], retry: { attempts: 1 }, prices: { inputPerMillionTokens: 0.3, outputPerMillionTokens: 1.2 } },
    };
    const experiment = {
      description: 'model-v2 against model-v1, 50/50, with guardrails',
      unit: 'session',
      routes: ['bench'],
      variants: { control: { weight: 0.5 }, candidate: { weight: 0.5, pool: 'candidate' } },
      guardrails: [
        { metric: 'error_rate', max: 0.05 },
        { metric: 'ttft_p95_ms', max: 800 },
      ],
    };
    writeFileSync(configPath, JSON.stringify(baseConfig(pools, { experiments: { 'model-v2': experiment } }), null, 2));
    const key = await adminKey(configPath, dataDir);
    const pods = [await startServe(configPath, dataDir, 'switchboard-a'), await startServe(configPath, dataDir, 'switchboard-b')];
    const records: RequestRecord[] = [];
    const started = performance.now();
    let stopSeenAt: number | undefined;
    let stop: { at: number; reason: string } | undefined;
    let running = true;
    // The stop as recorded in the store, read through pod B (which takes half the traffic) every 100 ms.
    const watcher = (async () => {
      while (running) {
        try {
          const view = (await (await fetch(`${pods[1]!.url}/v1/experiments/model-v2`, { headers: { authorization: `Bearer ${key}` } })).json()) as {
            variants: { name: string; stopped: { at: number; reason: string } | null }[];
          };
          const stopped = view.variants.find((variant) => variant.name === 'candidate')?.stopped;
          if (stopped && !stop) {
            stop = stopped;
            stopSeenAt = performance.now() - started;
          }
        } catch {
          // A pod busy with load answers the next poll.
        }
        await delay(100);
      }
    })();
    const startedAtEpoch = Date.now() - (performance.now() - started);
    const inFlight: Promise<void>[] = [];
    const durationMs = 60_000;
    let next = 0;
    // Open loop: requests leave on a fixed schedule whatever the answers do, as real users' do.
    for (let index = 0; ; index++) {
      const elapsed = performance.now() - started;
      if (elapsed > durationMs || (stopSeenAt !== undefined && elapsed > stopSeenAt + 5_000)) break;
      next += 1000 / rate;
      if (next > elapsed) await delay(next - elapsed);
      const pod = index % 2;
      const at = performance.now() - started;
      inFlight.push(
        streamedCompletion(pods[pod]!.url, key, randomUUID()).then((outcome) => {
          records.push({ at, pod, variant: outcome.variant, status: outcome.status, complete: outcome.complete });
        }),
      );
    }
    await Promise.all(inFlight);
    running = false;
    await watcher;
    const first = records.filter((record) => record.variant === 'candidate').reduce((min, record) => Math.min(min, record.at), Number.POSITIVE_INFINITY);
    const stopAt = stop ? stop.at - startedAtEpoch : undefined;
    const samples = stop ? Number(/after (\d+) samples/.exec(stop.reason)?.[1]) : undefined;
    const lastCandidate = [0, 1].map((pod) => {
      const times = records.filter((record) => record.pod === pod && record.variant === 'candidate').map((record) => record.at);
      return times.length > 0 && stopAt !== undefined ? (Math.max(...times) - stopAt) / 1000 : undefined;
    });
    const sawCandidate = records.filter((record) => record.variant === 'candidate');
    return {
      rate,
      durationS: (performance.now() - started) / 1000,
      requests: records.length,
      sawCandidate: sawCandidate.length,
      candidateErrors: sawCandidate.filter((record) => !record.complete).length,
      stopAfterS: stopAt !== undefined ? (stopAt - first) / 1000 : undefined,
      stopSamples: samples,
      reason: stop?.reason,
      lastCandidateAfterStopS: lastCandidate,
      // Requests that left more than one refresh (1 s) plus one request's time after the stop and still got the candidate: should be none.
      candidateAfterStopPlusRefresh: stopAt === undefined ? 0 : sawCandidate.filter((record) => record.at > stopAt + 2_000).length,
      errorsOnControl: records.filter((record) => record.variant !== 'candidate' && !record.complete).length,
    };
  } finally {
    await stopAll();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export interface ReloadResult {
  loops: number;
  durationS: number;
  requests: number;
  errors: number;
  reloads: { step: string; ms: number; outcome: string; generation: number }[];
  servedBy: Record<string, number>;
  lastPhaseServedBy: Record<string, number>;
}

async function runReloadBench(loops: number): Promise<ReloadResult> {
  const v1 = await startMockLlm('llm-v1', ['--ttft-ms', '150', '--seed', '3']);
  const v2 = await startMockLlm('llm-v2', ['--ttft-ms', '150', '--seed', '4']);
  const dataDir = mkdtempSync(join(tmpdir(), 'switchboard-bench-reload-'));
  try {
    const configPath = join(dataDir, 'rolling.yaml');
    const pool = (instances: { url: string; weight?: number }[]) => ({ bench: { model: 'model', balancer: 'weighted', instances, connections: 1024 } });
    const write = (instances: { url: string; weight?: number }[]) => writeFileSync(configPath, JSON.stringify(baseConfig(pool(instances)), null, 2));
    write([{ url: v1.url }]);
    const key = await adminKey(configPath, dataDir);
    const server = await startServe(configPath, dataDir, 'switchboard');
    const outcomes: { complete: boolean; instance: string; phase: number }[] = [];
    let phase = 0;
    let running = true;
    const started = performance.now();
    const runners = Array.from({ length: loops }, async () => {
      while (running) {
        // The phase the request started in: one that started after a reload was answered must be served by the new config.
        const startedIn = phase;
        const outcome = await streamedCompletion(server.url, key, randomUUID());
        outcomes.push({ complete: outcome.complete, instance: outcome.instance, phase: startedIn });
      }
    });
    const reloads: ReloadResult['reloads'] = [];
    const steps: [string, { url: string; weight?: number }[]][] = [
      ['add v2 (weights 1:1)', [{ url: v1.url }, { url: v2.url }]],
      ['move the weight (1:50)', [{ url: v1.url, weight: 1 }, { url: v2.url, weight: 50 }]],
      ['remove v1', [{ url: v2.url }]],
    ];
    await delay(3_000);
    for (const [step, instances] of steps) {
      write(instances);
      const before = performance.now();
      const response = await fetch(`${server.url}/v1/admin/reload`, { method: 'POST', headers: { authorization: `Bearer ${key}` } });
      const report = (await response.json()) as { outcome: string; generation: number };
      reloads.push({ step, ms: performance.now() - before, outcome: report.outcome, generation: report.generation });
      phase++;
      await delay(3_000);
    }
    running = false;
    await Promise.all(runners);
    const name = (instance: string) => (instance === v1.url ? 'v1' : instance === v2.url ? 'v2' : instance || 'none');
    const count = (list: typeof outcomes) => list.reduce<Record<string, number>>((counts, outcome) => ({ ...counts, [name(outcome.instance)]: (counts[name(outcome.instance)] ?? 0) + 1 }), {});
    return {
      loops,
      durationS: (performance.now() - started) / 1000,
      requests: outcomes.length,
      errors: outcomes.filter((outcome) => !outcome.complete).length,
      reloads,
      servedBy: count(outcomes),
      lastPhaseServedBy: count(outcomes.filter((outcome) => outcome.phase === steps.length)),
    };
  } finally {
    await stopAll();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function seconds(value: number | undefined): string {
  return value === undefined ? '–' : `${value.toFixed(1)} s`;
}

function renderMarkdown(context: RunContext, guardrail: GuardrailResult, reload: ReloadResult): string {
  return [
    '## Experiments: a guardrail stops a bad candidate; a model change under load',
    '',
    `Two LLM simulators behind **two Switchboard pods on one SQLite file**: the control (150 ms to first token) and a candidate with a 10 % error rate and a 900 ms first token. A 50/50 experiment by session, with guardrails \`error_rate ≤ 0.05\` and \`ttft_p95_ms ≤ 800\` (one-sided, sequential, α = 0.05), under open-loop streamed load of ${guardrail.rate} completions per second split over the pods.`,
    '',
    table(
      ['measure', 'value'],
      [
        ['guardrail that fired', guardrail.reason ? `\`${/guardrail (.+?) breached/.exec(guardrail.reason)?.[1] ?? '?'}\`` : 'none'],
        ['candidate samples when it fired', guardrail.stopSamples ?? '–'],
        ['seconds from its first request to the stop', seconds(guardrail.stopAfterS)],
        ['requests that saw the candidate (all pods)', `${guardrail.sawCandidate} of ${guardrail.requests} (${guardrail.candidateErrors} of them failed)`],
        ['last candidate request after the stop, pod A / pod B', guardrail.lastCandidateAfterStopS.map((value) => (value === undefined ? '–' : `${value >= 0 ? '+' : ''}${value.toFixed(2)} s`)).join(' / ')],
        ['candidate requests sent more than 2 s after the stop', guardrail.candidateAfterStopPlusRefresh],
        ['failed requests on the control (or in no variant)', guardrail.errorsOnControl],
      ],
    ),
    '',
    `Reload under load: one pod, ${reload.loops} concurrent streamed completions in a closed loop for ${reload.durationS.toFixed(0)} s, while three \`POST /v1/admin/reload\` roll the pool from v1 to v2.`,
    '',
    table(
      ['reload', 'outcome', 'generation', 'time to answer'],
      reload.reloads.map((entry) => [entry.step, entry.outcome, entry.generation, ms(entry.ms)]),
    ),
    '',
    table(
      ['requests', 'errors (non-200 or stream not ended by [DONE])', 'served by v1 / v2', 'started after the last reload, v1 / v2'],
      [[reload.requests, `**${reload.errors}**`, `${reload.servedBy.v1 ?? 0} / ${reload.servedBy.v2 ?? 0}`, `${reload.lastPhaseServedBy.v1 ?? 0} / ${reload.lastPhaseServedBy.v2 ?? 0}`]],
    ),
    '',
    `Machine: ${context.machine.cpuCount} × ${context.machine.cpuModel}; Node ${context.machine.node}; commit ${context.commit.slice(0, 7)}${context.dirty ? ' (with uncommitted changes)' : ''}; ${context.date.slice(0, 10)}; load average at start ${context.loadAverageAtStart}.`,
    `Command: \`${context.command}\`. Raw numbers: [benchmarks-experiments.json](benchmarks-experiments.json).`,
  ].join('\n');
}

async function main(): Promise<void> {
  const rate = intSetting('EXPERIMENTS_BENCH_RATE', 20);
  const loops = intSetting('EXPERIMENTS_BENCH_LOOPS', 32);
  const docsDir = process.env.EXPERIMENTS_BENCH_DOCS_DIR ?? join(repositoryRoot, 'docs');
  const context = runContext('npm run bench:experiments');
  log(`guardrail: ${rate} req/s over two pods`);
  const guardrail = await runGuardrailBench(rate);
  log(`guardrail: ${JSON.stringify(guardrail)}`);
  log(`reload under load: ${loops} streams`);
  const reload = await runReloadBench(loops);
  log(`reload: ${JSON.stringify(reload)}`);
  writeJson(join(docsDir, 'benchmarks-experiments.json'), { context, guardrail, reload });
  writeMarkdownSection(join(docsDir, 'benchmarks.md'), '<!-- experiments-bench:start -->', '<!-- experiments-bench:end -->', renderMarkdown(context, guardrail, reload));
  log(`wrote ${join(docsDir, 'benchmarks.md')} and benchmarks-experiments.json`);
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void stopAll().finally(() => process.exit(130)));
}

main().catch(async (error: unknown) => {
  process.stderr.write(`experiments bench failed: ${(error as Error).stack ?? String(error)}\n`);
  await stopAll();
  process.exitCode = 1;
});
