/** GET /healthz (the process answers), GET /readyz (it takes traffic: 503 while draining), GET /metrics. */

import { defineRoute, type RouteSpec } from '../route-spec.js';

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
  async handle({ exchange, services }) {
    const text = await services.metrics.registry.metrics();
    exchange.respond(200, text, services.metrics.registry.contentType);
  },
});
