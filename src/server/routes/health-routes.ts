/** GET /healthz (the process answers), GET /readyz (it takes traffic: 503 while draining), GET /metrics. */

import { createHash, timingSafeEqual } from 'node:crypto';
import { SwitchboardError } from '../../errors.js';
import { defineRoute, type RouteSpec } from '../route-spec.js';

const digest = (text: string) => createHash('sha256').update(text).digest();

/** Compared as digests, so the time taken says nothing about the key. */
function checkMetricsKey(authorization: string | undefined, key: string): void {
  const match = authorization === undefined ? null : /^Bearer\s+(\S+)$/i.exec(authorization);
  if (!match) throw new SwitchboardError('missing_api_key', 'GET /metrics needs Authorization: Bearer <server.metricsKey>.');
  if (!timingSafeEqual(digest(match[1]!), digest(key))) throw new SwitchboardError('invalid_api_key', 'The metrics key is not server.metricsKey.');
}

export const healthRoute = defineRoute({
  method: 'GET',
  pattern: '/healthz',
  auth: 'none',
  handle({ exchange }) {
    exchange.respond(200, '{"status":"ok"}');
  },
});

export function readinessRoute(isReady: () => boolean): RouteSpec {
  return defineRoute({
    method: 'GET',
    pattern: '/readyz',
    auth: 'none',
    handle({ exchange }) {
      if (isReady()) exchange.respond(200, '{"status":"ready"}');
      else exchange.respond(503, '{"status":"draining"}');
    },
  });
}

export const metricsRoute = defineRoute({
  method: 'GET',
  pattern: '/metrics',
  auth: 'none',
  async handle({ exchange, services, context }) {
    if (services.metricsKey !== undefined) checkMetricsKey(context.authorization, services.metricsKey);
    const text = await services.metrics.registry.metrics();
    exchange.respond(200, text, services.metrics.registry.contentType);
  },
});
