/** `switchboard mock-llm`: runs the LLM simulator as a stand-alone OpenAI/Anthropic-compatible backend until SIGINT or SIGTERM. */

import { intFlag, numberFlag, stringFlag, type Command } from '../command.js';

const usage = `Usage: switchboard mock-llm [options]

Runs a simulated LLM backend: OpenAI POST /v1/chat/completions and POST /v1/embeddings,
Anthropic POST /v1/messages, GET /v1/models, GET /health and vLLM-style GET /metrics, with
continuous-batching latency, a FIFO queue past --max-num-seqs, a prefix cache, and injected
faults. Stops on SIGINT or SIGTERM.

When a request offers tools, the answer calls the tools whose name or description share words
with the last user message (arguments built from each tool's JSON Schema); after tool results it
answers in text that quotes them. response_format json_object/json_schema gets JSON that fits.
Embeddings are deterministic hashed word/trigram vectors (256 dimensions unless asked).

Options:
  --port N              port to listen on; 0 picks a free one (default 0)
  --host H              address to bind (default 127.0.0.1)
  --model NAME          model listed in /v1/models (default switchboard-sim)
  --ttft-ms N           mean time to first token in ms, before prefill (default 200)
  --itl-ms N            mean inter-token latency at batch 1 in ms (default 20)
  --output-tokens N     tokens per answer unless max_tokens is smaller (default 64)
  --max-num-seqs N      sequences decoded at once; the rest queue (default 256)
  --error-rate F        fraction of requests answered 429/500/503, 0..1 (default 0)
  --disconnect-rate F   fraction of streams cut mid-stream, 0..1 (default 0)
  --stall-ms N          extra delay before every first token in ms (default 0)
  --kv-capacity-tokens N
                        KV cache size in tokens (default max-num-seqs x 2048)
  --block-tokens N      tokens per prefix-cache block (default 16)
  --prefix-cache-blocks N
                        blocks the prefix cache holds at most; 0 turns it off
                        (default: as many as the KV cache holds)
  --prefill-tokens-per-second N
                        prefill speed: each uncached prompt token adds 1000/N ms to
                        the time to first token; 0 makes prefill free (default 32000)
  --seed N              seed of texts, latencies and faults (default 1)
  -h, --help            show this help
`;

export const mockLlmCommand: Command = {
  path: ['mock-llm'],
  summary: 'Run the built-in LLM simulator (OpenAI and Anthropic compatible)',
  usage,
  options: {
    port: { type: 'string' },
    host: { type: 'string' },
    model: { type: 'string' },
    'ttft-ms': { type: 'string' },
    'itl-ms': { type: 'string' },
    'output-tokens': { type: 'string' },
    'max-num-seqs': { type: 'string' },
    'error-rate': { type: 'string' },
    'disconnect-rate': { type: 'string' },
    'stall-ms': { type: 'string' },
    'kv-capacity-tokens': { type: 'string' },
    'block-tokens': { type: 'string' },
    'prefix-cache-blocks': { type: 'string' },
    'prefill-tokens-per-second': { type: 'string' },
    seed: { type: 'string' },
  },
  async run({ values }) {
    // Flags are read before the simulator module loads, so a bad flag costs nothing.
    const options = {
      port: intFlag(values, 'port', 0, 0, 65535),
      host: stringFlag(values, 'host') ?? '127.0.0.1',
      modelName: stringFlag(values, 'model') ?? 'switchboard-sim',
      ttftMs: intFlag(values, 'ttft-ms', 200),
      itlMs: intFlag(values, 'itl-ms', 20),
      outputTokens: intFlag(values, 'output-tokens', 64, 1),
      maxNumSeqs: intFlag(values, 'max-num-seqs', 256, 1),
      errorRate: numberFlag(values, 'error-rate', 0, 0, 1),
      disconnectRate: numberFlag(values, 'disconnect-rate', 0, 0, 1),
      stallMs: intFlag(values, 'stall-ms', 0),
      // Absent flags stay absent: their defaults depend on other options (the simulator derives them).
      kvBlocksTotal: values['kv-capacity-tokens'] === undefined ? undefined : intFlag(values, 'kv-capacity-tokens', 0, 1),
      blockTokens: values['block-tokens'] === undefined ? undefined : intFlag(values, 'block-tokens', 0, 1),
      prefixCacheBlocks: values['prefix-cache-blocks'] === undefined ? undefined : intFlag(values, 'prefix-cache-blocks', 0, 0),
      prefillTokensPerSecond: values['prefill-tokens-per-second'] === undefined ? undefined : numberFlag(values, 'prefill-tokens-per-second', 0, 0),
      seed: intFlag(values, 'seed', 1, 0, 0xffffffff),
    };
    const { startLlmSimulator } = await import('../../lab/llm-simulator.js');
    const simulator = await startLlmSimulator(options);
    process.stdout.write(`mock-llm listening on ${simulator.url} (OpenAI /v1/chat/completions, Anthropic /v1/messages, metrics /metrics)\n`);
    await new Promise<void>((resolve) => {
      const stop = (): void => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        resolve();
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    await simulator.close();
    return 0;
  },
};
