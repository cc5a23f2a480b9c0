/** admit: a slot under the process and tenant limits, or an immediate 429/503 with Retry-After. */

import type { Stage } from '../stage.js';

export const admitStage: Stage = {
  name: 'admit',
  async run(context, runtime) {
    context.release = await runtime.admission.admit(context.caller!.tenant, context.caller!.tier);
  },
};
