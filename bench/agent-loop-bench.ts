/**
 * `npm run bench:agents`: what the tool loop costs. The same Switchboard process serves turns of a plain agent (one
 * model call) and of an agent that calls one HTTP tool per turn (two model calls, the tool, a four-message commit),
 * alternating in rounds; Switchboard's CPU per turn comes from /proc/<pid>/stat. Writes docs/benchmarks-agents.json
 * and its section of docs/benchmarks.md.
 *
 * Environment: AGENT_BENCH_TURNS (2000 per step), AGENT_BENCH_ROUNDS (3), AGENT_BENCH_CONCURRENCY (16).
 */

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDemoOrderService, type DemoOrderService } from '../src/lab/demo-order-service.js';
import { runBench, writeBenchDocs } from './bench-main.js';
import { log, withCpuAccounting } from './bench-load.js';
import { BenchProcess, stopAll } from './bench-process.js';
import { round, runContext, table, type RunContext } from './bench-report.js';
import { cliPath, startSimulator, startSwitchboard, switchboardBenchConfig, type SwitchboardSetup } from './bench-servers.js';

type Variant = 'plain' | 'tool';

interface StepSample {
  turns: number;
  errors: number;
  toolCalls: number;
  switchboardCpuS: number;
  simulatorCpuS: number;
  wallS: number;
}

interface AgentBenchResult {
  options: { turns: number; rounds: number; concurrency: number };
  samples: Record<Variant, StepSample[]>;
  summary: Record<Variant, { cpuPerTurnUs: number; simulatorCpuPerTurnUs: number; turnsPerSecond: number }> & { loopAddedUs: number };
}

function setting(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new RangeError(`${name} must be a positive integer, got ${raw}`);
  return value;
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((left, right) => left - right);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

const agentFor: Record<Variant, string> = { plain: 'order-support', tool: 'order-lookup' };

async function prepare(simulatorUrl: string, orders: DemoOrderService): Promise<SwitchboardSetup> {
  const config = switchboardBenchConfig([simulatorUrl]) as { agents: Record<string, unknown> };
  config.agents['order-lookup'] = {
    description: 'Order support that looks the order up.',
    route: 'bench',
    systemPrompt: 'You are the order support agent of an online shop. Look the order up before you answer. Be brief.',
    tools: [
      {
        kind: 'http',
        name: 'lookup_order',
        description: 'Look up an order by its number.',
        parameters: { type: 'object', properties: { order_id: { type: 'string', pattern: '^[0-9]{3,12}$' } }, required: ['order_id'], additionalProperties: false },
        url: `${orders.url}/orders/lookup`,
      },
    ],
  };
  const dataDir = mkdtempSync(join(tmpdir(), 'switchboard-agent-bench-'));
  const configPath = join(dataDir, 'bench-config.yaml');
  writeFileSync(configPath, JSON.stringify(config, null, 2));
  const keys = new BenchProcess('keys create', process.execPath, [cliPath, 'keys', 'create', '--tenant', 'bench', '--config', configPath, '--data-dir', dataDir]);
  const apiKey = (await keys.completed(30_000)).trim().split('\n').at(-1)!.trim();
  return { dataDir, configPath, apiKey, route: 'bench', cleanup: () => rmSync(dataDir, { recursive: true, force: true }) };
}

/** `count` turns, `concurrency` at a time, each on a session made beforehand (outside the measured window). */
async function runTurns(url: string, apiKey: string, variant: Variant, count: number, concurrency: number, measured: BenchProcess[]): Promise<StepSample> {
  const headers = { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' };
  const sessions: string[] = [];
  for (let made = 0; made < count; made += concurrency) {
    const batch = await Promise.all(Array.from({ length: Math.min(concurrency, count - made) }, async () => ((await (await fetch(`${url}/v1/sessions`, { method: 'POST', headers })).json()) as { id: string }).id));
    sessions.push(...batch);
  }
  const body = JSON.stringify({ content: 'Where is my order 48213?', agent: agentFor[variant] });
  let errors = 0;
  let toolCalls = 0;
  const started = performance.now();
  const { cpuSeconds } = await withCpuAccounting(measured, async () => {
    let next = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < sessions.length) {
          const session = sessions[next++]!;
          const response = await fetch(`${url}/v1/sessions/${session}/messages`, { method: 'POST', headers, body });
          const reply = (await response.json()) as { tool_calls?: { ok: boolean }[] };
          if (response.status !== 200) errors++;
          else toolCalls += reply.tool_calls?.filter((call) => call.ok).length ?? 0;
        }
      }),
    );
  });
  return { turns: count, errors, toolCalls, switchboardCpuS: cpuSeconds.switchboard ?? Number.NaN, simulatorCpuS: cpuSeconds.simulator ?? Number.NaN, wallS: round((performance.now() - started) / 1000, 2) };
}

