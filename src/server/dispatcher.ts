/**
 * One request lifecycle for every route, as fastify's hooks: match → authenticate → read body →
 * admit → handle → record, with one error hook. Each route declares what it needs (route-spec.ts);
 * the hooks run in this fixed order, timed into the request's stage timer, so every route that
 * authenticates reports it in `Server-Timing` and the stage histogram.
 *
 * Requests that reach a draining process are served (and their connection closed after): the
 * listener stays open while draining so /readyz can answer 503 and the platform stops sending,
 * and a refusal would only turn a late request into a client error.
 */

import { randomUUID } from 'node:crypto';
import { SwitchboardError, errorCatalogue, isSwitchboardError } from '../errors.js';
import type { RequestContext } from '../pipeline/request-context.js';
import { runStage } from '../pipeline/run-stages.js';
import { StageTimer } from '../pipeline/stage-timer.js';
import { admitStage } from '../pipeline/stages/admit-stage.js';
import { authenticateStage } from '../pipeline/stages/authenticate-stage.js';
import { noopSpan } from '../telemetry/tracing.js';
import type { HttpExchange } from './http-exchange.js';
import { readJsonBody, parseValue } from './parse-body.js';
import { endRequestSpan, startRequestSpan } from './request-span.js';
import type { RouteTable } from './route-table.js';
import type { RouteSpec } from './route-spec.js';
import { sendError } from './send-error.js';
import type { ServerHost } from './server-host.js';

const emptyBody: Buffer = Buffer.alloc(0);

/** An incoming id is kept when it is plain enough to put in a header and a log line; anything else is replaced. */
const acceptableRequestId = /^[A-Za-z0-9._:@/+=-]{1,128}$/;

function requestIdOf(exchange: HttpExchange): string {
  const incoming = exchange.header('x-request-id');
  return incoming !== undefined && acceptableRequestId.test(incoming) ? incoming : randomUUID();
}

export type Dispatch = (exchange: HttpExchange) => Promise<number>;

export function createDispatcher(host: ServerHost, table: RouteTable): Dispatch {
  const { metrics, logger, tracer } = host;
  const bodyLimitBytes = host.settings.bodyLimitBytes;
  const count = (pattern: string, status: number, modelRoute: string) => metrics.countRequest(pattern, status, modelRoute);
  const observeStage = (stage: string, seconds: number) => metrics.observeStage(stage, seconds);

  async function handle(route: RouteSpec, params: Record<string, string>, exchange: HttpExchange, context: RequestContext, held: ReturnType<ServerHost['acquire']>): Promise<void> {
    const services = held.services;
    if (route.auth !== 'none') {
      await runStage(authenticateStage, context, services, context.timer);
      context.span.setAttribute('switchboard.tenant', context.caller!.tenant);
      if (route.auth === 'admin' && context.caller!.role !== 'admin') {
        throw new SwitchboardError('permission_denied', `${route.method} ${route.pattern} needs an admin key; this key's role is "${context.caller!.role}".`);
      }
    }
    let body: unknown;
    let rawBody = emptyBody;
    if (route.body) {
      const read = await readJsonBody(exchange, bodyLimitBytes);
      if (read.value === undefined && !route.body.optional) throw new SwitchboardError('invalid_json', 'The request needs a JSON body.');
      const value = read.value ?? {};
      body = route.body.fastParse?.(value) ?? parseValue(value, route.body.schema);
      rawBody = read.raw;
    }
    if (route.admits) {
      try {
        await runStage(admitStage, context, services, context.timer);
      } catch (error) {
        // Refusals by tenant and reason, for the rate-limit dashboard and alert.
        if (isSwitchboardError(error)) metrics.admissionRejected(context.caller!.tenant, error.code);
        throw error;
      }
    }
    await route.handle({ exchange, params, context, body, rawBody, services });
  }

  return async (exchange) => {
    const match = table.match(exchange.method, exchange.path);
    const pattern = match.kind === 'found' ? match.route.pattern : match.kind === 'method-not-allowed' ? match.pattern : 'unmatched';
    const serving = match.kind === 'found' && match.route.admits === true;
    if (serving) metrics.inflight.inc();
    const startedAt = performance.now();
    const requestId = requestIdOf(exchange);
    exchange.setHeader('x-request-id', requestId);
    const held = host.acquire();
    const span = tracer.enabled ? startRequestSpan(tracer, exchange, match.kind === 'not-found' ? undefined : pattern) : noopSpan;
    const abort = exchange.requestAbort;
    const context: RequestContext = { authorization: exchange.header('authorization'), timer: new StageTimer(observeStage), span, signal: abort ?? exchange.signal, abort };
    // A deadline may abort the request's signal too (RequestAbort): only the client's leaving is client_closed.
    const clientGone = () => (abort !== undefined ? abort.clientGone : exchange.signal.aborted);
    let status = 0;
    let failure: unknown;
    try {
      if (match.kind === 'not-found') throw new SwitchboardError('not_found', `No route for ${exchange.method} ${exchange.path.slice(0, 200)}.`);
      if (match.kind === 'method-not-allowed') {
        exchange.setHeader('allow', match.allowed.join(', '));
        throw new SwitchboardError('method_not_allowed', `${exchange.method} is not allowed on ${pattern}; use ${match.allowed.join(' or ')}.`);
      }
      await handle(match.route, match.params, exchange, context, held);
    } catch (error) {
      failure = error;
      // A client that left has nobody to answer, and its leaving is no failure: recorded below as client_closed.
      if (!clientGone()) {
        if (exchange.responded) logger.warn({ err: error, path: exchange.path, requestId }, 'error after the response started');
        else status = sendError(exchange, error, logger).status;
      }
    } finally {
      context.release?.();
      held.release();
      if (serving) metrics.inflight.dec();
      // A handler that finished without answering is a bug; count it as the 500 the exchange will be closed with.
      status ||= exchange.status || 500;
      // A client that left before its response ended is its own outcome, client_closed (499, nginx's
      // convention), whatever was sent before: not a success, and no upstream failure.
      if (clientGone()) status = errorCatalogue.client_closed.status;
      const decision = context.decision;
      count(pattern, status, decision?.route ?? '');
      // One line per request: what an operator greps first.
      if (logger.isLevelEnabled('info')) {
        logger.info(
          {
            requestId,
            method: exchange.method,
            route: pattern,
            status,
            tenant: context.caller?.tenant,
            durationMs: Math.round((performance.now() - startedAt) * 1000) / 1000,
            modelRoute: decision?.route,
            pool: decision?.pool || undefined,
            attempts: decision?.attempts,
          },
          'request',
        );
      }
      if (span.enabled) endRequestSpan(span, status, failure);
    }
    return status;
  };
}
