/** The HTTP server: routes requests to handlers, counts them, and drains gracefully on shutdown. */

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BodyBudget } from './body-budget.js';
import { BodyRateGuard } from './body-rate-guard.js';
import { createDispatcher } from './dispatcher.js';
import type { StreamLimits } from './http-exchange.js';
import { NodeHttpExchange } from './node-http-exchange.js';
import { RouteTable } from './route-table.js';
import type { RouteSpec } from './route-spec.js';
import { createKeyRoute, listKeysRoute, revokeKeyRoute } from './routes/admin-key-routes.js';
import { adminReloadRoute } from './routes/admin-reload-route.js';
import { auditLogRoute, tenantSessionsRoute, tenantUsageRoute } from './routes/admin-tenant-routes.js';
import { chatCompletionsRoute } from './routes/chat-completions-route.js';
import { getExperimentRoute, listExperimentsRoute, promoteExperimentRoute, rampExperimentRoute, stopExperimentRoute } from './routes/experiment-routes.js';
import { consoleAssetRoute, consolePageRoute, consoleSnapshotRoute, rootRoute } from './routes/console-routes.js';
import { feedbackRoute } from './routes/feedback-route.js';
import { healthRoute, metricsRoute, readinessRoute } from './routes/health-routes.js';
import { getModelRoute, listModelsRoute } from './routes/models-route.js';
import { createSessionRoute, deleteSessionRoute, getSessionRoute } from './routes/session-routes.js';
import { turnRoute } from './routes/turn-route.js';
import { usageRoute } from './routes/usage-route.js';
import type { ServerHost } from './server-host.js';

export interface SwitchboardServer {
  readonly server: Server;
  readonly url: string;
  readonly port: number;
  /** Requests being served now. */
  inFlight(): number;
  /** Bytes reserved by request bodies being read now (at most `server.maxPendingBodyBytes`). */
  pendingBodyBytes(): number;
  /** The most request bodies ever held at once. */
  peakPendingBodyBytes(): number;
  /**
   * Drains: /readyz answers 503 and every response closes its connection, while the listener stays
   * open (probes get an answer, not a refused connection) until in-flight requests end or the drain
   * timeout passes; then the listener and every socket are closed.
   */
  shutdown(drainTimeoutMs?: number): Promise<{ drained: boolean }>;
}

/** Every route the server answers; `isReady` says whether the process takes traffic (false while draining). */
export function buildRoutes(isReady: () => boolean): RouteSpec[] {
  return [
    chatCompletionsRoute,
    listModelsRoute,
    getModelRoute,
    createSessionRoute,
    getSessionRoute,
    deleteSessionRoute,
    turnRoute,
    usageRoute,
    feedbackRoute,
    listExperimentsRoute,
    getExperimentRoute,
    stopExperimentRoute,
    promoteExperimentRoute,
    rampExperimentRoute,
    adminReloadRoute,
    createKeyRoute,
    listKeysRoute,
    revokeKeyRoute,
    tenantUsageRoute,
    tenantSessionsRoute,
    auditLogRoute,
    consoleSnapshotRoute,
    consolePageRoute,
    consoleAssetRoute,
    rootRoute,
    healthRoute,
    readinessRoute(isReady),
    metricsRoute,
  ];
}

export interface HttpServerOptions {
  port?: number;
  host?: string;
  /** Buffering and stall limits of streamed responses (defaults in sse-writer.ts). */
  streamLimits?: Partial<StreamLimits>;
}

/**
 * Connections the kernel may hold before they are accepted. A spike opens thousands in the
 * same instant; Node's default of 511 would drop the overflow and the clients would retry
 * their handshake a second or more later. The kernel caps it at net.core.somaxconn.
 */
const listenBacklog = 8192;

export async function startHttpServer(host: ServerHost, options: HttpServerOptions = {}): Promise<SwitchboardServer> {
  let draining = false;
  let active = 0;
  let idleWaiters: (() => void)[] = [];
  const table = new RouteTable(buildRoutes(() => !draining));
  const dispatch = createDispatcher(host, table);
  const bodyBudget = new BodyBudget(host.settings.maxPendingBodyBytes);
  const { bytesPerSecond, afterMs } = host.settings.bodyMinRate;
  const rateGuard = bytesPerSecond > 0 ? new BodyRateGuard(bytesPerSecond, afterMs) : undefined;
  const bodyTimeoutMs = host.settings.bodyTimeoutMs;
  const server = createServer(
    {
      keepAliveTimeout: host.settings.keepAliveTimeoutMs,
      // Whole-request deadline (headers and body): a dribbling or stalled upload gets 408 and its socket closed.
      requestTimeout: bodyTimeoutMs,
      headersTimeout: Math.min(30_000, bodyTimeoutMs),
      // How often Node checks those deadlines; its default of 30 s would let a short deadline run long.
      connectionsCheckingInterval: Math.max(50, Math.min(30_000, Math.floor(bodyTimeoutMs / 4))),
    },
    (request: IncomingMessage, response: ServerResponse) => {
      active++;
      const exchange = new NodeHttpExchange(request, response, options.streamLimits, bodyBudget, rateGuard);
      if (draining) response.shouldKeepAlive = false;
      void dispatch(exchange).finally(() => {
        active--;
        if (active === 0 && idleWaiters.length > 0) {
          for (const resolve of idleWaiters) resolve();
          idleWaiters = [];
        }
      });
    },
  );
  const listenHost = options.host ?? host.settings.host;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: options.port ?? host.settings.port, host: listenHost, backlog: listenBacklog }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const displayHost = listenHost === '0.0.0.0' || listenHost === '::' ? '127.0.0.1' : listenHost;
  return {
    server,
    port,
    url: `http://${displayHost}:${port}`,
    inFlight: () => active,
    pendingBodyBytes: () => bodyBudget.reserved,
    peakPendingBodyBytes: () => bodyBudget.peak,
    async shutdown(drainTimeoutMs = host.settings.drainTimeoutMs) {
      draining = true;
      // Idle keep-alive sockets are closed now; busy ones close after their response (shouldKeepAlive).
      server.closeIdleConnections();
      const idle = active === 0 ? Promise.resolve(true) : new Promise<boolean>((resolve) => idleWaiters.push(() => resolve(true)));
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), drainTimeoutMs);
      });
      const drained = await Promise.race([idle, timeout]);
      clearTimeout(timer);
      server.close();
      server.closeAllConnections();
      return { drained };
    },
  };
}
