/**
 * `npm run bench:agents`: what the tool loop and retrieval cost. The same Switchboard process serves turns of a plain
 * agent (one model call), of an agent that calls one HTTP tool per turn (two model calls, the tool, a four-message
 * commit), and of the same agent with one retrieval per turn over an embedded knowledge base (BM25 and vectors, the
 * query embedded by the simulator), in rounds that rotate the order; Switchboard's CPU per turn comes from
 * /proc/<pid>/stat. Writes docs/benchmarks-agents.json and its section of docs/benchmarks.md.
 *
 * Environment: AGENT_BENCH_TURNS (2000 per step), AGENT_BENCH_ROUNDS (3), AGENT_BENCH_CONCURRENCY (16),
 * AGENT_BENCH_CHUNKS (100000 chunks in the knowledge base, ingested with `kb ingest` before serving).
 */

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDemoOrderService, type DemoOrderService } from '../src/lab/demo-order-service.js';
import { SeededRandom } from '../src/stats/seeded-random.js';
import { runBench, writeBenchDocs } from './bench-main.js';
import { log, withCpuAccounting } from './bench-load.js';
import { BenchProcess, stopAll } from './bench-process.js';
import { round, runContext, table, type RunContext } from './bench-report.js';
import { cliPath, startSimulator, startSwitchboard, switchboardBenchConfig, type SwitchboardSetup } from './bench-servers.js';

type Variant = 'plain' | 'tool' | 'retrieval';
const variants: readonly Variant[] = ['plain', 'tool', 'retrieval'];

interface StepSample {
  turns: number;
  errors: number;
  toolCalls: number;
  /** Turns whose reply cites retrieved passages. */
  retrievals: number;
  switchboardCpuS: number;
  simulatorCpuS: number;
  wallS: number;
}

