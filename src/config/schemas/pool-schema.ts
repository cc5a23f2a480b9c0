/** A pool: the instances of one model, how calls are spread over them, and their timeouts, retries, breakers and prices. */

import { z } from 'zod';
import { headerNameSchema, metricNamesSchema, nameSchema, urlSchema } from './common-schemas.js';

export const instanceSchema = z
  .object({
    /** Base URL without `/v1` (for example `http://vllm-0:8000`), or `simulator://N` for the N-th built-in simulator. */
    /** What clients, metrics and replies call the instance (its URL appears only in logs); `<pool>-<index>` when absent. */
    name: nameSchema.optional(),
    url: urlSchema(/^(https?:\/\/|simulator:\/\/\d+$)/, 'must start with http://, https:// or be simulator://N'),
    weight: z.number().positive().default(1),
    maxConcurrency: z.number().int().positive().optional(),
    /** The engine's Prometheus endpoint when it is not `<url><metrics.path>` (for example another port). */
    metricsUrl: urlSchema(/^https?:\/\//, 'must start with http:// or https://').optional(),
  })
  .strict();

export const balancerNames = ['round-robin', 'weighted', 'least-outstanding', 'power-of-two', 'queue-aware', 'session-affinity', 'prefix-aware'] as const;
export const engineNames = ['none', 'vllm', 'sglang', 'tgi'] as const;

export const poolSchema = z
  .object({
    provider: z.enum(['openai', 'anthropic']).default('openai'),
    /** The model name sent upstream. */
    model: z.string().min(1),
    instances: z.array(instanceSchema).min(1).max(256),
    balancer: z.enum(balancerNames).default('least-outstanding'),
    /** The serving engine whose Prometheus metrics are scraped for queue-aware routing and saturation; `none` scrapes nothing. */
    engine: z.enum(engineNames).default('none'),
    metrics: z
      .object({
        path: z.string().startsWith('/').default('/metrics'),
        intervalMs: z.number().int().min(20).max(60_000).default(150),
        /** Older metrics than this count as saturated: an engine that stops answering its scrape takes no new calls. */
        staleAfterMs: z.number().int().positive().default(1_000),
        waiting: metricNamesSchema.optional(),
        running: metricNamesSchema.optional(),
        kvCacheUsage: metricNamesSchema.optional(),
      })
      .strict()
      .prefault({}),
    /** When a scraped instance counts as saturated: skipped while a later pool of the plan may take the call. */
    saturation: z
      .object({ maxWaiting: z.number().nonnegative().default(5), maxKvCacheUsage: z.number().min(0).max(1).default(0.8) })
      .strict()
      .prefault({}),
    queueAware: z
      .object({ queueWeight: z.number().nonnegative().default(1), kvCacheWeight: z.number().nonnegative().default(0.5), inFlightWeight: z.number().nonnegative().default(0.01) })
      .strict()
      .prefault({}),
    /** The prefix-aware balancer: cost = queue-aware score with these queue and KV weights − prefixWeight × matched share of the prompt. */
    prefixAware: z
      .object({
        prefixWeight: z.number().nonnegative().default(3),
        queueWeight: z.number().nonnegative().default(2),
        kvCacheWeight: z.number().nonnegative().default(2),
        /** Characters per hashed prompt block (about four per token: 256 is 64 tokens). */
        blockCharacters: z.number().int().min(16).max(65_536).default(256),
        /** Blocks hashed per prompt at most (256 × 256 characters: about 16k tokens). */
        maxBlocks: z.number().int().min(1).max(65_536).default(256),
        /** Blocks remembered per instance: about the engine's KV capacity in tokens × 4 / blockCharacters. */
        lruBlocks: z.number().int().min(1).max(10_000_000).default(8_192),
        /** An instance loaded more than this multiple of the least loaded one... */
        overloadRatio: z.number().min(1).default(1.5),
        /** ...and by more than this many calls in flight per unit of weight gets no credit for its prefix. */
        overloadGap: z.number().nonnegative().default(16),
      })
      .strict()
      .prefault({}),
    affinity: z
      .object({
        /** Request header whose value keys the affinity; without it (or when the request lacks it) the session id does. */
        header: headerNameSchema.optional(),
        /** The preferred instance is passed over when its load is more than this many times the least loaded one's... */
        overloadRatio: z.number().min(1).default(2),
        /** ...and more than this many requests above it. */
        overloadGap: z.number().nonnegative().default(8),
      })
      .strict()
      .prefault({}),
    /** Calls the whole pool may have in flight; past it the route falls back to its next pool. */
    maxConcurrency: z.number().int().positive().optional(),
    apiKey: z.string().optional(),
    /** Send the key raw in this header (Azure's `api-key`) instead of `Authorization: Bearer` (OpenAI) or `x-api-key` (Anthropic). */
    apiKeyHeader: headerNameSchema.optional(),
    headers: z.record(z.string(), z.string()).default({}),
    /** Path of the chat endpoint under the base URL; defaults to `/v1/chat/completions` or `/v1/messages`. */
    chatPath: z.string().startsWith('/').optional(),
    /** Query string added to every call, without `?` (Azure's `api-version=2024-06-01`). */
    query: z.string().regex(/^[^?#\s]+$/, 'must be a query string without ? or #').optional(),
    anthropicVersion: z.string().min(1).default('2023-06-01'),
    /** max_tokens sent when the caller gives none (Anthropic requires one) and used in cost estimates. */
    defaultMaxTokens: z.number().int().positive().default(1024),
    timeouts: z
      .object({
        connectMs: z.number().int().positive().default(2_000),
        firstTokenMs: z.number().int().positive().default(15_000),
        /**
         * Non-streamed calls: the deadline for the upstream's response headers (defaults to
         * firstTokenMs). Engines that send headers only with the whole answer (vLLM, SGLang, TGI)
         * need it above their longest non-streamed answer.
         */
        headersMs: z.number().int().positive().optional(),
        totalMs: z.number().int().positive().default(120_000),
      })
      .strict()
      .prefault({}),
    retry: z
      .object({
        /** Attempts per pool, the first included. */
        attempts: z.number().int().min(1).max(10).default(3),
        baseDelayMs: z.number().int().nonnegative().default(100),
        maxDelayMs: z.number().int().nonnegative().default(2_000),
      })
      .strict()
      .prefault({}),
    breaker: z
      .object({
        /** Share of failed calls in the window that opens the breaker... */
        failureRate: z.number().gt(0).max(1).default(0.5),
        /** ...once the window holds at least this many calls. */
        minimumCalls: z.number().int().positive().default(5),
        windowMs: z.number().int().min(100).default(10_000),
        /** How long an open breaker refuses calls before letting probes through. */
        openMs: z.number().int().positive().default(5_000),
        /** Calls let through at once while half-open; one success closes the breaker, one failure reopens it. */
        halfOpenProbes: z.number().int().positive().default(1),
      })
      .strict()
      .prefault({}),
    /** Connections kept per instance: a streamed call holds one for its whole length, so this caps concurrent calls per instance. */
    connections: z.number().int().positive().default(8192),
    prices: z
      .object({ inputPerMillionTokens: z.number().nonnegative().default(0), outputPerMillionTokens: z.number().nonnegative().default(0) })
      .strict()
      .prefault({}),
  })
  .strict();
