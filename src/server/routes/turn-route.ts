/** POST /v1/sessions/{id}/messages: one orchestrated turn, as JSON or as server-sent events. */

import { createHash } from 'node:crypto';
import { SwitchboardError, toSwitchboardError } from '../../errors.js';
import { runTurn } from '../../pipeline/turn/run-turn.js';
import type { TurnContext } from '../../pipeline/turn/turn-context.js';
import { turnRequestSchema } from '../request-schemas.js';
import { defineRoute } from '../route-spec.js';
import { TurnEventStream } from '../turn-event-stream.js';

const idempotencyKeyPattern = /^[\x21-\x7e]{1,255}$/;

export const turnRoute = defineRoute({
  method: 'POST',
  pattern: '/v1/sessions/:id/messages',
  auth: 'key',
  admits: true,
  body: { schema: turnRequestSchema },
  async handle({ exchange, params, context: lifecycle, body, rawBody, services }) {
    const maxChars = services.sessionSettings.maxMessageChars;
    if (body.content.length > maxChars) {
      throw new SwitchboardError('invalid_request', `Invalid field "content": longer than ${maxChars} characters.`, { param: 'content' });
    }
    const idempotencyKey = exchange.header('idempotency-key');
    if (idempotencyKey !== undefined && !idempotencyKeyPattern.test(idempotencyKey)) {
      throw new SwitchboardError('invalid_request', 'The Idempotency-Key header must be 1-255 visible ASCII characters.', { param: 'Idempotency-Key' });
    }
    const stream = body.stream ? new TurnEventStream(exchange, lifecycle.timer) : undefined;
    const context: TurnContext = {
      authorization: lifecycle.authorization,
      timer: lifecycle.timer,
      span: lifecycle.span,
      caller: lifecycle.caller,
      sessionId: params.id!,
      content: body.content,
      requestedAgent: body.agent,
      maxTokens: body.max_tokens,
      idempotencyKey,
      // Only an idempotency key's turn compares bodies (a reused key with another body is refused): no key, no hash.
      requestHash: idempotencyKey === undefined ? '' : createHash('sha256').update(params.id!).update('\0').update(rawBody).digest('base64url'),
      signal: exchange.signal,
      abort: lifecycle.abort,
      events: stream,
      startedAt: Date.now(),
    };
    // The model route reaches the access log and the request counter even when the turn fails; a replay is no new turn.
    const run = async () => {
      try {
        const reply = await runTurn(context, services);
        if (!context.replay) services.metrics.countTurn(reply.agent, reply.intent.name);
        return reply;
      } finally {
        lifecycle.decision = context.decision;
      }
    };
    if (!stream) {
      const reply = await run();
      services.recentTurns.add(lifecycle.caller!.tenant, reply, context.timer.timings, context.replay !== undefined);
      exchange.setHeader('server-timing', context.timer.serverTiming());
      exchange.respond(200, JSON.stringify(reply));
      return;
    }
    try {
      const reply = await run();
      services.recentTurns.add(lifecycle.caller!.tenant, reply, context.timer.timings, context.replay !== undefined);
      if (context.replay) {
        // A replayed streamed turn sends the stored answer as one delta, so the client's parser needs no special case.
        await stream.event('intent', JSON.stringify({ intent: reply.intent, agent: reply.agent, replayed: true }));
        await stream.delta(reply.message.content);
      }
      // The streamed text is the reply, except when a concurrent retry of this turn committed first:
      // then `done` carries the stored text, which is what the session holds.
      const message = context.supersededByDuplicate ? reply.message : { role: 'assistant' };
      await stream.event('done', JSON.stringify({ ...reply, message, timings: context.supersededByDuplicate ? reply.timings : context.timer.timings, superseded: context.supersededByDuplicate === true }));
    } catch (error) {
      if (!stream.started) throw error;
      const known = toSwitchboardError(error);
      services.logger.warn({ code: known.code, message: known.message, session: params.id }, 'turn failed mid-stream');
      await stream.event('error', JSON.stringify(known.toJSON())).catch(() => undefined);
    } finally {
      stream.end();
    }
  },
});
