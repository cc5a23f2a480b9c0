/** The configuration schema: one zod schema that validates the YAML file and produces the config types. */

import { z } from 'zod';

const nameSchema = z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9._-]{0,63}$/, 'must be 1-64 letters, digits, dots, dashes or underscores');

const serverSchema = z
  .object({
    host: z.string().default('0.0.0.0'),
    port: z.number().int().min(0).max(65535).default(8080),
    bodyLimitBytes: z.number().int().positive().default(1_048_576),
    /** How long SIGTERM waits for in-flight turns and streams before closing anyway. */
    drainTimeoutMs: z.number().int().nonnegative().default(25_000),
    /** Node's keep-alive timeout; longer than a typical load balancer's idle timeout. */
    keepAliveTimeoutMs: z.number().int().positive().default(65_000),
  })
  .strict()
  .prefault({});

const redisUrlSchema = z.string().regex(/^rediss?:\/\/\S+$/, 'must be a redis:// or rediss:// URL');
/** Every key Switchboard writes starts with this, so one Redis can serve several deployments. */
const redisKeyPrefixSchema = z.string().regex(/^[A-Za-z0-9:._-]{1,64}$/, 'must be 1-64 letters, digits, ":", ".", "_" or "-"').default('switchboard:');

const storeSchema = z
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

const sessionsSchema = z
  .object({
    /** How many of the latest stored messages go to the model with each turn. */
    historyWindow: z.number().int().min(0).max(1000).default(20),
    ttlSeconds: z.number().int().positive().default(7 * 24 * 3600),
    /** Longest user message accepted by a turn, in characters. */
    maxMessageChars: z.number().int().positive().default(32_000),
  })
  .strict()
  .prefault({});

const authSchema = z
  .object({
    /** How long a verified key is trusted without asking the store again; a revocation takes effect within this time. */
    cacheTtlMs: z.number().int().nonnegative().default(5_000),
    cacheMaxEntries: z.number().int().positive().default(10_000),
  })
  .strict()
  .prefault({});

const simulatorSchema = z
  .object({
    instances: z.number().int().min(1).max(64).default(1),
    ttftMs: z.number().nonnegative().default(300),
    itlMs: z.number().nonnegative().default(15),
    outputTokens: z.number().int().positive().default(48),
    maxNumSeqs: z.number().int().positive().default(8192),
    seed: z.number().int().default(1),
  })
  .strict();

const instanceSchema = z
  .object({
    /** Base URL without `/v1` (for example `http://vllm-0:8000`), or `simulator://N` for the N-th built-in simulator. */
    url: z.string().regex(/^(https?:\/\/|simulator:\/\/\d+$)/, 'must start with http://, https:// or be simulator://N'),
    weight: z.number().positive().default(1),
    maxConcurrency: z.number().int().positive().optional(),
    /** The engine's Prometheus endpoint when it is not `<url><metrics.path>` (for example another port). */
    metricsUrl: z.string().regex(/^https?:\/\//, 'must start with http:// or https://').optional(),
  })
  .strict();

export const balancerNames = ['round-robin', 'weighted', 'least-outstanding', 'power-of-two', 'queue-aware', 'session-affinity'] as const;
export const engineNames = ['none', 'vllm', 'sglang', 'tgi'] as const;

/** Metric names tried in order, the first one present wins (newer engine versions renamed some). */
const metricNamesSchema = z.array(z.string().regex(/^[a-zA-Z_:][a-zA-Z0-9_:]*$/, 'must be a Prometheus metric name')).min(1);
const headerNameSchema = z.string().regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, 'must be an HTTP header name').transform((name) => name.toLowerCase());

const poolSchema = z
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

/** Every condition given must hold; a rule with none always matches. */
const ruleConditionSchema = z
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

const routeRuleSchema = z
  .object({
    name: nameSchema,
    when: ruleConditionSchema.prefault({}),
    pool: nameSchema,
    fallbacks: z.array(nameSchema).default([]),
  })
  .strict();

const routeSchema = z
  .object({
    description: z.string().default(''),
    pool: nameSchema,
    fallbacks: z.array(nameSchema).default([]),
    /** Tried in order; the first that matches picks the pools, else the route's own `pool` and `fallbacks` (rule "default"). */
    rules: z.array(routeRuleSchema).max(64).default([]),
  })
  .strict();

const agentSchema = z
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

const intentSchema = z
  .object({
    defaultAgent: nameSchema,
    /** Below this confidence the rules are not trusted and the turn goes to the previous or the default agent. */
    threshold: z.number().min(0).max(1).default(0.5),
    /** A follow-up with no confident match stays with the previous turn's agent. */
    stickyFollowUps: z.boolean().default(true),
  })
  .strict();

const tenantLimitsSchema = z
  .object({
    /** Turns and completions one tenant may have in flight; 0 is no limit. */
    maxConcurrency: z.number().int().nonnegative().default(8_000),
    /** Requests one tenant may start per minute; 0 is no limit. */
    requestsPerMinute: z.number().int().nonnegative().default(0),
    /** Model tokens (prompt and completion) one tenant may use per minute; 0 is no limit. Charged after each call. */
    tokensPerMinute: z.number().int().nonnegative().default(0),
  })
  .strict();

