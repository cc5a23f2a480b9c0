/** The config's shape before its cross-references are checked: every part's schema side by side. */

import { z } from 'zod';
import { agentSchema, intentSchema } from './schemas/agent-schema.js';
import { nameSchema } from './schemas/common-schemas.js';
import { experimentSchema, experimentSyncSchema } from './schemas/experiment-schema.js';
import { limitsSchema } from './schemas/limits-schema.js';
import { poolSchema } from './schemas/pool-schema.js';
import { routeSchema } from './schemas/route-schema.js';
import { authSchema, loggingSchema, serverSchema, sessionsSchema } from './schemas/server-schema.js';
import { simulatorSchema } from './schemas/simulator-schema.js';
import { redisKeyPrefixSchema, redisUrlSchema, storeSchema } from './schemas/store-schema.js';
import { telemetrySchema } from './schemas/telemetry-schema.js';

export const configObjectSchema = z
  .object({
    server: serverSchema,
    store: storeSchema,
    sessions: sessionsSchema,
    auth: authSchema,
    logging: loggingSchema,
    telemetry: telemetrySchema,
    limits: limitsSchema,
    /** The Redis that `limits.backend: redis` keeps rate buckets in. */
    redis: z.object({ url: redisUrlSchema, keyPrefix: redisKeyPrefixSchema }).strict().optional(),
    simulator: simulatorSchema.optional(),
    pools: z.record(nameSchema, poolSchema).refine((pools) => Object.keys(pools).length > 0, 'at least one pool is needed'),
    routes: z.record(nameSchema, routeSchema).refine((routes) => Object.keys(routes).length > 0, 'at least one route is needed'),
    agents: z.record(nameSchema, agentSchema).refine((agents) => Object.keys(agents).length > 0, 'at least one agent is needed'),
    intent: intentSchema,
    /** The tenants the routes' rules may name (tenants live in the key store): a rule naming any other is a typo. */
    tenants: z.array(z.string().min(1)).default([]),
    experiments: z.record(nameSchema, experimentSchema).default({}),
    experimentSync: experimentSyncSchema,
  })
  .strict();

export type ConfigObject = z.infer<typeof configObjectSchema>;