interface AgentBenchResult {
  options: { turns: number; rounds: number; concurrency: number; chunks: number };
  samples: Record<Variant, StepSample[]>;
  summary: Record<Variant, { cpuPerTurnUs: number; simulatorCpuPerTurnUs: number; turnsPerSecond: number }> & { loopAddedUs: number; retrievalAddedUs: number };
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

const agentFor: Record<Variant, string> = { plain: 'order-support', tool: 'order-lookup', retrieval: 'order-lookup-kb' };

/** Shop-like chunks of one sentence each: Zipf-distributed pseudo-words around a few real shop words, so BM25 finds "order" in many chunks and a number in few. */
function knowledgeLines(chunks: number): string {
  const random = new SeededRandom(20261202);
  const syllables = ['ka', 'lo', 'mi', 'ter', 'sun', 'ra', 'vel', 'dor', 'pi', 'nex', 'tra', 'gol'];
  const words = Array.from({ length: 5000 }, (_, rank) => (rank < 6 ? ['order', 'delivery', 'refund', 'parcel', 'return', 'invoice'][rank]! : Array.from({ length: 2 + (rank % 3) }, () => syllables[Math.floor(random.next() * syllables.length)]).join('')));
  const word = () => words[Math.min(words.length - 1, Math.floor(Math.exp(random.next() * Math.log(words.length))) - 1)]!;
  const lines: string[] = [];
  for (let chunk = 0; chunk < chunks; chunk++) {
    const text = `${Array.from({ length: 40 }, word).join(' ')} ${Math.floor(random.next() * 100_000)}.`;
    lines.push(JSON.stringify({ id: `item-${chunk}`, title: `${word()} ${word()}`, text }));
  }
  return `${lines.join('\n')}\n`;
}

async function prepare(simulatorUrl: string, orders: DemoOrderService, chunks: number): Promise<SwitchboardSetup> {
  const config = switchboardBenchConfig([simulatorUrl]) as { agents: Record<string, unknown>; knowledge?: Record<string, unknown> };
  const lookupOrder = {
    kind: 'http',
    name: 'lookup_order',
    description: 'Look up an order by its number.',
    parameters: { type: 'object', properties: { order_id: { type: 'string', pattern: '^[0-9]{3,12}$' } }, required: ['order_id'], additionalProperties: false },
    url: `${orders.url}/orders/lookup`,
  };
  const systemPrompt = 'You are the order support agent of an online shop. Look the order up before you answer. Be brief.';
  config.agents['order-lookup'] = { description: 'Order support that looks the order up.', route: 'bench', systemPrompt, tools: [lookupOrder] };
  // The same agent, with the shop's knowledge base searched once per turn and the passages put in its prompt.
  config.agents['order-lookup-kb'] = { description: 'Order support that looks the order up and reads the help pages.', route: 'bench', systemPrompt, tools: [lookupOrder], retrieval: { kb: 'shop', topK: 4, mode: 'prompt' } };
  config.knowledge = { shop: { kind: 'embedded', description: 'Help pages.', embeddingsRoute: 'bench' } };
  const dataDir = mkdtempSync(join(tmpdir(), 'switchboard-agent-bench-'));
  const configPath = join(dataDir, 'bench-config.yaml');
  writeFileSync(configPath, JSON.stringify(config, null, 2));
  const knowledgePath = join(dataDir, 'shop.jsonl');
  writeFileSync(knowledgePath, knowledgeLines(chunks));
  const keys = new BenchProcess('keys create', process.execPath, [cliPath, 'keys', 'create', '--tenant', 'bench', '--config', configPath, '--data-dir', dataDir]);
  const apiKey = (await keys.completed(30_000)).trim().split('\n').at(-1)!.trim();
  // As an operator would, before serving: the server only loads the vectors at start.
  const ingestStarted = performance.now();
  const ingest = new BenchProcess('kb ingest', process.execPath, [cliPath, 'kb', 'ingest', '--kb', 'shop', '--config', configPath, '--data-dir', dataDir, knowledgePath]);
  log(`kb ingest: ${(await ingest.completed(900_000)).trim().split('\n').at(-1)} (${((performance.now() - ingestStarted) / 1000).toFixed(0)} s)`);
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
  let retrievals = 0;
  const started = performance.now();
  const { cpuSeconds } = await withCpuAccounting(measured, async () => {
    let next = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < sessions.length) {
          const session = sessions[next++]!;
          const response = await fetch(`${url}/v1/sessions/${session}/messages`, { method: 'POST', headers, body });
          const reply = (await response.json()) as { tool_calls?: { ok: boolean }[]; citations?: unknown[] };
          if (response.status !== 200) errors++;
          else {
            toolCalls += reply.tool_calls?.filter((call) => call.ok).length ?? 0;
            if ((reply.citations?.length ?? 0) > 0) retrievals++;
          }
        }
      }),
    );
  });
  return { turns: count, errors, toolCalls, retrievals, switchboardCpuS: cpuSeconds.switchboard ?? Number.NaN, simulatorCpuS: cpuSeconds.simulator ?? Number.NaN, wallS: round((performance.now() - started) / 1000, 2) };
}

