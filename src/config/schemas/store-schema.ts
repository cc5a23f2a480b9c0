/** Where sessions, keys and usage live (SQLite, memory, DynamoDB, Redis), and the Redis of shared rate limits. */

import { z } from 'zod';

export const redisUrlSchema = z.string().regex(/^rediss?:\/\/\S+$/, 'must be a redis:// or rediss:// URL');
/** Every key Switchboard writes starts with this, so one Redis can serve several deployments. */
export const redisKeyPrefixSchema = z.string().regex(/^[A-Za-z0-9:._-]{1,64}$/, 'must be 1-64 letters, digits, ":", ".", "_" or "-"').default('switchboard:');

export const storeSchema = z
  .discriminatedUnion('kind', [
    z.object({ kind: z.literal('sqlite'), path: z.string().optional() }).strict(),
    z.object({ kind: z.literal('memory') }).strict(),
    z
      .object({
        kind: z.literal('dynamodb'),
        table: z.string().regex(/^[A-Za-z0-9_.-]{3,255}$/, 'must be a DynamoDB table name (3-255 letters, digits, "_", "-" or ".")'),
        region: z.string().min(1),
        /** A DynamoDB-compatible endpoint (DynamoDB Local, dynalite, a VPC endpoint); AWS's regional one when absent. */
        endpoint: z.string().regex(/^https?:\/\/\S+$/, 'must be an http:// or https:// URL').optional(),
        /** Attempts per DynamoDB call, the first included (the SDK's own retry with backoff). */
        maxAttempts: z.number().int().min(1).max(10).optional(),
      })
      .strict(),
    z.object({ kind: z.literal('redis'), url: redisUrlSchema, keyPrefix: redisKeyPrefixSchema }).strict(),
  ])
  .default({ kind: 'sqlite' });