async function runAgentBench(options: AgentBenchResult['options']): Promise<AgentBenchResult> {
  const simulator = await startSimulator('simulator', { ttftMs: 0, itlMs: 0, outputTokens: 16, maxNumSeqs: 4096 });
  const orders = await startDemoOrderService();
  const setup = await prepare(simulator.url, orders);
  const switchboard = await startSwitchboard(setup);
  const samples: Record<Variant, StepSample[]> = { plain: [], tool: [] };
  try {
    // Warm-up of both paths (JIT, connections, the MCP-free toolbox), not measured.
    for (const variant of ['plain', 'tool'] as const) await runTurns(switchboard.url, setup.apiKey, variant, 200, options.concurrency, []);
    for (let roundIndex = 0; roundIndex < options.rounds; roundIndex++) {
      // Alternating, so drift of the shared machine falls on both variants.
      const order: Variant[] = roundIndex % 2 === 0 ? ['plain', 'tool'] : ['tool', 'plain'];
      for (const variant of order) {
        const sample = await runTurns(switchboard.url, setup.apiKey, variant, options.turns, options.concurrency, [switchboard.process, simulator.process]);
        samples[variant].push(sample);
        log(`round ${roundIndex + 1} ${variant}: ${JSON.stringify(sample)}`);
      }
    }
  } finally {
    await stopAll();
    await orders.close();
    setup.cleanup();
  }
  const summarize = (variant: Variant) => ({
    cpuPerTurnUs: round(median(samples[variant].map((sample) => (sample.switchboardCpuS * 1e6) / sample.turns)), 0),
    simulatorCpuPerTurnUs: round(median(samples[variant].map((sample) => (sample.simulatorCpuS * 1e6) / sample.turns)), 0),
    turnsPerSecond: round(median(samples[variant].map((sample) => sample.turns / sample.wallS)), 0),
  });
  const plain = summarize('plain');
  const tool = summarize('tool');
  return { options, samples, summary: { plain, tool, loopAddedUs: round(tool.cpuPerTurnUs - plain.cpuPerTurnUs, 0) } };
}

function render(result: AgentBenchResult, context: RunContext): string {
  const { plain, tool, loopAddedUs } = result.summary;
  const o = result.options;
  const perRound = (variant: Variant) => result.samples[variant].map((sample) => `${Math.round((sample.switchboardCpuS * 1e6) / sample.turns)} µs (${sample.errors} errors, ${sample.toolCalls} tool calls)`).join('; ');
  return [
    '## The agent tool loop (issue 10)',
    '',
    `Machine: ${context.machine.cpuCount} × ${context.machine.cpuModel}, ${context.machine.memoryGiB} GiB, ${context.machine.os}; Node ${context.machine.node}. Commit ${context.commit.slice(0, 12)}${context.dirty ? ' (with uncommitted changes)' : ''}; ${context.date.slice(0, 10)}; 1-minute load average at start ${context.loadAverageAtStart}. Command: \`${context.command}\`. Raw numbers: [benchmarks-agents.json](benchmarks-agents.json).`,
    '',
    `One \`switchboard serve\` (SQLite, the bench config) over a simulator that answers at once and the demo order service on loopback. Non-streamed turns, ${o.concurrency} in flight, ${o.turns} per step on fresh sessions, ${o.rounds} rounds alternating the two agents; figures are medians over the rounds. The plain agent makes one model call; the tool agent makes two (the call that asks for \`lookup_order\`, the answer after its result), POSTs the validated arguments to the order service and commits four messages instead of two. CPU is Switchboard's user + system time from \`/proc/<pid>/stat\` over the step, divided by the turns.`,
    '',
    table(
      ['', 'plain agent (1 model call)', 'one tool call per turn (2 model calls + HTTP tool)', 'added by the loop'],
      [
        ['Switchboard CPU per turn', `${plain.cpuPerTurnUs} µs`, `${tool.cpuPerTurnUs} µs`, `${loopAddedUs >= 0 ? '+' : '−'}${Math.abs(loopAddedUs)} µs`],
        ['simulator CPU per turn', `${plain.simulatorCpuPerTurnUs} µs`, `${tool.simulatorCpuPerTurnUs} µs`, ''],
        ['turns per second', plain.turnsPerSecond, tool.turnsPerSecond, ''],
      ],
    ),
    '',
    `Per round, Switchboard CPU per turn: plain ${perRound('plain')}; with the tool ${perRound('tool')}.`,
  ].join('\n');
}

async function main(): Promise<void> {
  const options = { turns: setting('AGENT_BENCH_TURNS', 2_000), rounds: setting('AGENT_BENCH_ROUNDS', 3), concurrency: setting('AGENT_BENCH_CONCURRENCY', 16) };
  const context = runContext('npm run bench:agents');
  const result = await runAgentBench(options);
  writeBenchDocs('agent', 'benchmarks-agents.json', { context, ...result }, render(result, context));
  log(JSON.stringify(result.summary));
}

runBench('agent bench', main);
