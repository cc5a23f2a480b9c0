/** resolve-route: the `model` names a route that exists, and what the route's rules may look at is gathered. */

import { SwitchboardError } from '../../errors.js';
import type { ChatServices } from '../services.js';
import type { Stage } from '../stage.js';
import type { ChatContext } from './chat-context.js';

export const resolveRouteStage: Stage<ChatContext, Pick<ChatServices, 'router'>> = {
  name: 'resolve-route',
  run(context, services) {
    if (!services.router.hasRoute(context.route)) {
      throw new SwitchboardError('model_not_found', `The model "${context.route}" does not exist; GET /v1/models lists the routes.`, { param: 'model' });
    }
    context.hints = { tenant: context.caller!.tenant, tier: context.caller!.tier, headers: context.headers };
  },
};
