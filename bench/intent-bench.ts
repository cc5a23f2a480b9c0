/**
 * `npm run bench:intent`: what the intent cascade costs and what it saves; writes docs/benchmarks-intent.json and
 * its section of docs/benchmarks.md.
 *
 * 1. CPU per message of the trained tier (and the rules tier beside it), on the demo dataset in this process,
 *    from /proc/self/stat over at least INTENT_BENCH_CPU_SECONDS (2) of work per tier.
 * 2. A spike of INTENT_BENCH_TURNS (5000) turns — 500 sessions of ten dataset messages, 100 sessions at a time —
 *    through `switchboard serve` in its own process over the built-in simulators, three times: an LLM judge for
 *    every message (what a single-LLM classifier does), the demo cascade with its configured gates, and with the
 *    gates `intent eval --fit` finds on the dataset. The LLM tier's cache is off, so every message it sees is a
 *    model call. Measured from each server's /metrics: turns that reached the LLM tier, model calls, and the
 *    server's CPU per turn from /proc.
 */

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { log } from './bench-load.js';
import { BenchProcess, freePort, readCpuSeconds, stopAll } from './bench-process.js';
import { runContext, table, writeJson, writeMarkdownSection } from './bench-report.js';
import { cliPath, repositoryRoot } from './bench-servers.js';
import { demoCascadeConfig } from '../src/config/demo-config.js';
import type { ConfigInput } from '../src/config/config-schema.js';
import { parseConfig } from '../src/config/load-config.js';
import { buildIntentCascade, trainingClasses } from '../src/intent/build-intent-cascade.js';
import { parseIntentDataset } from '../src/intent/intent-dataset.js';
import { RuleIntentClassifier } from '../src/intent/rule-intent-classifier.js';
import { TrainedIntentClassifier } from '../src/intent/trained-intent-classifier.js';
import { gatesAsConfig, runIntentEval } from '../src/cli/intent-eval-run.js';

