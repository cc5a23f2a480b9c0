/** A model route: its pool, fallbacks and hybrid rules (by agent, intent, tier, tenant, prompt size, cost). */

import { z } from 'zod';
import { nameSchema } from './common-schemas.js';

/** Every condition given must hold; a rule with none always matches. */
export const ruleConditionSchema = z
  .object({
    agents: z.array(nameSchema).min(1).optional(),
    intents: z.array(z.string().min(1)).min(1).optional(),
    /** Tenant tiers (the tier of the caller's key). */
    tiers: z.array(z.string().min(1)).min(1).optional(),
    tenants: z.array(z.string().min(1)).min(1).optional(),
    /** Bounds on the estimated prompt tokens (about four characters a token). */
    minPromptTokens: z.number().int().nonnegative().optional(),
    maxPromptTokens: z.number().int().nonnegative().optional(),
    /** A cost ceiling: the rule matches only if the call's estimated cost on its pool is at most this, and its fallbacks above it are skipped. */
    maxCostUsd: z.number().nonnegative().optional(),
  })
  .strict();

export const routeRuleSchema = z
  .object({
    name: nameSchema,
    when: ruleConditionSchema.prefault({}),
    pool: nameSchema,
    fallbacks: z.array(nameSchema).default([]),
  })
  .strict();

export const routeSchema = z
  .object({
    description: z.string().default(''),
    pool: nameSchema,
    fallbacks: z.array(nameSchema).default([]),
    /** Tried in order; the first that matches picks the pools, else the route's own `pool` and `fallbacks` (rule "default"). */
    rules: z.array(routeRuleSchema).max(64).default([]),
  })
  .strict();
