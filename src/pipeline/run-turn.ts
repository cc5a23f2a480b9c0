/** Runs one turn through the named stages in order, timing each into the context and the stage histogram. */

import type { Runtime } from '../runtime.js';
import type { Stage } from './stage.js';
import { admitStage } from './stages/admit-stage.js';
import { authenticateStage } from './stages/authenticate-stage.js';
import { detectIntentStage } from './stages/detect-intent-stage.js';
import { loadSessionStage } from './stages/load-session-stage.js';
import { runAgentStage } from './stages/run-agent-stage.js';
import { saveSessionStage } from './stages/save-session-stage.js';
import { selectAgentStage } from './stages/select-agent-stage.js';
import type { TurnContext, TurnReply } from './turn-context.js';

export const turnStages: readonly Stage[] = [authenticateStage, admitStage, loadSessionStage, detectIntentStage, selectAgentStage, runAgentStage, saveSessionStage];

/** Runs the stages; returns the reply (a replayed one when the idempotency key was seen). */
export async function runTurn(context: TurnContext, runtime: Runtime): Promise<TurnReply> {
  for (const stage of turnStages) {
    const started = performance.now();
    try {
      await stage.run(context, runtime);
    } finally {
      const elapsedMs = performance.now() - started;
      context.timings[stage.name] = Math.round(elapsedMs * 1000) / 1000;
      runtime.metrics.observeStage(stage.name, elapsedMs / 1000);
    }
    if (context.replay) return context.replay;
  }
  return context.reply!;
}

/** The `Server-Timing` header value for the stages run so far. */
export function serverTiming(timings: TurnContext['timings']): string {
  let header = '';
  for (const [stage, ms] of Object.entries(timings)) header += `${header ? ', ' : ''}${stage};dur=${ms}`;
  return header;
}
