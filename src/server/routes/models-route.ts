/** GET /v1/models and GET /v1/models/{id}: the model routes and agents (`agent:NAME`) a caller may name, in OpenAI's list and model shapes. */

import { SwitchboardError } from '../../errors.js';
import { agentModelPrefix, autoAgent } from '../agent-completion-request.js';
import { defineRoute } from '../route-spec.js';
import type { RouteServices } from '../server-host.js';

/** Routes first, then the agents: `agent:auto` (the intent cascade picks) and each agent by name. */
function modelNames(services: RouteServices): string[] {
  const agents = Object.keys(services.agents);
  const agentModels = agents.length === 0 ? [] : [`${agentModelPrefix}${autoAgent}`, ...agents.map((agent) => `${agentModelPrefix}${agent}`)];
  return [...services.router.routeNames(), ...agentModels];
}

function modelObject(services: RouteServices, name: string) {
  return { id: name, object: 'model', created: Math.floor(services.router.createdAt / 1000), owned_by: 'switchboard' };
}

export const listModelsRoute = defineRoute({
  method: 'GET',
  pattern: '/v1/models',
  auth: 'key',
  handle({ exchange, services }) {
    const data = modelNames(services).map((name) => modelObject(services, name));
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
    if (!modelNames(services).includes(id)) {
      throw new SwitchboardError('model_not_found', `No model route or agent "${id.slice(0, 200)}"; GET /v1/models lists them.`, { param: 'id' });
    }
    exchange.respond(200, JSON.stringify(modelObject(services, id)));
  },
});
