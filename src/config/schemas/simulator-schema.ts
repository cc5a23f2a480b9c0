/** The built-in LLM simulators that `simulator://N` instances name. */

import { z } from 'zod';

export const simulatorSchema = z
  .object({
    instances: z.number().int().min(1).max(64).default(1),
    ttftMs: z.number().nonnegative().default(300),
    itlMs: z.number().nonnegative().default(15),
    outputTokens: z.number().int().positive().default(48),
    maxNumSeqs: z.number().int().positive().default(8192),
    seed: z.number().int().default(1),
    /** Prompt tokens per prefix-cache block (the simulator's defaults apply when absent; docs/simulator.md). */
    blockTokens: z.number().int().positive().optional(),
    /** Blocks each simulator's prefix cache holds; 0 turns the cache off. */
    prefixCacheBlocks: z.number().int().nonnegative().optional(),
    /** Prefill speed for prompt tokens not in the cache; 0 makes prefill free. */
    prefillTokensPerSecond: z.number().nonnegative().optional(),
    /** Prefills take turns on each simulated engine's compute instead of each running as if alone. */
    sharedPrefill: z.boolean().optional(),
  })
  .strict();
