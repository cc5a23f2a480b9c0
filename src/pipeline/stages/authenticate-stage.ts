/** authenticate: the caller's API key becomes a tenant and a role, or the turn ends with 401. */

import type { Stage } from '../stage.js';

export const authenticateStage: Stage = {
  name: 'authenticate',
  async run(context, runtime) {
    context.caller = await runtime.auth.authenticate(context.authorization);
  },
};
