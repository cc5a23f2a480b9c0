/**
 * What a streamed tool call costs the relay next to streamed text: the same Switchboard process relays streamed
 * chat completions that answer in text (the parser's fast path) and ones that answer with a tool call (every
 * chunk parsed), alternating in rounds so the shared machine's drift falls on both. Switchboard's CPU comes from
 * /proc/<pid>/stat and is divided by the SSE chunks it relayed (the provider joins the deltas of one network read,
 * so under load a chunk holds several tokens) and by the requests; the ratio is the figure to keep.
 *
 *   node dist/bench/tool-call-relay-bench.js [rounds] [requestsPerRound] [concurrency]
 */

import { log } from './bench-load.js';
import { stopAll } from './bench-process.js';
import { round } from './bench-report.js';
import { prepareSwitchboard, startSimulator, startSwitchboard } from './bench-servers.js';

type Scenario = 'text' | 'tool-call';

/** Long enough that the tool's `query` argument (the whole message, in the simulator) streams in ~50 pieces. */
const message = 'Search the catalogue for light trail running shoes with a wide toe box, good grip on wet rock, a rock plate, under 300 grams, in size 44, in blue or grey, for long mountain races';
const tools = [{ type: 'function', function: { name: 'search_catalogue', description: 'Search the catalogue', parameters: { type: 'object', properties: { query: { type: 'string' } }, required: ['query'] } } }];

async function oneStream(url: string, apiKey: string, scenario: Scenario): Promise<number> {
  const body = scenario === 'text' ? { model: 'bench', stream: true, messages: [{ role: 'user', content: message }] } : { model: 'bench', stream: true, tools, messages: [{ role: 'user', content: message }] };
  const response = await fetch(`${url}/v1/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const text = await response.text();
  if (response.status !== 200 || !text.includes('[DONE]')) throw new Error(`${scenario}: status ${response.status}: ${text.slice(0, 200)}`);
  if (scenario === 'tool-call' && !text.includes('"tool_calls"')) throw new Error('the tool-call scenario answered without a tool call');
  // Every `data:` line is one chunk the relay wrote.
  return text.split('\ndata: ').length;
}

async function runScenario(url: string, apiKey: string, scenario: Scenario, requests: number, concurrency: number): Promise<number> {
  let chunks = 0;
  let next = 0;
  const worker = async () => {
    while (next < requests) {
      next++;
      // Awaited first: `chunks += await …` would read `chunks` before the wait and lose the other workers' counts.
      const relayed = await oneStream(url, apiKey, scenario);
      chunks += relayed;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return chunks;
}

async function main(): Promise<void> {
  const [rounds = 4, requests = 200, concurrency = 16] = process.argv.slice(2).map(Number);
  // 50 tokens for the text answer: about the pieces of the tool call's arguments.
  const simulator = await startSimulator('simulator', { ttftMs: 5, itlMs: 2, outputTokens: 50, maxNumSeqs: 4096 });
  const setup = await prepareSwitchboard([simulator.url]);
  const switchboard = await startSwitchboard(setup);
  try {
    const totals: Record<Scenario, { cpuS: number; chunks: number }> = { text: { cpuS: 0, chunks: 0 }, 'tool-call': { cpuS: 0, chunks: 0 } };
    await runScenario(switchboard.url, setup.apiKey, 'text', concurrency * 2, concurrency);
    await runScenario(switchboard.url, setup.apiKey, 'tool-call', concurrency * 2, concurrency);
    for (let index = 0; index < rounds; index++) {
      for (const scenario of index % 2 === 0 ? (['text', 'tool-call'] as const) : (['tool-call', 'text'] as const)) {
        const before = switchboard.process.cpuSeconds();
        const chunks = await runScenario(switchboard.url, setup.apiKey, scenario, requests, concurrency);
        const cpuS = switchboard.process.cpuSeconds() - before;
        totals[scenario].cpuS += cpuS;
        totals[scenario].chunks += chunks;
        log(`  round ${index + 1} ${scenario}: ${chunks} chunks, ${round((cpuS * 1e6) / chunks, 2)} µs CPU per chunk`);
      }
    }
    const perChunk = (scenario: Scenario) => (totals[scenario].cpuS * 1e6) / totals[scenario].chunks;
    const result = {
      rounds,
      requestsPerRound: requests,
      concurrency,
      textMicrosPerChunk: round(perChunk('text'), 2),
      toolCallMicrosPerChunk: round(perChunk('tool-call'), 2),
      toolCallOverText: round(perChunk('tool-call') / perChunk('text'), 2),
      textMicrosPerRequest: round((totals.text.cpuS * 1e6) / (rounds * requests), 0),
      toolCallMicrosPerRequest: round((totals['tool-call'].cpuS * 1e6) / (rounds * requests), 0),
    };
    console.log(JSON.stringify(result));
  } finally {
    await switchboard.process.stop();
    setup.cleanup();
    await simulator.process.stop();
    await stopAll();
  }
}

await main();
