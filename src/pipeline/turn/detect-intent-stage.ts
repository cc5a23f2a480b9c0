/** detect-intent: which agent should answer, with a confidence, by the intent cascade (its timing includes the LLM tier's model call). */

import type { TurnServices } from '../services.js';
import type { Stage } from '../stage.js';
import type { TurnContext } from './turn-context.js';

export const detectIntentStage: Stage<TurnContext, Pick<TurnServices, 'intent'>> = {
  name: 'detect-intent',
  async run(context, services, span) {
    const intent = await services.intent.classify(
      { text: context.content, previousAgent: context.session!.lastAgent, requestedAgent: context.requestedAgent },
      context.signal,
    );
    context.intent = intent;
    span.setAttribute('switchboard.intent', intent.intent);
    span.setAttribute('switchboard.intent.source', intent.source);
    span.setAttribute('switchboard.intent.confidence', intent.confidence);
  },
};
