/** GET /healthz (the process answers), GET /readyz (it takes traffic: 503 while draining), GET /metrics. */

import type { RouteHandler } from '../route-table.js';

export const handleHealth: RouteHandler = (exchange) => {
  exchange.respond(200, '{"status":"ok"}');
};

export function readinessHandler(isReady: () => boolean): RouteHandler {
  return (exchange) => {
    if (isReady()) exchange.respond(200, '{"status":"ready"}');
    else exchange.respond(503, '{"status":"draining"}');
  };
}

export const handleMetrics: RouteHandler = async (exchange, _params, runtime) => {
  const text = await runtime.metrics.registry.metrics();
  exchange.respond(200, text, runtime.metrics.registry.contentType);
};
