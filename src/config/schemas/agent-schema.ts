/** Agents (prompt, route, intent rules and examples) and how intent picks one. */

import { z } from 'zod';
import { nameSchema } from './common-schemas.js';

export const agentSchema = z
  .object({
    description: z.string().default(''),
    route: nameSchema,
    systemPrompt: z.string().default('You are a helpful assistant.'),
    /** The intent this agent serves; defaults to the agent's name. */
    intent: z.string().optional(),
    keywords: z.array(z.string().min(1)).default([]),
    patterns: z.array(z.string().min(1)).default([]),
    examples: z.array(z.string()).default([]),
    maxTokens: z.number().int().positive().default(256),
    temperature: z.number().min(0).max(2).optional(),
  })
  .strict();

/** A tier decides only when its confidence reaches `threshold` and its lead over the runner-up reaches `margin`. */
const tierGate = {
  threshold: z.number().min(0).max(1),
  margin: z.number().min(0).max(1).default(0),
};

/** The cascade's tiers after the explicit agent; each is off when absent (rules and follow-up are on by default). */
export const intentTiersSchema = z
  .object({
    /** A short message that reads as a continuation stays with the previous turn's agent. */
    followUp: z.union([z.literal(false), z.object({ threshold: tierGate.threshold.default(0.8), margin: tierGate.margin }).strict()]).default({ threshold: 0.8, margin: 0 }),
    /** Keywords and patterns; the threshold defaults to `intent.threshold`. */
    rules: z.union([z.literal(false), z.object({ threshold: tierGate.threshold.optional(), margin: tierGate.margin }).strict()]).default({ margin: 0 }),
    /** TF-IDF nearest centroid fitted at start-up from the agents' `examples`. */
    trained: z.object({ threshold: tierGate.threshold.default(0.3), margin: tierGate.margin.default(0.05) }).strict().optional(),
    /** Cosine to the examples' vectors from a route's /v1/embeddings; each agent scores the mean of its top k. */
    embedding: z
      .object({ route: nameSchema, threshold: tierGate.threshold.default(0.5), margin: tierGate.margin.default(0.05), topK: z.number().int().min(1).max(50).default(3) })
      .strict()
      .optional(),
    /** A cheap model asked for JSON naming the agent or "none". */
    llm: z
      .object({
        route: nameSchema,
        threshold: tierGate.threshold.default(0.5),
        margin: tierGate.margin,
        timeoutMs: z.number().int().positive().max(60_000).default(2000),
        cacheSize: z.number().int().min(0).max(1_000_000).default(10_000),
        maxTokens: z.number().int().positive().max(4096).default(64),
      })
      .strict()
      .optional(),
  })
  .strict();

export const intentSchema = z
  .object({
    defaultAgent: nameSchema,
    /** Below this confidence the rules are not trusted (the rules tier's threshold unless `tiers.rules.threshold` is set). */
    threshold: z.number().min(0).max(1).default(0.5),
    /** When no tier is sure, a conversation under way stays with the previous turn's agent. */
    stickyFollowUps: z.boolean().default(true),
    tiers: intentTiersSchema.prefault({}),
    /** When no tier is sure (and no follow-up applies): ask which agent is meant, or hand the turn to the default agent. */
    whenUnsure: z
      .object({
        action: z.enum(['default', 'ask']).default('default'),
        /** `{choices}` becomes the offered agents' descriptions. */
        question: z.string().min(1).default('I want to get you to the right place: do you mean {choices}?'),
        maxChoices: z.number().int().min(2).max(5).default(2),
      })
      .strict()
      .prefault({}),
    /** Messages no agent serves: examples teach the trained and embedding tiers what they look like. */
    outOfScope: z
      .object({
        examples: z.array(z.string().min(1)).default([]),
        /** `fallback` hands the turn to `agent` (the default agent when unset); `refuse` answers `message` without a model call. */
        action: z.enum(['fallback', 'refuse']).default('fallback'),
        agent: nameSchema.optional(),
        message: z.string().min(1).default('Sorry, I can only help with this shop: orders, deliveries, returns and product advice.'),
      })
      .strict()
      .prefault({}),
  })
  .strict();
