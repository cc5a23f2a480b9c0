/** select-agent: the agent named by the intent, which must exist in the config. */

import { SwitchboardError } from '../../errors.js';
import type { TurnServices } from '../services.js';
import type { Stage } from '../stage.js';
import type { TurnContext } from './turn-context.js';

export const selectAgentStage: Stage<TurnContext, Pick<TurnServices, 'agents'>> = {
  name: 'select-agent',
  async run(context, services) {
    const name = context.intent!.agent;
    const agent = Object.hasOwn(services.agents, name) ? services.agents[name] : undefined;
    if (!agent) {
      throw new SwitchboardError('invalid_request', `Unknown agent "${name}"; known: ${Object.keys(services.agents).join(', ')}.`, { param: 'agent' });
    }
    context.agentName = name;
    context.agent = agent;
    await context.events?.intent(context);
  },
};
