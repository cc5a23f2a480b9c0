/** GET /v1/models: the model routes a caller may name, in OpenAI's list shape. */

import type { RouteHandler } from '../route-table.js';

export const handleListModels: RouteHandler = async (exchange, _params, runtime) => {
  await runtime.auth.authenticate(exchange.header('authorization'));
  const created = Math.floor(runtime.router.createdAt / 1000);
  const data = runtime.router.routeNames().map((name) => ({ id: name, object: 'model', created, owned_by: 'switchboard' }));
  exchange.respond(200, JSON.stringify({ object: 'list', data }));
};
