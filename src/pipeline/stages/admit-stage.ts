/** admit: within the key's monthly budget, then a slot under the process and tenant limits, or an immediate 429/503 with Retry-After. */

import type { RequestContext } from '../request-context.js';
import type { AccessServices } from '../services.js';
import type { Stage } from '../stage.js';

export const admitStage: Stage<RequestContext, AccessServices> = {
  name: 'admit',
  async run(context, services) {
    if (context.caller!.budget !== undefined) await services.budgets.check(context.caller!);
    context.release = await services.admission.admit(context.caller!.tenant, context.caller!.tier, context.signal);
  },
};
