/** select-agent: the agent named by the intent, which must exist in the config. */

import { SwitchboardError } from '../../errors.js';
import type { Stage } from '../stage.js';

export const selectAgentStage: Stage = {
  name: 'select-agent',
  async run(context, runtime) {
    const name = context.intent!.agent;
    const agent = Object.hasOwn(runtime.config.agents, name) ? runtime.config.agents[name] : undefined;
    if (!agent) {
      throw new SwitchboardError('invalid_request', `Unknown agent "${name}"; known: ${Object.keys(runtime.config.agents).join(', ')}.`, { param: 'agent' });
    }
    context.agentName = name;
    context.agent = agent;
    await context.events?.intent(context);
  },
};
