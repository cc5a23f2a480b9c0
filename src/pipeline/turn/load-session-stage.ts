/**
 * load-session: the caller's session (another tenant's is not found), or a stored reply when the
 * idempotency key was seen; then the session's lease, so a turn that would lose the version race
 * learns so here, before it pays for a model call.
 */

import { randomBytes } from 'node:crypto';
import { SwitchboardError } from '../../errors.js';
import type { SessionLease } from '../../stores/store-types.js';
import type { TurnServices } from '../services.js';
import type { Stage } from '../stage.js';
import type { TurnContext, TurnReply } from './turn-context.js';

function keyReused(): SwitchboardError {
  return new SwitchboardError('idempotency_key_reused', 'This Idempotency-Key was used with a different request body.', { param: 'Idempotency-Key' });
}

/** Why a turn may not go ahead while another holds the session. */
function refusal(context: TurnContext, held: SessionLease): SwitchboardError {
  if (context.idempotencyKey !== undefined && held.idempotencyKey === context.idempotencyKey) {
    if (held.requestHash !== context.requestHash) return keyReused();
    return new SwitchboardError('session_conflict', `A turn with this Idempotency-Key is still running on session "${context.sessionId}"; retry it to get its reply.`, { retryAfterSeconds: 1 });
  }
  return new SwitchboardError('session_conflict', `Another turn on session "${context.sessionId}" is running; nothing was written. Retry the turn.`, { retryAfterSeconds: 1 });
}

export const loadSessionStage: Stage<TurnContext, Pick<TurnServices, 'sessions' | 'sessionSettings'>> = {
  name: 'load-session',
  async run(context, services) {
    const tenant = context.caller!.tenant;
    if (context.idempotencyKey) {
      const earlier = await services.sessions.findTurn(tenant, context.sessionId, context.idempotencyKey);
      if (earlier) {
        if (earlier.requestHash !== undefined && earlier.requestHash !== context.requestHash) throw keyReused();
        context.replay = earlier.result as TurnReply;
        return 'stop';
      }
    }
    const session = await services.sessions.get(tenant, context.sessionId);
    if (!session) throw new SwitchboardError('session_not_found', `No session "${context.sessionId}".`);
    const lease: SessionLease = { holder: randomBytes(12).toString('base64url') };
    if (context.idempotencyKey !== undefined) {
      lease.idempotencyKey = context.idempotencyKey;
      lease.requestHash = context.requestHash;
    }
    const outcome = await services.sessions.acquireLease(tenant, session.id, lease, services.sessionSettings.leaseMs);
    if (outcome.kind === 'held') throw refusal(context, outcome.lease);
    context.leaseHolder = lease.holder;
    context.session = session;
  },
};
