/**
 * What the transport needs from the process that runs it (the app's runtime implements it), so
 * the server never imports the composition root: the base parts and the current generation.
 */

import type { ApiKeyAuthenticator } from '../access/api-key-authenticator.js';
import type { SwitchboardConfig } from '../config/config-schema.js';
import type { ExperimentEngine } from '../experiments/experiment-engine.js';
import type { ModelRouter } from '../models/model-router.js';
import type { ChatServices, TurnServices } from '../pipeline/services.js';
import type { Store } from '../stores/store-types.js';
import type { Logger } from '../telemetry/logger.js';
import type { Metrics } from '../telemetry/metrics.js';
import type { Tracer } from '../telemetry/tracing.js';
import type { ConsoleSnapshot } from './console/console-snapshot.js';
import type { RecentTurns } from './console/recent-turns.js';

/** Everything a route handler may use: one generation's services over the long-lived base. */
export interface RouteServices extends TurnServices, ChatServices {
  /** Which config generation these are: 1 at start, one more per reload. */
  readonly generation: number;
  /** Admin routes forget cached keys after a revocation. */
  readonly authenticator: Pick<ApiKeyAuthenticator, 'authenticate' | 'forget'>;
  readonly router: Pick<ModelRouter, 'call' | 'stream' | 'hasRoute' | 'routeNames' | 'createdAt'>;
  readonly store: Store;
  readonly metrics: Metrics;
  /** The bearer key `GET /metrics` needs, when one is configured (`server.metricsKey`). */
  readonly metricsKey: string | undefined;
  readonly logger: Logger;
  /** The generation's experiments: assignment, feedback, the API's reads and admin actions. */
  readonly experiments: ExperimentEngine;
  /** The last turns served, for the console's waterfall (the turn route adds each). */
  readonly recentTurns: Pick<RecentTurns, 'add'>;
  /** The console's live view of this process and generation. */
  readonly consoleSnapshot: () => Promise<ConsoleSnapshot>;
  /** Reloads the config from its source (the admin route); resolves with what happened. */
  readonly reload: () => Promise<ReloadReport>;
}

/** What a reload did: applied (a new generation), or refused and why; the old generation serves on unless applied. */
export interface ReloadReport {
  readonly outcome: 'applied' | 'unchanged' | 'invalid' | 'refused' | 'failed';
  readonly generation: number;
  readonly source: string;
  readonly message: string;
  /** Every problem found: bad fields for `invalid`, restart-only sections for `refused`. */
  readonly problems: readonly string[];
  /** Pools in the new config that were not in the old, and the reverse. */
  readonly poolsAdded: readonly string[];
  readonly poolsRemoved: readonly string[];
}

/** A generation held by one request: released exactly once when the response is over. */
export interface HeldGeneration {
  readonly services: RouteServices;
  release(): void;
}

export interface ServerHost {
  readonly settings: SwitchboardConfig['server'];
  readonly metrics: Metrics;
  readonly logger: Logger;
  /** Starts each request's server span; the no-op tracer when tracing is off. */
  readonly tracer: Tracer;
  /** The generation a new request starts on; it stays the request's until release(). */
  acquire(): HeldGeneration;
}
