/**
 * load-session: the caller's session (another tenant's is not found), or a stored reply when the
 * idempotency key was seen; then the session's lease, so a turn that would lose the version race
 * learns so here, before it pays for a model call.
 */

import { SwitchboardError } from '../../errors.js';
import type { SessionLease } from '../../stores/store-types.js';
import { randomId } from '../random-id.js';
import type { TurnServices } from '../services.js';
import type { Stage } from '../stage.js';
import type { TurnContext, TurnReply } from './turn-context.js';

function keyReused(): SwitchboardError {
  return new SwitchboardError('idempotency_key_reused', 'This Idempotency-Key was used with a different request body.', { param: 'Idempotency-Key' });
}

/**
 * Why a turn may not go ahead while another holds the session; undefined when it may: a retry of
 * the very turn that holds the lease (same Idempotency-Key, same body) runs without one, as a
 * client's hedge or a retry after a pod died mid-turn must, and the conditional commit answers it
 * with whichever of the two committed first.
 */
function refusal(context: TurnContext, held: SessionLease): SwitchboardError | undefined {
  if (context.idempotencyKey !== undefined && held.idempotencyKey === context.idempotencyKey) {
    return held.requestHash !== context.requestHash ? keyReused() : undefined;
  }
  return new SwitchboardError('session_conflict', `Another turn on session "${context.sessionId}" is running; nothing was written. Retry the turn.`, { retryAfterSeconds: 1 });
}

async function leaseTurnCommitted(services: Pick<TurnServices, 'sessions'>, tenant: string, sessionId: string, held: SessionLease): Promise<boolean> {
  if (held.idempotencyKey === undefined) return false;
  return (await services.sessions.findTurn(tenant, sessionId, held.idempotencyKey)) !== undefined;
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
    const lease: SessionLease = { holder: randomId() };
    if (context.idempotencyKey !== undefined) {
      lease.idempotencyKey = context.idempotencyKey;
      lease.requestHash = context.requestHash;
    }
    const outcome = await services.sessions.acquireLease(tenant, session.id, lease, services.sessionSettings.leaseMs);
    if (outcome.kind === 'held') {
      const refused = refusal(context, outcome.lease);
      // A lease whose turn already committed (a retry of it did, elsewhere, after its pod died) guards nothing.
      if (refused && !(await leaseTurnCommitted(services, tenant, context.sessionId, outcome.lease))) throw refused;
    } else {
      context.leaseHolder = lease.holder;
    }
    context.session = session;
  },
};