async function runAgentBench(options: AgentBenchResult['options']): Promise<AgentBenchResult> {
  const simulator = await startSimulator('simulator', { ttftMs: 0, itlMs: 0, outputTokens: 16, maxNumSeqs: 4096 });
  const orders = await startDemoOrderService();
  const setup = await prepare(simulator.url, orders, options.chunks);
  const switchboard = await startSwitchboard(setup);
  const samples: Record<Variant, StepSample[]> = { plain: [], tool: [], retrieval: [] };
  try {
    // Warm-up of both paths (JIT, connections, the MCP-free toolbox), not measured.
    for (const variant of variants) await runTurns(switchboard.url, setup.apiKey, variant, 200, options.concurrency, []);
    for (let roundIndex = 0; roundIndex < options.rounds; roundIndex++) {
      // Rotating, so drift of the shared machine falls on every variant.
      const order = variants.map((_, position) => variants[(position + roundIndex) % variants.length]!);
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
  const retrieval = summarize('retrieval');
  return { options, samples, summary: { plain, tool, retrieval, loopAddedUs: round(tool.cpuPerTurnUs - plain.cpuPerTurnUs, 0), retrievalAddedUs: round(retrieval.cpuPerTurnUs - tool.cpuPerTurnUs, 0) } };
}

function render(result: AgentBenchResult, context: RunContext): string {
  const { plain, tool, retrieval, loopAddedUs, retrievalAddedUs } = result.summary;
  const o = result.options;
  const signed = (us: number) => `${us >= 0 ? '+' : '−'}${Math.abs(us)} µs`;
  const perRound = (variant: Variant) =>
    result.samples[variant].map((sample) => `${Math.round((sample.switchboardCpuS * 1e6) / sample.turns)} µs (${sample.errors} errors, ${sample.toolCalls} tool calls, ${sample.retrievals} turns citing passages)`).join('; ');
  return [
    '## The agent tool loop and retrieval per turn (issue 10)',
    '',
    `Machine: ${context.machine.cpuCount} × ${context.machine.cpuModel}, ${context.machine.memoryGiB} GiB, ${context.machine.os}; Node ${context.machine.node}. Commit ${context.commit.slice(0, 12)}${context.dirty ? ' (with uncommitted changes)' : ''}; ${context.date.slice(0, 10)}; 1-minute load average at start ${context.loadAverageAtStart}. Command: \`${context.command}\`${o.turns === 2000 ? '' : ` with AGENT_BENCH_TURNS=${o.turns}`}. Raw numbers: [benchmarks-agents.json](benchmarks-agents.json).`,
    '',
    `One \`switchboard serve\` (SQLite, the bench config) over a simulator that answers at once and the demo order service on loopback. Non-streamed turns, ${o.concurrency} in flight, ${o.turns} per step on fresh sessions, ${o.rounds} rounds rotating the three agents; figures are medians over the rounds. The plain agent makes one model call; the tool agent makes two (the call that asks for \`lookup_order\`, the answer after its result), POSTs the validated arguments to the order service and commits four messages instead of two. The third agent is the tool agent plus one retrieval per turn (\`retrieval: { kb: shop, topK: 4, mode: prompt }\`): the user message embedded by the simulator's \`/v1/embeddings\`, BM25 and the vector index over all ${o.chunks.toLocaleString('en-US')} chunks of the knowledge base (ingested with \`kb ingest\` before serving), fused, four passages in the prompt and cited in the reply. CPU is Switchboard's user + system time from \`/proc/<pid>/stat\` over the step, divided by the turns.`,
    '',
    table(
      ['', 'plain agent (1 model call)', 'one tool call per turn (2 model calls + HTTP tool)', 'one tool call + one retrieval per turn', 'added by the loop', 'added by retrieval'],
      [
        ['Switchboard CPU per turn', `${plain.cpuPerTurnUs} µs`, `${tool.cpuPerTurnUs} µs`, `${retrieval.cpuPerTurnUs} µs`, signed(loopAddedUs), signed(retrievalAddedUs)],
        ['simulator CPU per turn', `${plain.simulatorCpuPerTurnUs} µs`, `${tool.simulatorCpuPerTurnUs} µs`, `${retrieval.simulatorCpuPerTurnUs} µs`, '', ''],
        ['chunks searched per turn', 0, 0, o.chunks.toLocaleString('en-US'), '', ''],
        ['turns per second', plain.turnsPerSecond, tool.turnsPerSecond, retrieval.turnsPerSecond, '', ''],
      ],
    ),
    '',
    `Per round, Switchboard CPU per turn: plain ${perRound('plain')}; with the tool ${perRound('tool')}; with the tool and retrieval ${perRound('retrieval')}.`,
  ].join('\n');
}

async function main(): Promise<void> {
  const options = { turns: setting('AGENT_BENCH_TURNS', 2_000), rounds: setting('AGENT_BENCH_ROUNDS', 3), concurrency: setting('AGENT_BENCH_CONCURRENCY', 16), chunks: setting('AGENT_BENCH_CHUNKS', 100_000) };
  const context = runContext('npm run bench:agents');
  const result = await runAgentBench(options);
  writeBenchDocs('agent', 'benchmarks-agents.json', { context, ...result }, render(result, context));
  log(JSON.stringify(result.summary));
}

runBench('agent bench', main);
