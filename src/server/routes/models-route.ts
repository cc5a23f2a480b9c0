/** GET /v1/models and GET /v1/models/{id}: the model routes a caller may name, in OpenAI's list and model shapes. */

import { SwitchboardError } from '../../errors.js';
import { defineRoute } from '../route-spec.js';
import type { RouteServices } from '../server-host.js';

function modelObject(services: RouteServices, name: string) {
  return { id: name, object: 'model', created: Math.floor(services.router.createdAt / 1000), owned_by: 'switchboard' };
}

export const listModelsRoute = defineRoute({
  method: 'GET',
  pattern: '/v1/models',
  auth: 'key',
  handle({ exchange, services }) {
    const data = services.router.routeNames().map((name) => modelObject(services, name));
    exchange.respond(200, JSON.stringify({ object: 'list', data }));
  },
});

/** The SDKs' `models.retrieve(id)`. */
export const getModelRoute = defineRoute({
  method: 'GET',
  pattern: '/v1/models/:id',
  auth: 'key',
  handle({ exchange, params, services }) {
    const id = params.id!;
    if (!services.router.routeNames().includes(id)) {
      throw new SwitchboardError('model_not_found', `No model route "${id.slice(0, 200)}"; GET /v1/models lists them.`, { param: 'id' });
    }
    exchange.respond(200, JSON.stringify(modelObject(services, id)));
  },
});
