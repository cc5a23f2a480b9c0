/**
 * The long-lived base of a runtime: what is built once per process and survives config reloads —
 * logger, metrics registry, store, rate-limit backend, admission control, authentication and the
 * built-in simulators. If any part fails to build, the parts already open are closed.
 */

import { resolve } from 'node:path';
import { AdmissionController } from '../access/admission-controller.js';
import { ApiKeyAuthenticator } from '../access/api-key-authenticator.js';
import { KeyBudgetGuard } from '../access/key-budget-guard.js';
import { createRateLimiter } from '../access/create-rate-limiter.js';
import type { RateLimiter } from '../access/rate-limiter.js';
import type { SwitchboardConfig } from '../config/config-schema.js';
import type { LlmSimulator } from '../lab/llm-simulator.js';
import { MetricsSampler } from '../server/console/metrics-sampler.js';
import { RecentTurns } from '../server/console/recent-turns.js';
import { buildRoutes } from '../server/http-server.js';
import { openStore } from '../stores/open-store.js';
import type { Store } from '../stores/store-types.js';
import { createLogger, type Logger } from '../telemetry/logger.js';
import { Metrics } from '../telemetry/metrics.js';
import { createTracer } from '../telemetry/create-tracer.js';
import type { Tracer } from '../telemetry/tracing.js';
import { importBootstrapAdminKey } from './bootstrap-admin-key.js';
import { simulatorUrlResolver, startSimulators } from './simulators.js';

export interface RuntimeOptions {
  /** Where the SQLite file lives when the config gives no path. */
  dataDir?: string;
  logger?: Logger;
  /** Node's default process metrics; off in tests that build many runtimes. */
  defaultMetrics?: boolean;
  /** Where the OTEL_* variables are read from (default: process.env). */
  env?: NodeJS.ProcessEnv;
}

export interface RuntimeBase {
  /** The config the base was built from: its server, store, limits, auth, logging and simulator settings hold until a restart. */
  readonly config: SwitchboardConfig;
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** Traces each request; the no-op tracer (and no OpenTelemetry module loaded) when tracing is off. */
  readonly tracer: Tracer;
  readonly store: Store;
  readonly rateLimiter: RateLimiter;
  readonly admission: AdmissionController;
  readonly authenticator: ApiKeyAuthenticator;
  readonly budgets: KeyBudgetGuard;
  /** The console's samples of the metrics (taken only while the console is read) and the last turns served. */
  readonly consoleSampler: MetricsSampler;
  readonly recentTurns: RecentTurns;
  /** Whether SWITCHBOARD_ADMIN_KEY gave the admin key, so no first key is generated and printed. */
  readonly bootstrapAdminKey: boolean;
  /** Built-in simulators started for `simulator://N` instances. */
  readonly simulators: readonly LlmSimulator[];
  /** Turns `simulator://N` into the simulator's address. */
  readonly resolveUrl: (url: string) => string;
  close(): Promise<void>;
}

export async function createRuntimeBase(config: SwitchboardConfig, options: RuntimeOptions = {}): Promise<RuntimeBase> {
  const logger = options.logger ?? createLogger(config.logging.level);
  const metrics = new Metrics({ defaultMetrics: options.defaultMetrics });
  const opened: { close(): Promise<void> }[] = [];
  const closeOpened = () => Promise.all(opened.reverse().map((part) => part.close().catch(() => undefined)));
  try {
    const tracer = await createTracer(config.telemetry.tracing, logger, options.env);
    // Opened first, so closed last: the spans of everything closing before it are still exported.
    opened.push({ close: () => tracer.shutdown() });
    const simulators = await startSimulators(config.simulator);
    opened.push(...simulators);
    const storeConfig = config.store;
    const store = await openStore(
      storeConfig.kind === 'sqlite' ? { kind: 'sqlite', path: storeConfig.path ?? resolve(options.dataDir ?? './data', 'switchboard.db') } : storeConfig,
      { defaultTtlSeconds: config.sessions.ttlSeconds },
    );
    opened.push(store);
    const bootstrapAdminKey = await importBootstrapAdminKey(store, options.env ?? process.env, logger);
    const rateLimiter = await createRateLimiter(config, logger);
    opened.push(rateLimiter);
    const admission = new AdmissionController(
      {
        maxInFlight: config.limits.maxInFlight,
        maxQueued: config.limits.maxQueued,
        queueTimeoutMs: config.limits.queueTimeoutMs,
        tenantDefaults: config.limits.tenants,
        tiers: config.limits.tiers,
      },
      Date.now,
      rateLimiter,
    );
    metrics.observeAdmission(admission, config.limits);
    const servingRoutes = buildRoutes(() => true).filter((route) => route.admits === true).map((route) => route.pattern);
    const consoleSampler = new MetricsSampler(metrics, { servingRoutes, queued: () => admission.queued });
    opened.push({ close: async () => consoleSampler.stop() });
    return {
      config,
      logger,
      metrics,
      tracer,
      store,
      rateLimiter,
      admission,
      authenticator: new ApiKeyAuthenticator(store.keys, config.auth),
      // Cached as long as a verified key is: a budget takes effect within the same few seconds a revocation does.
      budgets: new KeyBudgetGuard(store.usage, { cacheMs: config.auth.cacheTtlMs }),
      bootstrapAdminKey,
      consoleSampler,
      recentTurns: new RecentTurns(),
      simulators,
      resolveUrl: simulatorUrlResolver(simulators),
      close: async () => {
        await closeOpened();
      },
    };
  } catch (error) {
    await closeOpened();
    throw error;
  }
}
