/** Process settings: the HTTP server, sessions, authentication and logging. */

import { z } from 'zod';

export const serverSchema = z
  .object({
    host: z.string().default('0.0.0.0'),
    port: z.number().int().min(0).max(65535).default(8080),
    bodyLimitBytes: z.number().int().positive().default(1_048_576),
    /**
     * The bytes all request bodies still being read may hold together; a body that does not fit is
     * refused with 503 and its connection closed. Bounds what stalled uploads can hold.
     */
    maxPendingBodyBytes: z.number().int().positive().default(64 * 1_048_576),
    /**
     * Deadline for a whole request (headers and body) to arrive; a peer that is slower gets 408 and
     * its connection is closed. With bodyLimitBytes it sets the minimum average upload rate.
     */
    bodyTimeoutMs: z.number().int().positive().default(30_000),
    /**
     * The slowest average rate a body may arrive at, judged from `afterMs` after it started; a slower
     * peer gets 408 and its connection is closed long before bodyTimeoutMs. bytesPerSecond 0 turns it off.
     */
    bodyMinRate: z
      .object({
        bytesPerSecond: z.number().int().nonnegative().default(1_024),
        afterMs: z.number().int().positive().default(5_000),
      })
      .strict()
      .prefault({}),
    /** How long SIGTERM waits for in-flight turns and streams before closing anyway. */
    drainTimeoutMs: z.number().int().nonnegative().default(25_000),
    /** Node's keep-alive timeout; longer than a typical load balancer's idle timeout. */
    keepAliveTimeoutMs: z.number().int().positive().default(65_000),
    /** When set, `GET /metrics` answers only `Authorization: Bearer <metricsKey>` (Prometheus' `authorization.credentials`). */
    metricsKey: z.string().min(8, 'must be at least 8 characters').optional(),
  })
  .strict()
  .prefault({});

export const sessionsSchema = z
  .object({
    /** How many of the latest stored messages go to the model with each turn. */
    historyWindow: z.number().int().min(0).max(1000).default(20),
    ttlSeconds: z.number().int().positive().default(7 * 24 * 3600),
    /** Longest user message accepted by a turn, in characters. */
    maxMessageChars: z.number().int().positive().default(32_000),
    /**
     * How long a turn holds its session's lease, taken at load and released at commit or abort: a
     * racing turn meanwhile gets 409 before its model call. It expires on its own, so a crashed
     * process blocks the session for at most this long (a retry of the very turn it held, by its
     * Idempotency-Key, is let through at once). A turn that outlasts it still commits conditionally.
     */
    leaseMs: z.number().int().positive().default(15_000),
  })
  .strict()
  .prefault({});

export const authSchema = z
  .object({
    /** How long a verified key is trusted without asking the store again; a revocation takes effect within this time. */
    cacheTtlMs: z.number().int().nonnegative().default(5_000),
    cacheMaxEntries: z.number().int().positive().default(10_000),
  })
  .strict()
  .prefault({});

export const loggingSchema = z
  .object({ level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info') })
  .strict()
  .prefault({});
