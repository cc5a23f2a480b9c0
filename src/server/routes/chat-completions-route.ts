/** POST /v1/chat/completions: OpenAI's wire format in and out; `model` names a route. */

import { randomUUID } from 'node:crypto';
import { SwitchboardError, isSwitchboardError } from '../../errors.js';
import type { ChatCallRequest, ChatMessage, ChatStreamPart, TokenUsage } from '../../models/chat-types.js';
import type { RouteDecision, RoutingHints } from '../../models/model-router.js';
import type { Runtime } from '../../runtime.js';
import type { HttpExchange } from '../http-exchange.js';
import type { RouteHandler } from '../route-table.js';
import { parseJsonBody } from '../parse-body.js';
import { chatCompletionRequestSchema, type ChatCompletionRequest } from '../request-schemas.js';
import { SseWriter } from '../sse-writer.js';

function toChatRequest(body: ChatCompletionRequest): ChatCallRequest {
  const messages: ChatMessage[] = body.messages.map((message) => {
    const converted: ChatMessage = { role: message.role === 'developer' ? 'system' : message.role, content: message.content };
    if (message.name !== undefined) converted.name = message.name;
    if (message.tool_call_id !== undefined) converted.toolCallId = message.tool_call_id;
    return converted;
  });
  return {
    model: '',
    messages,
    maxTokens: body.max_completion_tokens ?? body.max_tokens ?? undefined,
    temperature: body.temperature ?? undefined,
    topP: body.top_p ?? undefined,
    stop: body.stop == null ? undefined : Array.isArray(body.stop) ? body.stop : [body.stop],
  };
}

export const handleChatCompletions: RouteHandler = async (exchange, _params, runtime) => {
  const caller = await runtime.auth.authenticate(exchange.header('authorization'));
  const body = await parseJsonBody(exchange, chatCompletionRequestSchema, runtime.config.server.bodyLimitBytes);
  if (!runtime.router.hasRoute(body.model)) {
    throw new SwitchboardError('model_not_found', `The model "${body.model}" does not exist; GET /v1/models lists the routes.`, { param: 'model' });
  }
  const release = await runtime.admission.admit(caller.tenant, caller.tier);
  try {
    // The exchange itself serves as the header source for a pool whose affinity is keyed by a header.
    await complete(exchange, runtime, body, { tenant: caller.tenant, tier: caller.tier, headers: exchange });
  } finally {
    release();
  }
};

function recordUsage(runtime: Runtime, tenant: string, decision: RouteDecision, usage: TokenUsage): void {
  runtime.metrics.countTokens(usage.promptTokens, usage.completionTokens);
  runtime.usageRecorder.record(tenant, decision, usage);
}

/** The route decision in response headers, so a caller can see which rule, pool and instance answered. */
function setDecisionHeaders(exchange: HttpExchange, decision: RouteDecision): void {
  exchange.setHeader('x-switchboard-pool', decision.pool);
  exchange.setHeader('x-switchboard-instance', decision.instance);
  exchange.setHeader('x-switchboard-rule', decision.rule);
}

async function complete(exchange: HttpExchange, runtime: Runtime, body: ChatCompletionRequest, hints: RoutingHints & { tenant: string }): Promise<void> {
  const request = toChatRequest(body);
  const id = `chatcmpl-${randomUUID()}`;
  const created = Math.floor(Date.now() / 1000);
  if (!body.stream) {
    const { result, decision } = await runtime.router.call(body.model, request, exchange.signal, hints);
    setDecisionHeaders(exchange, decision);
    exchange.respond(
      200,
      JSON.stringify({
        id,
        object: 'chat.completion',
        created,
        model: body.model,
        choices: [{ index: 0, message: { role: 'assistant', content: result.text, refusal: null }, logprobs: null, finish_reason: result.finishReason }],
        usage: { prompt_tokens: result.usage.promptTokens, completion_tokens: result.usage.completionTokens, total_tokens: result.usage.promptTokens + result.usage.completionTokens },
      }),
    );
    // After respond(): the answer is on the socket before any usage bookkeeping runs.
    recordUsage(runtime, hints.tenant, decision, result.usage);
    return;
  }
  const { decision, parts } = runtime.router.stream(body.model, request, exchange.signal, hints);
  // The first part is awaited before the response starts, so failures up to the first token keep their HTTP status.
  const first = await parts.next();
  setDecisionHeaders(exchange, decision);
  const writer = new SseWriter(exchange.startStream(200, 'text/event-stream; charset=utf-8'));
  // Every chunk shares this prefix; only the delta differs, so nothing but the text is serialised per token.
  const prefix = `{"id":"${id}","object":"chat.completion.chunk","created":${created},"model":${JSON.stringify(body.model)},"choices":[{"index":0,"delta":`;
  await writer.send(`${prefix}{"role":"assistant","content":""},"finish_reason":null}]}`);
  const includeUsage = body.stream_options?.include_usage === true;
  try {
    let step: IteratorResult<ChatStreamPart> = first;
    while (!step.done) {
      const part = step.value;
      if (part.type === 'text-delta') {
        await writer.send(`${prefix}{"content":${JSON.stringify(part.text)}},"finish_reason":null}]}`);
      } else {
        // On the next tick, after the last chunks are written: usage bookkeeping is never on the client's clock.
        setImmediate(recordUsage, runtime, hints.tenant, decision, part.usage);
        await writer.send(`${prefix}{},"finish_reason":"${part.finishReason}"}]}`);
        if (includeUsage) {
          const usage = { prompt_tokens: part.usage.promptTokens, completion_tokens: part.usage.completionTokens, total_tokens: part.usage.promptTokens + part.usage.completionTokens };
          await writer.send(`{"id":"${id}","object":"chat.completion.chunk","created":${created},"model":${JSON.stringify(body.model)},"choices":[],"usage":${JSON.stringify(usage)}}`);
        }
      }
      if (writer.closed) break;
      step = await parts.next();
    }
    await writer.send('[DONE]');
  } catch (error) {
    // Past the first token nothing can be retried: the client gets an error chunk, then the stream ends.
    const known = isSwitchboardError(error) ? error : new SwitchboardError('upstream_error', 'The model stream failed.', { cause: error });
    runtime.logger.warn({ code: known.code, message: known.message }, 'chat stream failed after first token');
    await writer.send(JSON.stringify(known.toJSON()))?.catch(() => undefined);
  } finally {
    if (!writer.closed) writer.end();
    await parts.return(undefined);
  }
}
