/** load-session: the caller's session (another tenant's is not found), or a stored reply when the idempotency key was seen. */

import { SwitchboardError } from '../../errors.js';
import type { TurnServices } from '../services.js';
import type { Stage } from '../stage.js';
import type { TurnContext, TurnReply } from './turn-context.js';

export const loadSessionStage: Stage<TurnContext, Pick<TurnServices, 'sessions'>> = {
  name: 'load-session',
  async run(context, services) {
    const tenant = context.caller!.tenant;
    if (context.idempotencyKey) {
      const earlier = await services.sessions.findTurn(tenant, context.sessionId, context.idempotencyKey);
      if (earlier) {
        if (earlier.requestHash !== undefined && earlier.requestHash !== context.requestHash) {
          throw new SwitchboardError('idempotency_key_reused', 'This Idempotency-Key was used with a different request body.');
        }
        context.replay = earlier.result as TurnReply;
        return 'stop';
      }
    }
    const session = await services.sessions.get(tenant, context.sessionId);
    if (!session) throw new SwitchboardError('session_not_found', `No session "${context.sessionId}".`);
    context.session = session;
  },
};
