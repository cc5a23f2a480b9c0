/** A turn's own stages, in order, after the lifecycle has authenticated and admitted it. */

import { runStages } from '../run-stages.js';
import type { TurnServices } from '../services.js';
import type { Stage } from '../stage.js';
import { assignVariantStage } from './assign-variant-stage.js';
import { detectIntentStage } from './detect-intent-stage.js';
import { loadSessionStage } from './load-session-stage.js';
import { runAgentStage } from './run-agent-stage.js';
import { saveSessionStage } from './save-session-stage.js';
import { selectAgentStage } from './select-agent-stage.js';
import type { TurnContext, TurnReply } from './turn-context.js';

export const turnStages: readonly Stage<TurnContext, TurnServices>[] = [loadSessionStage, detectIntentStage, selectAgentStage, assignVariantStage, runAgentStage, saveSessionStage];

/** Runs the stages; returns the reply (a replayed one when the idempotency key was seen). */
export async function runTurn(context: TurnContext, services: TurnServices): Promise<TurnReply> {
  try {
    await runStages(turnStages, context, services, context.timer);
  } finally {
    // Committed or not, the session is free for the next turn. A release that fails is not the
    // turn's failure: the lease expires on its own, and a store that is down fails the next write.
    if (context.leaseHolder !== undefined) {
      const holder = context.leaseHolder;
      context.leaseHolder = undefined;
      await services.sessions.releaseLease(context.caller!.tenant, context.sessionId, holder).catch(() => undefined);
    }
  }
  return context.replay ?? context.reply!;
}
