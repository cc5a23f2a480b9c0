/** The HTTP server: routes requests to handlers, counts them, and drains gracefully on shutdown. */

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SwitchboardError } from '../errors.js';
import type { Runtime } from '../runtime.js';
import type { HttpExchange, StreamLimits } from './http-exchange.js';
import { NodeHttpExchange } from './node-http-exchange.js';
import { RouteTable, type RouteDefinition } from './route-table.js';
import { handleChatCompletions } from './routes/chat-completions-route.js';
import { handleHealth, handleMetrics, readinessHandler } from './routes/health-routes.js';
import { handleListModels } from './routes/models-route.js';
import { handleCreateSession, handleDeleteSession, handleGetSession } from './routes/session-routes.js';
import { handleTurn } from './routes/turn-route.js';
import { handleUsage } from './routes/usage-route.js';
import { sendError } from './send-error.js';

export interface SwitchboardServer {
  readonly server: Server;
  readonly url: string;
  readonly port: number;
  /** Requests being served now. */
  inFlight(): number;
  /** Stops taking requests, waits for in-flight ones up to the drain timeout, then closes sockets. */
  shutdown(drainTimeoutMs?: number): Promise<{ drained: boolean }>;
}

/** Turns and completions: the requests that count as in flight for admission and drain. */
const servingPatterns = new Set(['/v1/chat/completions', '/v1/sessions/:id/messages']);

export function buildRoutes(isReady: () => boolean): RouteDefinition[] {
  return [
    { method: 'POST', pattern: '/v1/chat/completions', handler: handleChatCompletions },
    { method: 'GET', pattern: '/v1/models', handler: handleListModels },
    { method: 'POST', pattern: '/v1/sessions', handler: handleCreateSession },
    { method: 'GET', pattern: '/v1/sessions/:id', handler: handleGetSession },
    { method: 'DELETE', pattern: '/v1/sessions/:id', handler: handleDeleteSession },
    { method: 'POST', pattern: '/v1/sessions/:id/messages', handler: handleTurn },
    { method: 'GET', pattern: '/v1/usage', handler: handleUsage },
    { method: 'GET', pattern: '/healthz', handler: handleHealth },
    { method: 'GET', pattern: '/readyz', handler: readinessHandler(isReady) },
    { method: 'GET', pattern: '/metrics', handler: handleMetrics },
  ];
}

/** Dispatches one exchange to its handler and answers every failure in OpenAI's error shape. */
/**
 * Requests that reach a draining process on an already open connection are served (and the
 * connection closed after): the listener is closed, so the platform sends no new ones, and a
 * refusal would only turn a late request into a client error.
 */
export function createDispatcher(runtime: Runtime, table: RouteTable) {
  const requestCounters = new Map<string, ReturnType<typeof runtime.metrics.requests.labels>>();
  const count = (pattern: string, status: number) => {
    const key = `${pattern} ${status}`;
    let counter = requestCounters.get(key);
    if (!counter) {
      counter = runtime.metrics.requests.labels(pattern, String(status));
      requestCounters.set(key, counter);
    }
    counter.inc();
  };
  return async (exchange: HttpExchange): Promise<number> => {
    const match = table.match(exchange.method, exchange.path);
    const pattern = match.kind === 'found' ? match.route.pattern : match.kind === 'method-not-allowed' ? match.pattern : 'unmatched';
    let status = 200;
    const serving = match.kind === 'found' && servingPatterns.has(pattern);
    if (serving) runtime.metrics.inflight.inc();
    try {
      if (match.kind === 'not-found') throw new SwitchboardError('not_found', `No route for ${exchange.method} ${exchange.path.slice(0, 200)}.`);
      if (match.kind === 'method-not-allowed') {
        exchange.setHeader('allow', match.allowed.join(', '));
        throw new SwitchboardError('method_not_allowed', `${exchange.method} is not allowed on ${pattern}; use ${match.allowed.join(' or ')}.`);
      }
      await match.route.handler(exchange, match.params, runtime);
    } catch (error) {
      if (exchange.responded) {
        runtime.logger.warn({ err: error, path: exchange.path }, 'error after the response started');
      } else {
        status = sendError(exchange, error, runtime.logger).status;
      }
    } finally {
      if (serving) runtime.metrics.inflight.dec();
      count(pattern, status);
    }
    return status;
  };
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

export async function startHttpServer(runtime: Runtime, options: HttpServerOptions = {}): Promise<SwitchboardServer> {
  let draining = false;
  let active = 0;
  let idleWaiters: (() => void)[] = [];
  const table = new RouteTable(buildRoutes(() => !draining));
  const dispatch = createDispatcher(runtime, table);
  const server = createServer({ keepAliveTimeout: runtime.config.server.keepAliveTimeoutMs, requestTimeout: 0 }, (request: IncomingMessage, response: ServerResponse) => {
    active++;
    const exchange = new NodeHttpExchange(request, response, options.streamLimits);
    if (draining) response.shouldKeepAlive = false;
    void dispatch(exchange).finally(() => {
      active--;
      if (active === 0 && idleWaiters.length > 0) {
        for (const resolve of idleWaiters) resolve();
        idleWaiters = [];
      }
    });
  });
  server.headersTimeout = 30_000;
  const host = options.host ?? runtime.config.server.host;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: options.port ?? runtime.config.server.port, host, backlog: listenBacklog }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const displayHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return {
    server,
    port,
    url: `http://${displayHost}:${port}`,
    inFlight: () => active,
    async shutdown(drainTimeoutMs = runtime.config.server.drainTimeoutMs) {
      draining = true;
      server.close();
      // Idle keep-alive sockets would hold `close` open; busy ones finish their response first.
      server.closeIdleConnections();
      const idle = active === 0 ? Promise.resolve(true) : new Promise<boolean>((resolve) => idleWaiters.push(() => resolve(true)));
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), drainTimeoutMs);
      });
      const drained = await Promise.race([idle, timeout]);
      clearTimeout(timer);
      server.closeAllConnections();
      return { drained };
    },
  };
}
