/** Agents (prompt, route, intent rules and examples, tools, retrieval, loop limits) and how intent picks one. */

import { z } from 'zod';
import { agentLimitsSchema, agentRetrievalSchema, agentToolSchema } from './agent-tool-schema.js';
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
    tools: z.array(agentToolSchema).default([]),
    retrieval: agentRetrievalSchema.optional(),
    limits: agentLimitsSchema.prefault({}),
  })
  .strict();

export const intentSchema = z
  .object({
    defaultAgent: nameSchema,
    /** Below this confidence the rules are not trusted and the turn goes to the previous or the default agent. */
    threshold: z.number().min(0).max(1).default(0.5),
    /** A follow-up with no confident match stays with the previous turn's agent. */
    stickyFollowUps: z.boolean().default(true),
  })
  .strict();
