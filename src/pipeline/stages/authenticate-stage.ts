/** authenticate: the caller's API key becomes a tenant, a tier and a role, or the request ends with 401. */

import type { RequestContext } from '../request-context.js';
import type { AccessServices } from '../services.js';
import type { Stage } from '../stage.js';

export const authenticateStage: Stage<RequestContext, AccessServices> = {
  name: 'authenticate',
  async run(context, services) {
    context.caller = await services.authenticator.authenticate(context.authorization);
  },
};
