/** Schemas of the request bodies; the handlers' types come from them. */

import { z } from 'zod';

export { chatCompletionRequestSchema, modelledChatFields, type ChatCompletionRequest } from './chat-completion-schema.js';

const metadataSchema = z.record(z.string().max(128), z.string().max(1024)).refine((record) => Object.keys(record).length <= 32, 'at most 32 entries');

export const createSessionRequestSchema = z
  .object({
    metadata: metadataSchema.optional(),
  })
  .strict();

export const turnRequestSchema = z
  .object({
    content: z.string().min(1),
    stream: z.boolean().optional(),
    agent: z.string().optional(),
    max_tokens: z.number().int().positive().max(100_000).optional(),
  })
  .strict();
export type TurnRequest = z.infer<typeof turnRequestSchema>;

/** POST /v1/feedback: about one turn (or completion) or a whole session, one named metric, a boolean or a number. */
export const feedbackRequestSchema = z
  .object({
    turn_id: z.string().min(1).max(256).optional(),
    session_id: z.string().min(1).max(256).optional(),
    metric: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'must be 1-64 lowercase letters, digits, "_" or "-"'),
    value: z.union([z.boolean(), z.number().finite().min(-1e9).max(1e9)]),
    comment: z.string().max(4000).optional(),
  })
  .strict()
  .refine((body) => (body.turn_id === undefined) !== (body.session_id === undefined), { message: 'give exactly one of turn_id and session_id', path: ['turn_id'] });
export type FeedbackRequest = z.infer<typeof feedbackRequestSchema>;

export const stopExperimentRequestSchema = z
  .object({
    /** Stop only this variant (its traffic goes back to the control); without it the whole experiment stops. */
    variant: z.string().min(1).max(64).optional(),
    reason: z.string().min(1).max(500).optional(),
  })
  .strict();

export const promoteExperimentRequestSchema = z.object({ variant: z.string().min(1).max(64) }).strict();

export const rampExperimentRequestSchema = z
  .object({
    /** Jump the ramp to this step (0-based). */
    step: z.number().int().optional(),
    /** Set every variant's weight now (summing to 1). */
    weights: z.record(z.string().min(1).max(64), z.number()).optional(),
  })
  .strict();

export const createKeyRequestSchema = z
  .object({
    tenant: z.string().min(1).max(128),
    role: z.enum(['admin', 'user']).optional(),
    tier: z.string().min(1).max(64).optional(),
    /** Milliseconds since the epoch. */
    expires_at: z.number().int().positive().optional(),
    budget: z
      .object({ tokens_per_month: z.number().positive().optional(), usd_per_month: z.number().positive().optional() })
      .strict()
      .refine((budget) => budget.tokens_per_month !== undefined || budget.usd_per_month !== undefined, { message: 'budget needs tokens_per_month or usd_per_month' })
      .optional(),
  })
  .strict();
