/** `switchboard plan gpu`: GPU memory, GPU count and decode speed for serving a model. */

import { intFlag, numberFlag, stringFlag, UsageError, type Command } from '../command.js';

export const planGpuCommand: Command = {
  path: ['plan', 'gpu'],
  summary: 'size GPUs for a model: memory, tensor parallel, replicas, decode tokens/s',
  usage: `Usage: switchboard plan gpu --model M [options]

Sizes GPU memory for serving a model (weights, paged KV cache, runtime overhead), picks the
tensor-parallel degree (1, 2, 4, 8) and replica count that fit, and estimates decode speed
from a memory-bandwidth roofline. See docs/planner.md.

Options:
  --model M                   catalog id (llama-3.1-8b, llama-3.1-70b, qwen2.5-7b, qwen3-235b-a22b,
                              mixtral-8x7b) or a Hugging Face config.json path
  --quant Q                   fp32, bf16 (default), fp16, fp8, int8, int4, gptq, awq
  --context N                 tokens of KV cache per sequence, prompt + output (default 4096)
  --concurrency N             sequences served at once, over all replicas (default 1)
  --gpu G                     l4, a10g, l40s, a100-40gb, a100-80gb, h100-sxm, h100-pcie, h200, b200,
                              mi300x; without it every GPU is compared and the cheapest that fits is shown
  --kv-cache-dtype D          bf16, fp16, fp8, fp32 (default: bf16, fp32 for fp32 weights)
  --prompt-tokens N           prompt length for time to first token (default 75% of --context)
  --max-seqs N                the engine's cap on sequences per replica (default 256)
  --gpu-memory-utilization F  fraction of GPU memory the engine may use (default 0.9)
  --json                      print JSON
`,
  options: {
    model: { type: 'string' },
    quant: { type: 'string' },
    context: { type: 'string' },
    concurrency: { type: 'string' },
    gpu: { type: 'string' },
    'kv-cache-dtype': { type: 'string' },
    'prompt-tokens': { type: 'string' },
    'max-seqs': { type: 'string' },
    'gpu-memory-utilization': { type: 'string' },
    json: { type: 'boolean' },
  },
  async run({ values }) {
    const model = stringFlag(values, 'model');
    if (model === undefined || model === '') throw new UsageError('plan gpu: --model is required (for example --model llama-3.1-8b)');
    const contextTokens = intFlag(values, 'context', 4096, 1, 10_000_000);
    const flags = {
      model,
      quant: stringFlag(values, 'quant') ?? 'bf16',
      kvCacheDtype: stringFlag(values, 'kv-cache-dtype'),
      contextTokens,
      concurrency: intFlag(values, 'concurrency', 1, 1, 10_000_000),
      promptTokens: values['prompt-tokens'] === undefined ? undefined : intFlag(values, 'prompt-tokens', 1, 1, contextTokens),
      gpu: stringFlag(values, 'gpu'),
      maxSequences: values['max-seqs'] === undefined ? undefined : intFlag(values, 'max-seqs', 256, 1, 1_000_000),
      gpuMemoryUtilization: values['gpu-memory-utilization'] === undefined ? undefined : numberFlag(values, 'gpu-memory-utilization', 0.9, 0.05, 1),
      json: values.json === true,
    };
    const { runPlanGpu, PlanFlagError } = await import('../../planner/plan-gpu-run.js');
    try {
      return runPlanGpu(flags, (text) => process.stdout.write(text));
    } catch (error) {
      if (error instanceof PlanFlagError) throw new UsageError(`plan gpu: ${error.message}`);
      throw error;
    }
  },
};
