/** GET /v1/models: the model routes a caller may name, in OpenAI's list shape. */

import { defineRoute } from '../route-spec.js';

export const listModelsRoute = defineRoute({
  method: 'GET',
  pattern: '/v1/models',
  auth: 'key',
  handle({ exchange, services }) {
    const created = Math.floor(services.router.createdAt / 1000);
    const data = services.router.routeNames().map((name) => ({ id: name, object: 'model', created, owned_by: 'switchboard' }));
    exchange.respond(200, JSON.stringify({ object: 'list', data }));
  },
});
