/** detect-intent: which agent should answer, with a confidence, by the intent cascade (its timing includes the LLM tier's model call). */

import type { TokenUsage } from '../../chat/chat-types.js';
import type { RouteDecision } from '../../models/route-decision.js';
import { recordModelCall } from '../record-model-call.js';
import type { TurnServices } from '../services.js';
import type { Stage } from '../stage.js';
import type { TurnContext } from './turn-context.js';

export const detectIntentStage: Stage<TurnContext, Pick<TurnServices, 'intent' | 'router' | 'usage'>> = {
  name: 'detect-intent',
  async run(context, services, span) {
    const tenant = context.caller?.tenant;
    const intent = await services.intent.classify(
      {
        text: context.content,
        previousAgent: context.session!.lastAgent,
        requestedAgent: context.requestedAgent,
        // The judge's call is the tenant's cost like the agent's; a cached verdict makes none.
        accountModelCall: tenant === undefined ? undefined : (decision: RouteDecision, usage: TokenUsage) => recordModelCall(services, tenant, decision, usage),
      },
      context.signal,
    );
    context.intent = intent;
    span.setAttribute('switchboard.intent', intent.intent);
    span.setAttribute('switchboard.intent.source', intent.source);
    span.setAttribute('switchboard.intent.confidence', intent.confidence);
  },
};
