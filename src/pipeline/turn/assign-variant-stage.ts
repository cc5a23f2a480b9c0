/** assign-variant: the experiments the turn is in, by its session, tenant or key; a variant may hand the turn to another agent. */

import type { TurnServices } from '../services.js';
import type { Stage } from '../stage.js';
import type { TurnContext } from './turn-context.js';

export const assignVariantStage: Stage<TurnContext, Pick<TurnServices, 'experiments' | 'agents'>> = {
  name: 'assign-variant',
  async run(context, services) {
    const caller = context.caller!;
    const agentName = context.agentName!;
    const experiments = await services.experiments.assign({
      route: context.agent!.route,
      agent: { name: agentName, config: context.agent! },
      units: { session: context.sessionId, tenant: caller.tenant, api_key: caller.id },
      tenant: caller.tenant,
    });
    if (!experiments) return;
    context.experiments = experiments;
    // The session keeps the intent's agent, so a follow-up stays in the experiment; the variant's agent answers.
    if (experiments.agent !== undefined && Object.hasOwn(services.agents, experiments.agent)) context.agent = services.agents[experiments.agent];
  },
};
