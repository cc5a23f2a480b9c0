/**
 * An agent behind the OpenAI wire format: the turn's own stages without the session store. The
 * caller's messages are the history, nothing is loaded or saved, and intent detection picks the
 * agent unless the caller named one. Everything a turn does with the agent — retrieval, the tool
 * loop, usage, experiments, stage timings — runs unchanged.
 */

import { runStages } from '../run-stages.js';
import type { TurnServices } from '../services.js';
import type { Stage } from '../stage.js';
import { assignVariantStage } from '../turn/assign-variant-stage.js';
import { detectIntentStage } from '../turn/detect-intent-stage.js';
import { runAgentStage } from '../turn/run-agent-stage.js';
import { selectAgentStage } from '../turn/select-agent-stage.js';
import type { TurnContext } from '../turn/turn-context.js';

export const agentChatStages: readonly Stage<TurnContext, TurnServices>[] = [detectIntentStage, selectAgentStage, assignVariantStage, runAgentStage];

/** Runs the stages on a context whose `session` holds the caller's history (see agentChatSession). */
export async function runAgentChat(context: TurnContext, services: TurnServices): Promise<void> {
  await runStages(agentChatStages, context, services, context.timer);
}
