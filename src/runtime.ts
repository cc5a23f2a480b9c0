/**
 * The runtime: everything expensive (store, HTTP pools, compiled config, classifiers,
 * simulators) built once per process and shared by the HTTP server, the Lambda handler
 * and the tests.
 */

import { resolve } from 'node:path';
import type { SwitchboardConfig } from './config/config-schema.js';
import type { IntentClassifier } from './intent/intent-classifier.js';
import { TieredIntentClassifier } from './intent/tiered-intent-classifier.js';
import type { LlmSimulator } from './lab/llm-simulator.js';
import { BackendLoadScraper } from './models/backend-load-scraper.js';
import { ModelRouter } from './models/model-router.js';
import { UsageRecorder } from './models/usage-recorder.js';
import { AdmissionController } from './server/admission-controller.js';
import { ApiKeyAuthenticator } from './server/api-key-authenticator.js';
import { createRateLimiter, limitsTokens } from './server/create-rate-limiter.js';
import type { RateLimiter } from './server/rate-limiter.js';
import { withTokenCharging } from './server/token-charging-ledger.js';
import { openStore } from './stores/open-store.js';
import type { Store } from './stores/store-types.js';
import { createLogger, type Logger } from './telemetry/logger.js';
import { Metrics } from './telemetry/metrics.js';

export interface Runtime {
  readonly config: SwitchboardConfig;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly store: Store;
  readonly router: ModelRouter;
  /** Prices finished model calls and writes them to the usage ledger. */
  readonly usageRecorder: UsageRecorder;
  readonly intent: IntentClassifier;
  readonly auth: ApiKeyAuthenticator;
  readonly admission: AdmissionController;
  /** Built-in simulators started for `simulator://N` instances. */
  readonly simulators: readonly LlmSimulator[];
  /** Milliseconds the runtime took to build. */
  readonly buildMs: number;
  close(): Promise<void>;
}

export interface RuntimeOptions {
  /** Where the SQLite file lives when the config gives no path. */
  dataDir?: string;
  logger?: Logger;
  /** Node's default process metrics; off in tests that build many runtimes. */
  defaultMetrics?: boolean;
}

export async function createRuntime(config: SwitchboardConfig, options: RuntimeOptions = {}): Promise<Runtime> {
  const started = performance.now();
  const logger = options.logger ?? createLogger(config.logging.level);
  const metrics = new Metrics({ defaultMetrics: options.defaultMetrics });
  const simulators = config.simulator ? await startSimulators(config.simulator) : [];
  const resolveUrl = (url: string) => {
    const match = /^simulator:\/\/(\d+)$/.exec(url);
    return match ? simulators[Number(match[1])]!.url : url;
  };
  const storeConfig = config.store;
  let store: Store;
  try {
    store = await openStore(
      storeConfig.kind === 'sqlite' ? { kind: 'sqlite', path: storeConfig.path ?? resolve(options.dataDir ?? './data', 'switchboard.db') } : storeConfig,
      { defaultTtlSeconds: config.sessions.ttlSeconds },
    );
  } catch (error) {
    await Promise.all(simulators.map((simulator) => simulator.close()));
    throw error;
  }
  let rateLimiter: RateLimiter;
  try {
    rateLimiter = await createRateLimiter(config, logger);
  } catch (error) {
    await store.close();
    await Promise.all(simulators.map((simulator) => simulator.close()));
    throw error;
  }
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
  // Every model call is recorded once in the ledger, so that is where its tokens are charged.
  const usageLedger = limitsTokens(config) ? withTokenCharging(store.usage, (tenant, tokens) => admission.chargeTokens(tenant, tokens)) : store.usage;
  const router = new ModelRouter(config, resolveUrl, { observer: metrics, logger });
  // Queue-aware pools need their engines' numbers before the first call; one round is awaited, then it runs on timers.
  const scraper = new BackendLoadScraper(router.pools.values(), { now: () => router.now(), logger });
  await scraper.start();
  const runtime: Runtime = {
    config,
    logger,
    metrics,
    store,
    router,
    usageRecorder: new UsageRecorder(router, usageLedger, { observer: metrics, logger }),
    intent: new TieredIntentClassifier(config),
    auth: new ApiKeyAuthenticator(store.keys, config.auth),
    admission,
    simulators,
    buildMs: performance.now() - started,
    async close() {
      await scraper.close();
      await router.close();
      await rateLimiter.close();
      await store.close();
      await Promise.all(simulators.map((simulator) => simulator.close()));
    },
  };
  return runtime;
}

async function startSimulators(settings: NonNullable<SwitchboardConfig['simulator']>): Promise<LlmSimulator[]> {
  // Loaded only when configured, so a production start does not pay for it.
  const { startLlmSimulator } = await import('./lab/llm-simulator.js');
  const simulators: LlmSimulator[] = [];
  for (let index = 0; index < settings.instances; index++) {
    simulators.push(
      await startLlmSimulator({
        host: '127.0.0.1',
        port: 0,
        ttftMs: settings.ttftMs,
        itlMs: settings.itlMs,
        outputTokens: settings.outputTokens,
        maxNumSeqs: settings.maxNumSeqs,
        seed: settings.seed + index,
      }),
    );
  }
  return simulators;
}
