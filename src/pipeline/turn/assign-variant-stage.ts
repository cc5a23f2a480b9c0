/** assign-variant: the experiments the turn is in, by its session, tenant or key; a variant may hand the turn to another agent. */

import type { RequestExperiments } from '../../experiments/request-experiments.js';
import type { TurnServices } from '../services.js';
import type { Stage } from '../stage.js';
import type { TurnContext } from './turn-context.js';

type Services = Pick<TurnServices, 'experiments' | 'agents'>;

function apply(context: TurnContext, services: Services, experiments: RequestExperiments | undefined): void {
  if (!experiments) return;
  context.experiments = experiments;
  // The session keeps the intent's agent, so a follow-up stays in the experiment; the variant's agent answers.
  if (experiments.agent !== undefined && Object.hasOwn(services.agents, experiments.agent)) context.agent = services.agents[experiments.agent];
}

export const assignVariantStage: Stage<TurnContext, Services> = {
  name: 'assign-variant',
  run(context, services) {
    if (!services.experiments.active) return;
    const caller = context.caller!;
    const assigned = services.experiments.assign({
      route: context.agent!.route,
      agent: { name: context.agentName!, config: context.agent! },
      units: { session: context.sessionId, tenant: caller.tenant, api_key: caller.id },
      tenant: caller.tenant,
    });
    // Synchronous unless a bandit must look up a unit's pin in the store.
    if (assigned instanceof Promise) return assigned.then((experiments) => apply(context, services, experiments));
    apply(context, services, assigned);
  },
};