const limitsSchema = z
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

const loggingSchema = z
  .object({ level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info') })
  .strict()
  .prefault({});

export const configSchema = z
  .object({
    server: serverSchema,
    store: storeSchema,
    sessions: sessionsSchema,
    auth: authSchema,
    logging: loggingSchema,
    limits: limitsSchema,
    /** The Redis that `limits.backend: redis` keeps rate buckets in. */
    redis: z.object({ url: redisUrlSchema, keyPrefix: redisKeyPrefixSchema }).strict().optional(),
    simulator: simulatorSchema.optional(),
    pools: z.record(nameSchema, poolSchema).refine((pools) => Object.keys(pools).length > 0, 'at least one pool is needed'),
    routes: z.record(nameSchema, routeSchema).refine((routes) => Object.keys(routes).length > 0, 'at least one route is needed'),
    agents: z.record(nameSchema, agentSchema).refine((agents) => Object.keys(agents).length > 0, 'at least one agent is needed'),
    intent: intentSchema,
  })
  .strict()
  .superRefine((config, context) => {
    if (config.limits.backend === 'redis' && !config.redis && config.store.kind !== 'redis') {
      context.addIssue({ code: 'custom', path: ['limits', 'backend'], message: 'the redis backend needs redis.url (or a store of kind redis)' });
    }
    // Cross-references are checked here so a typo fails at start, naming the field.
    for (const [name, route] of Object.entries(config.routes)) {
      for (const [index, pool] of [route.pool, ...route.fallbacks].entries()) {
        if (!config.pools[pool]) {
          context.addIssue({ code: 'custom', path: ['routes', name, index === 0 ? 'pool' : `fallbacks`], message: `unknown pool "${pool}"` });
        }
      }
      checkRouteRules(config, name, route, context);
    }
    for (const [name, agent] of Object.entries(config.agents)) {
      if (!config.routes[agent.route]) context.addIssue({ code: 'custom', path: ['agents', name, 'route'], message: `unknown route "${agent.route}"` });
      for (const [index, pattern] of agent.patterns.entries()) {
        try {
          new RegExp(pattern, 'i');
        } catch (error) {
          context.addIssue({ code: 'custom', path: ['agents', name, 'patterns', index], message: `invalid regular expression: ${(error as Error).message}` });
        }
      }
    }
    if (!config.agents[config.intent.defaultAgent]) {
      context.addIssue({ code: 'custom', path: ['intent', 'defaultAgent'], message: `unknown agent "${config.intent.defaultAgent}"` });
    }
    for (const [name, pool] of Object.entries(config.pools)) {
      if (pool.balancer === 'queue-aware' && pool.engine === 'none') {
        context.addIssue({ code: 'custom', path: ['pools', name, 'engine'], message: 'the queue-aware balancer needs the engine whose metrics it scrapes (vllm, sglang or tgi)' });
      }
      for (const [index, instance] of pool.instances.entries()) {
        const match = /^simulator:\/\/(\d+)$/.exec(instance.url);
        if (!match) continue;
        const count = config.simulator?.instances ?? 0;
        if (Number(match[1]) >= count) {
          context.addIssue({ code: 'custom', path: ['pools', name, 'instances', index, 'url'], message: `no built-in simulator ${match[1]} (simulator.instances is ${count})` });
        }
      }
    }
  });

/** Rules name known pools, once each by name, with sensible token bounds. */
function checkRouteRules(config: { pools: Record<string, unknown> }, routeName: string, route: z.infer<typeof routeSchema>, context: z.RefinementCtx): void {
  const seen = new Set<string>();
  for (const [index, rule] of route.rules.entries()) {
    const path = ['routes', routeName, 'rules', index];
    if (rule.name === 'default' || seen.has(rule.name)) context.addIssue({ code: 'custom', path: [...path, 'name'], message: `rule name "${rule.name}" is ${rule.name === 'default' ? 'reserved' : 'used twice'}` });
    seen.add(rule.name);
    for (const [poolIndex, pool] of [rule.pool, ...rule.fallbacks].entries()) {
      if (!Object.hasOwn(config.pools, pool)) context.addIssue({ code: 'custom', path: [...path, poolIndex === 0 ? 'pool' : 'fallbacks'], message: `unknown pool "${pool}"` });
    }
    const { minPromptTokens, maxPromptTokens } = rule.when;
    if (minPromptTokens !== undefined && maxPromptTokens !== undefined && minPromptTokens > maxPromptTokens) {
      context.addIssue({ code: 'custom', path: [...path, 'when', 'minPromptTokens'], message: 'must not exceed maxPromptTokens' });
    }
  }
}

export type SwitchboardConfig = z.infer<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;
export type PoolConfig = SwitchboardConfig['pools'][string];
export type InstanceConfig = PoolConfig['instances'][number];
export type RouteConfig = SwitchboardConfig['routes'][string];
export type RouteRuleConfig = RouteConfig['rules'][number];
export type BalancerName = (typeof balancerNames)[number];
export type EngineName = (typeof engineNames)[number];
export type AgentConfig = SwitchboardConfig['agents'][string];
