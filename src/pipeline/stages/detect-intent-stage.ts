/** detect-intent: which agent should answer, with a confidence, by the tiered classifier. */

import type { Stage } from '../stage.js';

export const detectIntentStage: Stage = {
  name: 'detect-intent',
  run(context, runtime) {
    context.intent = runtime.intent.classify({
      text: context.content,
      previousAgent: context.session!.lastAgent,
      requestedAgent: context.requestedAgent,
    });
  },
};
