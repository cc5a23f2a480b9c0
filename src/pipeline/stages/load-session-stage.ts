/** load-session: the caller's session (another tenant's is not found), or a stored reply when the idempotency key was seen. */

import { SwitchboardError } from '../../errors.js';
import type { Stage } from '../stage.js';
import type { TurnReply } from '../turn-context.js';

export const loadSessionStage: Stage = {
  name: 'load-session',
  async run(context, runtime) {
    const tenant = context.caller!.tenant;
    if (context.idempotencyKey) {
      const earlier = await runtime.store.sessions.findTurn(tenant, context.sessionId, context.idempotencyKey);
      if (earlier) {
        if (earlier.requestHash !== undefined && earlier.requestHash !== context.requestHash) {
          throw new SwitchboardError('idempotency_key_reused', 'This Idempotency-Key was used with a different request body.');
        }
        context.replay = earlier.result as TurnReply;
        return;
      }
    }
    const session = await runtime.store.sessions.get(tenant, context.sessionId);
    if (!session) throw new SwitchboardError('session_not_found', `No session "${context.sessionId}".`);
    context.session = session;
  },
};
