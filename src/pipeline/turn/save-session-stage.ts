/** save-session: the user message, the tool exchanges and the answer are committed at once, only if nobody else wrote the session meanwhile. */

import { SwitchboardError } from '../../errors.js';
import { randomId } from '../random-id.js';
import type { TurnServices } from '../services.js';
import type { Stage } from '../stage.js';
import { pendingQuestionMarker } from '../../intent/clarifying-question.js';
import { intentOfReply, type TurnContext, type TurnReply } from './turn-context.js';

/** A turn's id: random, so it reveals nothing and never repeats when a session id is reused. */
function newTurnId(): string {
  return `turn_${randomId()}`;
}

export const saveSessionStage: Stage<TurnContext, Pick<TurnServices, 'sessions' | 'experiments'>> = {
  name: 'save-session',
  async run(context, services) {
    const session = context.session!;
    const result = context.result!;
    const decision = context.decision!;
    const now = Date.now();
    const run = context.run!;
    const reply: TurnReply = {
      object: 'session.turn',
      turn_id: newTurnId(),
      session_id: session.id,
      version: session.version + 1,
      message: { role: 'assistant', content: result.text },
      intent: intentOfReply(context.intent!),
      agent: context.agentName!,
      route: { name: decision.route, pool: decision.pool, instance: decision.instance, rule: decision.rule, attempts: decision.attempts },
      usage: {
        prompt_tokens: result.usage.promptTokens,
        completion_tokens: result.usage.completionTokens,
        total_tokens: result.usage.promptTokens + result.usage.completionTokens,
      },
      steps: run.steps,
      tool_calls: run.toolCalls.map((call) => ({ id: call.id, name: call.name, arguments: call.arguments, ok: call.ok, duration_ms: call.durationMs, summary: call.summary })),
      citations: run.citations.map((citation) => ({ document_id: citation.documentId, chunk_id: citation.chunkId })),
      experiments: context.experiments?.served ?? [],
      timings: context.timer.timings,
    };
    const outcome = await services.sessions.appendTurn(session.tenant, session.id, session.version, {
      // The user's message, every tool call with its result, the answer: one conditional write, so a turn that
      // failed half-way left nothing and a stored tool call always has its result.
      messages: [
        { role: 'user', content: context.content, at: context.startedAt },
        ...run.added.map((message) => ({ ...message, at: now })),
        { role: 'assistant', content: result.text, at: now },
      ],
      // After a clarifying question the session remembers what it offered, so the next message can pick one.
      agent: context.intent!.choices ? pendingQuestionMarker(context.intent!.choices) : context.agentName!,
      idempotencyKey: context.idempotencyKey,
      requestHash: context.idempotencyKey ? context.requestHash : undefined,
      result: reply,
    }, { history: false, releaseLease: context.leaseHolder });
    switch (outcome.kind) {
      case 'committed':
        // Given back with the commit: runTurn has no lease left to release.
        if (outcome.leaseReleased) context.leaseHolder = undefined;
        context.reply = reply;
        // Kept for feedback: the turn's id and the variants that served it.
        services.experiments.recordExposure(reply.turn_id, session.tenant, session.id, context.experiments);
        return;
      case 'duplicate':
        // The key was committed first by a turn with another body (its lease had expired, or the store raced): the key's reuse is refused.
        if (context.idempotencyKey !== undefined && outcome.requestHash !== undefined && outcome.requestHash !== context.requestHash) {
          throw new SwitchboardError('idempotency_key_reused', 'This Idempotency-Key was used with a different request body.', { param: 'Idempotency-Key' });
        }
        // A retry of this very turn committed first, on this or another instance: its answer stands.
        context.reply = outcome.result as TurnReply;
        context.supersededByDuplicate = true;
        return;
      case 'conflict':
        throw new SwitchboardError('session_conflict', `Another turn on session "${session.id}" was committed first (now at version ${outcome.currentVersion}); nothing was written. Retry the turn.`);
      case 'not_found':
        throw new SwitchboardError('session_not_found', `Session "${session.id}" was deleted during the turn.`);
    }
  },
};
