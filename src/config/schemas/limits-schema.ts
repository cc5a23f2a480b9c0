/** Admission control: the process cap, the wait queue, and per-tenant and per-tier limits. */

import { z } from 'zod';

export const tenantLimitsSchema = z
  .object({
    /** Turns and completions one tenant may have in flight; 0 is no limit. */
    maxConcurrency: z.number().int().nonnegative().default(8_000),
    /** Requests one tenant may start per minute; 0 is no limit. */
    requestsPerMinute: z.number().int().nonnegative().default(0),
    /** Model tokens (prompt and completion) one tenant may use per minute; 0 is no limit. Charged after each call. */
    tokensPerMinute: z.number().int().nonnegative().default(0),
  })
  .strict();

export const limitsSchema = z
  .object({
    /**
     * Requests served at once by this process. Turns mostly wait on the model, so one
     * process holds thousands; the default admits a 5,000-user spike without refusing any.
     */
    maxInFlight: z.number().int().positive().default(10_000),
    /** Where the per-tenant rate buckets live: `local` to this process, or `redis`, shared by every instance. */
    backend: z.enum(['local', 'redis']).default('local'),
    /** Requests that may wait for a slot past maxInFlight; beyond it they get 503 at once. */
    maxQueued: z.number().int().nonnegative().default(10_000),
    /** How long a request waits in the queue before it gets 503. */
    queueTimeoutMs: z.number().int().positive().default(10_000),
    tenants: tenantLimitsSchema.prefault({}),
    /** Overrides per tenant tier (the tier of the caller's key); higher priority leaves the queue first. */
    tiers: z
      .record(z.string(), z.object({ maxConcurrency: z.number().int().nonnegative().optional(), requestsPerMinute: z.number().int().nonnegative().optional(), tokensPerMinute: z.number().int().nonnegative().optional(), priority: z.number().int().default(0) }).strict())
      .default({}),
  })
  .strict()
  .prefault({});
