/** Experiments between model versions: units, scope, variants and weights, the statistics' settings, guardrails, ramps, bandits and shadow traffic. */

import { z } from 'zod';
import { nameSchema } from './common-schemas.js';

/** What a unit of assignment is: every request of one unit sees the same variant. */
export const experimentUnits = ['session', 'tenant', 'api_key'] as const;

/** Metrics collected for every variant; `feedback.<name>` adds the feedback metrics posted to /v1/feedback. */
export const builtInMetrics = ['error_rate', 'fallback_rate', 'ttft_ms', 'latency_ms', 'tokens', 'cost_usd'] as const;

/** A metric an experiment may decide or guard on: a built-in one or `feedback.<name>`. */
export const experimentMetricSchema = z
  .string()
  .regex(/^(?:error_rate|fallback_rate|ttft_ms|latency_ms|tokens|cost_usd|feedback\.[a-z0-9][a-z0-9_-]{0,63})$/, `must be one of ${builtInMetrics.join(', ')} or feedback.<name>`);

/** A guardrail may also bound a latency quantile: `latency_p95_ms`, `ttft_p99_ms`, … */
export const guardrailMetricSchema = z.union([
  experimentMetricSchema,
  z.string().regex(/^(?:latency|ttft)_p(?:[1-9][0-9]?|99\.9)_ms$/, 'must be a metric, or latency_pNN_ms / ttft_pNN_ms'),
]);

export const variantSchema = z
  .object({
    /** Share of the experiment's units; the weights of an experiment sum to 1. */
    weight: z.number().min(0).max(1),
    /** The pool the variant's calls go to instead of the route's (its rules are then not consulted). */
    pool: nameSchema.optional(),
    /** Fallbacks after `pool`; default: the route's own fallbacks. */
    fallbacks: z.array(nameSchema).optional(),
    /** The model name sent upstream, instead of the pool's. */
    model: z.string().min(1).optional(),
    systemPrompt: z.string().optional(),
    temperature: z.number().min(0).max(2).optional(),
    topP: z.number().min(0).max(1).optional(),
    maxTokens: z.number().int().positive().optional(),
    /** Another agent answers the turn (turns only: the experiment must then apply by `agents`). */
    agent: nameSchema.optional(),
  })
  .strict();

export const guardrailSchema = z
  .object({
    metric: guardrailMetricSchema,
    /** The variant's mean (or quantile) must stay at or under this. */
    max: z.number().optional(),
    /** The variant's mean must stay at or over this (a feedback score). */
    min: z.number().optional(),
    /** The variant's mean may exceed the control's by at most this (same units as the metric). */
    maxIncrease: z.number().nonnegative().optional(),
  })
  .strict()
  .refine((guardrail) => [guardrail.max, guardrail.min, guardrail.maxIncrease].filter((limit) => limit !== undefined).length === 1, 'give exactly one of max, min, maxIncrease');

export const rampSchema = z
  .object({
    /** The variant being rolled out; the experiment has exactly it and the control. */
    variant: nameSchema,
    /** The variant's share at each step, increasing; the last is usually 1. */
    steps: z.array(z.number().gt(0).max(1)).min(1).max(20),
    /** A step ends only once the variant has this many requests in it... */
    minSamples: z.number().int().positive().default(200),
    /** ...and this long has passed since it began... */
    dwellMs: z.number().int().nonnegative().default(60_000),
    /** ...and no guardrail is breached. After the last step the variant is promoted when this is true. */
    promote: z.boolean().default(true),
  })
  .strict();

export const banditSchema = z
  .object({
    /** Every variant keeps at least this share (forced exploration). */
    minShare: z.number().min(0).max(0.5).default(0.05),
    /** How often the weights are recomputed. */
    rebalanceMs: z.number().int().min(100).default(10_000),
    /** Stop when the leader is best with probability 1 − δ. */
    delta: z.number().gt(0).lt(0.5).default(0.05),
    /** Never stop before every variant has this many samples of the primary metric. */
    minSamples: z.number().int().positive().default(10),
    /** When stopped, send all traffic to the winner. */
    promoteWinner: z.boolean().default(true),
  })
  .strict();

export const shadowSchema = z
  .object({
    /** The candidate pool that receives the mirrored calls; its answers are never returned. */
    pool: nameSchema,
    model: z.string().min(1).optional(),
    /** Share of the route's calls mirrored. */
    share: z.number().gt(0).max(1),
    /** Mirroring stops once the candidate's calls have cost this much (every pod together). */
    maxSpendUsd: z.number().positive(),
    /** Mirrored calls one process runs at once; past it a call is not mirrored. */
    maxConcurrency: z.number().int().positive().default(16),
  })
  .strict();

export const experimentSchema = z
  .object({
    description: z.string().default(''),
    /** Off: the experiment is not assigned and its state is kept. */
    enabled: z.boolean().default(true),
    unit: z.enum(experimentUnits).default('session'),
    /** Experiments in one layer split its units: a unit is in at most one of them. */
    layer: nameSchema.optional(),
    /** Share of the layer's units this experiment takes (layer members' shares sum to at most 1). */
    traffic: z.number().gt(0).max(1).default(1),
    /** Model routes it applies to (turns through their agent's route, chat completions by `model`)... */
    routes: z.array(nameSchema).default([]),
    /** ...and agents it applies to (turns only). */
    agents: z.array(nameSchema).default([]),
    /** The variant others are compared with; default: the first one. */
    control: nameSchema.optional(),
    variants: z.record(nameSchema, variantSchema).default({}),
    /** The metric a winner is declared on, and which way is better. */
    primaryMetric: z.object({ name: experimentMetricSchema, higherIsBetter: z.boolean().default(false) }).strict().prefault({ name: 'latency_ms' }),
    /** The false-positive rate of every decision, however often the results are looked at. */
    alpha: z.number().gt(0).max(0.2).default(0.05),
    /** No decision before every variant has this many samples. */
    minSamples: z.number().int().min(2).default(100),
    /** Total samples (both groups) where the confidence sequences are tightest. */
    tuningSamples: z.number().int().positive().default(10_000),
    /** Samples per variant after which, with no winner, the decision is `no difference`. */
    maxSamples: z.number().int().positive().optional(),
    guardrails: z.array(guardrailSchema).max(16).default([]),
    /** Guardrails decide on this many samples at least (a guardrail must act fast). */
    guardrailMinSamples: z.number().int().min(2).default(30),
    /** Where guardrails' confidence sequences are tightest (smaller: faster on large breaches). */
    guardrailTuningSamples: z.number().int().positive().default(1_000),
    ramp: rampSchema.optional(),
    bandit: banditSchema.optional(),
    shadow: shadowSchema.optional(),
  })
  .strict();

export const experimentSyncSchema = z
  .object({
    /** How often each process reads the experiments' state and statistics from the store and decides. */
    refreshMs: z.number().int().min(50).max(60_000).default(1_000),
    /** How often each process adds its buffered statistics to the store. */
    flushMs: z.number().int().min(10).max(60_000).default(250),
  })
  .strict()
  .prefault({});