function intSetting(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer, got ${raw}`);
  return value;
}

const turns = intSetting('INTENT_BENCH_TURNS', 5000);
const cpuSeconds = intSetting('INTENT_BENCH_CPU_SECONDS', 2);
const docsDir = process.env.INTENT_BENCH_DOCS_DIR ?? join(repositoryRoot, 'docs');
const datasetPath = join(repositoryRoot, 'datasets/demo-intents.jsonl');
const turnsPerSession = 10;
const parallelSessions = 100;

/** Microseconds of CPU per call of `work`, run over the texts until at least `cpuSeconds` of CPU went by. */
function cpuPerCall(texts: readonly string[], work: (text: string) => unknown): { microseconds: number; calls: number } {
  for (let index = 0; index < 20_000; index++) work(texts[index % texts.length]!); // warm up the JIT
  const start = readCpuSeconds(process.pid);
  let calls = 0;
  let sink = 0;
  while (readCpuSeconds(process.pid) - start < cpuSeconds) {
    for (let index = 0; index < 10_000; index++, calls++) sink += work(texts[calls % texts.length]!) === undefined ? 0 : 1;
  }
  const spent = readCpuSeconds(process.pid) - start;
  if (sink < 0) throw new Error('unreachable');
  return { microseconds: (spent / calls) * 1e6, calls };
}

interface SpikeResult {
  name: string;
  turns: number;
  failed: number;
  reachedLlm: number;
  llmShare: number;
  modelCalls: number;
  judgeCalls: number;
  embeddingCalls: number;
  seconds: number;
  cpuMsPerTurn: number;
  decidedBy: Record<string, number>;
}

function metricSum(metrics: string, pattern: RegExp): number {
  return [...metrics.matchAll(pattern)].reduce((sum, match) => sum + Number(match[1]), 0);
}

async function spike(name: string, intent: ConfigInput['intent'], messages: readonly string[]): Promise<SpikeResult> {
  const dataDir = mkdtempSync(join(tmpdir(), 'switchboard-intent-bench-'));
  const config: ConfigInput = { ...demoCascadeConfig, simulator: { instances: 2, ttftMs: 50, itlMs: 2, outputTokens: 12, seed: 1, maxNumSeqs: 512 }, intent, logging: { level: 'warn' } };
  const configPath = join(dataDir, 'config.json');
  writeFileSync(configPath, JSON.stringify(config));
  const keys = new BenchProcess('keys create', process.execPath, [cliPath, 'keys', 'create', '--tenant', 'bench', '--role', 'admin', '--config', configPath, '--data-dir', dataDir]);
  const key = (await keys.completed(30_000)).trim().split('\n').at(-1)!.trim();
  const port = await freePort();
  const server = new BenchProcess(`serve (${name})`, process.execPath, [cliPath, 'serve', '--config', configPath, '--port', String(port), '--host', '127.0.0.1', '--data-dir', dataDir]);
  const url = `http://127.0.0.1:${port}`;
  try {
    await server.waitForHttp(`${url}/readyz`, 30_000, 20);
    const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
    const sessions = Math.ceil(turns / turnsPerSession);
    let nextSession = 0;
    let failed = 0;
    const cpuBefore = readCpuSeconds(server.pid);
    const started = performance.now();
    const runSession = async (): Promise<void> => {
      while (nextSession < sessions) {
        const index = nextSession++;
        const created = await fetch(`${url}/v1/sessions`, { method: 'POST', headers, body: '{}' });
        const { id } = (await created.json()) as { id: string };
        for (let turn = 0; turn < turnsPerSession && index * turnsPerSession + turn < turns; turn++) {
          const content = messages[(index * turnsPerSession + turn) % messages.length]!;
          const response = await fetch(`${url}/v1/sessions/${id}/messages`, { method: 'POST', headers, body: JSON.stringify({ content }) });
          if (response.status !== 200) failed++;
          await response.arrayBuffer();
        }
      }
    };
    await Promise.all(Array.from({ length: parallelSessions }, runSession));
    const seconds = (performance.now() - started) / 1000;
    const cpu = readCpuSeconds(server.pid) - cpuBefore;
    const metrics = await (await fetch(`${url}/metrics`)).text();
    const reachedLlm = metricSum(metrics, /switchboard_intent_tier_duration_seconds_count\{tier="llm"\} (\d+)/g);
    const modelCalls = metricSum(metrics, /switchboard_upstream_duration_seconds_count\{[^}]*\} (\d+)/g);
    const decidedBy: Record<string, number> = {};
    for (const match of metrics.matchAll(/switchboard_intent_decisions_total\{tier="([^"]+)",intent="[^"]+"\} (\d+)/g)) decidedBy[match[1]!] = (decidedBy[match[1]!] ?? 0) + Number(match[2]);
    const embeddingCalls = metricSum(metrics, /switchboard_intent_tier_duration_seconds_count\{tier="embedding"\} (\d+)/g);
    return { name, turns, failed, reachedLlm, llmShare: reachedLlm / turns, modelCalls, judgeCalls: reachedLlm, embeddingCalls, seconds, cpuMsPerTurn: (cpu / turns) * 1000, decidedBy };
  } finally {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const context = runContext('npm run bench:intent');
  const config = parseConfig(demoCascadeConfig);
  const dataset = parseIntentDataset(readFileSync(datasetPath, 'utf8'), new Map(Object.entries(config.agents).map(([name, agent]) => [name, agent.intent ?? name])));
  const texts = dataset.map((message) => message.text);

  log('CPU per message: trained and rules tiers');
  const trainedTier = new TrainedIntentClassifier(trainingClasses(config));
  const rulesTier = new RuleIntentClassifier(config.agents);
  const trained = cpuPerCall(texts, (text) => trainedTier.classifyNow(text));
  const rules = cpuPerCall(texts, (text) => rulesTier.match(text));
  // The whole local part of the cascade per message (follow-up, rules, trained), through its async interface.
  const local = buildIntentCascade(parseConfig({ ...demoCascadeConfig, intent: { ...demoCascadeConfig.intent!, tiers: { trained: demoCascadeConfig.intent!.tiers!.trained } } })).cascade;
  const signal = new AbortController().signal;
  let pending: Promise<unknown> = Promise.resolve();
  const startedCascade = readCpuSeconds(process.pid);
  let cascadeCalls = 0;
  while (readCpuSeconds(process.pid) - startedCascade < cpuSeconds) {
    const batch: Promise<unknown>[] = [];
    for (let index = 0; index < 1000; index++, cascadeCalls++) batch.push(local.classify({ text: texts[cascadeCalls % texts.length]! }, signal));
    pending = Promise.all(batch);
    await pending;
  }
  const cascadeMicroseconds = ((readCpuSeconds(process.pid) - startedCascade) / cascadeCalls) * 1e6;

  log('fitting the gates on the dataset (intent eval --fit)');
  const evalDir = mkdtempSync(join(tmpdir(), 'switchboard-intent-fit-'));
  const evaluation = await runIntentEval({ config: parseConfig({ ...demoCascadeConfig, logging: { level: 'silent' } }), datasetPath, fit: true, dataDir: evalDir, concurrency: 16 });
  rmSync(evalDir, { recursive: true, force: true });
  const fittedTiers = gatesAsConfig(evaluation.fitted!.fit.gates);

  const base = demoCascadeConfig.intent!;
  const noCache = { cacheSize: 0 };
  const llmOnly = { ...base, tiers: { followUp: false as const, rules: false as const, llm: { route: 'demo', threshold: 0, ...noCache } } };
  const configured = { ...base, tiers: { ...base.tiers, llm: { ...base.tiers!.llm!, ...noCache } } };
  const fitted = {
    ...base,
    tiers: {
      followUp: fittedTiers.followUp,
      rules: fittedTiers.rules,
      trained: fittedTiers.trained,
      embedding: { ...base.tiers!.embedding!, ...fittedTiers.embedding },
      llm: { ...base.tiers!.llm!, ...fittedTiers.llm, ...noCache },
    },
  };
  const spikes: SpikeResult[] = [];
  for (const [name, intent] of [['LLM for every message', llmOnly], ['cascade, configured gates', configured], ['cascade, fitted gates', fitted]] as const) {
    log(`spike: ${name}`);
    spikes.push(await spike(name, intent as ConfigInput['intent'], texts));
  }
  const baseline = spikes[0]!;
  const results = {
    context,
    cpu: { trainedMicroseconds: trained.microseconds, trainedCalls: trained.calls, rulesMicroseconds: rules.microseconds, rulesCalls: rules.calls, localCascadeMicroseconds: cascadeMicroseconds, localCascadeCalls: cascadeCalls },
    eval: { configured: evaluation.report, fitted: evaluation.fitted!.report, fittedTiers },
    spikes: spikes.map((entry) => ({ ...entry, judgeCallsSaved: baseline.judgeCalls - entry.judgeCalls, judgeCallsSavedShare: 1 - entry.judgeCalls / baseline.judgeCalls })),
  };
  writeJson(join(docsDir, 'benchmarks-intent.json'), results);
  const percent = (value: number) => `${(value * 100).toFixed(1)}%`;
  const body = [
    '## Intent cascade (issue 11)',
    '',
    `Run: \`${context.command}\` on ${context.machine.cpuCount} × ${context.machine.cpuModel}, Node ${context.machine.node}, commit ${context.commit.slice(0, 7)}${context.dirty ? ' (dirty)' : ''}, ${context.date.slice(0, 10)}, load ${context.loadAverageAtStart} at start. Raw: docs/benchmarks-intent.json.`,
    '',
    '**CPU per message** (one process, /proc/self/stat, demo dataset cycled, after a JIT warm-up):',
    '',
    table(['what', 'µs CPU per message', 'messages measured'], [
      ['trained tier (TF-IDF word + char n-grams, nearest centroid)', trained.microseconds.toFixed(2), trained.calls],
      ['rules tier (keywords, patterns)', rules.microseconds.toFixed(2), rules.calls],
      ['local cascade through its async interface (follow-up, rules, trained)', cascadeMicroseconds.toFixed(2), cascadeCalls],
    ]),
    '',
    `**${turns.toLocaleString('en-US')}-turn spike** (${turns / turnsPerSession} sessions of ${turnsPerSession} dataset messages, ${parallelSessions} sessions at a time, \`switchboard serve\` in its own process, built-in simulators with 50 ms to first token, LLM tier cache off):`,
    '',
    table(['intent', 'turns reaching the LLM tier', 'judge calls', 'judge calls saved', 'embedding calls', 'model calls in all (agent + judge + embedding)', 'server CPU ms per turn', 'failed', 'decided by'], results.spikes.map((entry) => [
      entry.name,
      `${entry.reachedLlm} (${percent(entry.llmShare)})`,
      entry.judgeCalls,
      `${entry.judgeCallsSaved} (${percent(entry.judgeCallsSavedShare)})`,
      entry.embeddingCalls,
      entry.modelCalls,
      entry.cpuMsPerTurn.toFixed(2),
      entry.failed,
      Object.entries(entry.decidedBy).map(([tier, count]) => `${tier} ${count}`).join(', '),
    ])),
    '',
    `Eval on the demo dataset (${evaluation.report.messages} messages) — configured gates: accuracy ${percent(evaluation.report.accuracy)}, macro-F1 ${evaluation.report.macroF1.toFixed(3)}; fitted: accuracy ${percent(evaluation.fitted!.report.accuracy)}, macro-F1 ${evaluation.fitted!.report.macroF1.toFixed(3)} (fitted on the whole dataset; test/intent/intent-fit.test.ts holds out half).`,
  ].join('\n');
  writeMarkdownSection(join(docsDir, 'benchmarks.md'), '<!-- bench:intent:start -->', '<!-- bench:intent:end -->', body);
  log(body);
}

main()
  .catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(() => stopAll());
