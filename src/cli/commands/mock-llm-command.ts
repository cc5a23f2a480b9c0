/** `switchboard mock-llm`: runs the LLM simulator as a stand-alone OpenAI/Anthropic-compatible backend until SIGINT or SIGTERM. */

import { intFlag, numberFlag, stringFlag, type Command } from '../command.js';

const usage = `Usage: switchboard mock-llm [options]

Runs a simulated LLM backend: OpenAI POST /v1/chat/completions, Anthropic POST /v1/messages,
GET /v1/models, GET /health and vLLM-style GET /metrics, with continuous-batching latency,
a FIFO queue past --max-num-seqs, and injected faults. Stops on SIGINT or SIGTERM.

Options:
  --port N              port to listen on; 0 picks a free one (default 0)
  --host H              address to bind (default 127.0.0.1)
  --model NAME          model listed in /v1/models (default switchboard-sim)
  --ttft-ms N           mean time to first token in ms (default 200)
  --itl-ms N            mean inter-token latency at batch 1 in ms (default 20)
  --output-tokens N     tokens per answer unless max_tokens is smaller (default 64)
  --max-num-seqs N      sequences decoded at once; the rest queue (default 256)
  --error-rate F        fraction of requests answered 429/500/503, 0..1 (default 0)
  --disconnect-rate F   fraction of streams cut mid-stream, 0..1 (default 0)
  --stall-ms N          extra delay before every first token in ms (default 0)
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
