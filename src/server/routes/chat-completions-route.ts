/** POST /v1/chat/completions: OpenAI's wire format in and out; `model` names a route, or an agent (`agent:NAME`, agent-completion.ts). */

import { randomUUID } from 'node:crypto';
import type { ChatContext } from '../../pipeline/chat/chat-context.js';
import { sessionHeader } from '../../pipeline/chat/assign-variant-stage.js';
import { runChat } from '../../pipeline/chat/run-chat.js';
import { handleAgentCompletion } from '../agent-completion.js';
import { chatCompletionReply } from '../chat-completion-reply.js';
import { isAgentModel } from '../agent-completion-request.js';
import { OpenAiChatStream, setDecisionHeaders } from '../openai-chat-stream.js';
import { parseChatCompletionFast } from '../chat-completion-fast-parse.js';
import { toChatCallRequest } from '../chat-completion-request.js';
import { chatCompletionRequestSchema } from '../request-schemas.js';
import type { HttpExchange } from '../http-exchange.js';
import { defineRoute } from '../route-spec.js';

const experimentsHeader = 'x-switchboard-experiments';

/** `experiment=variant` pairs of the variants that served the completion, so a client can see (and give feedback on) its variant; undefined in none. */
function experimentsValue(context: ChatContext): string | undefined {
  const served = context.experiments?.served;
  if (!served || served.length === 0) return undefined;
  return served.map((one) => `${one.experiment}=${one.variant}`).join(', ');
}

/** The header for a stream, which sets it when its head goes out. */
function experimentHeaders(context: ChatContext): Record<string, string> {
  const value = experimentsValue(context);
  return value === undefined ? {} : { [experimentsHeader]: value };
}

/** Sets the header on a whole answer (or a failure) without an object per request. */
function setExperimentsHeader(exchange: HttpExchange, context: ChatContext): void {
  const value = experimentsValue(context);
  if (value !== undefined) exchange.setHeader(experimentsHeader, value);
}

export const chatCompletionsRoute = defineRoute({
  method: 'POST',
  pattern: '/v1/chat/completions',
  auth: 'key',
  admits: true,
  body: { schema: chatCompletionRequestSchema, fastParse: parseChatCompletionFast },
  async handle({ exchange, context: lifecycle, body, rawBody, services }) {
    const id = `chatcmpl-${randomUUID()}`;
    const created = Math.floor(Date.now() / 1000);
    if (isAgentModel(body.model)) return handleAgentCompletion({ exchange, lifecycle, body, rawBody, services, id, created });
    const context: ChatContext = {
      authorization: lifecycle.authorization,
      timer: lifecycle.timer,
      span: lifecycle.span,
      caller: lifecycle.caller,
      route: body.model,
      request: toChatCallRequest(body),
      // The request's own abort where the exchange has one: the router hears it without an AbortSignal.
      signal: exchange.requestAbort ?? exchange.signal,
      // The exchange itself serves as the header source for a pool whose affinity is keyed by a header.
      headers: exchange,
      events: body.stream
        ? OpenAiChatStream.forRequest(exchange, { id, created, body }, lifecycle.timer, services.logger, () => experimentHeaders(context))
        : undefined,
    };
    try {
      await runChat(context, services);
    } catch (error) {
      // A failed completion still says which variant failed it.
      setExperimentsHeader(exchange, context);
      throw error;
    } finally {
      lifecycle.decision = context.decision;
    }
    // Kept for feedback on this completion by its id; a completion in no experiment keeps nothing.
    if (context.experiments && context.experiments.counted.length > 0) services.experiments.recordExposure(id, lifecycle.caller!.tenant, exchange.header(sessionHeader), context.experiments);
    if (context.events) return;
    const { result, decision } = context;
    setDecisionHeaders(exchange, decision!);
    setExperimentsHeader(exchange, context);
    exchange.setHeader('server-timing', context.timer.serverTiming());
    exchange.respond(200, JSON.stringify(chatCompletionReply(id, created, body.model, result!)));
  },
});
