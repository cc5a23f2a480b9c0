/**
 * The GenAI client span of one model call, named `chat {gen_ai.request.model}`: it covers the
 * call's fallbacks and retries (each attempt has its own HTTP span under it), and carries the
 * semantic conventions' request, response and usage attributes. Content only when opted in.
 */

import type { ChatCallRequest, FinishReason, TokenUsage, ToolCall } from '../../chat/chat-types.js';
import { inputMessagesJson, outputMessagesJson, systemInstructionsJson } from '../../telemetry/gen-ai-content.js';
import { spanErrorType } from '../../telemetry/span-error-type.js';
import type { Span } from '../../telemetry/tracing.js';
import { endpointOf } from './attempt-span.js';
import type { ModelCall } from './model-call.js';

export function startCallSpan(call: ModelCall, streamed: boolean): Span {
  // The model the plan asks for first; a fallback's model shows in the pool and response attributes.
  const pool = call.plan.pools[0]!.config;
  const request: ChatCallRequest = call.request;
  const operation = request.embeddingInput ? 'embeddings' : 'chat';
  const span = call.parent.child(`${operation} ${pool.model}`, 'client', {
    'gen_ai.operation.name': operation,
    'gen_ai.provider.name': pool.provider,
    'gen_ai.request.model': pool.model,
    'gen_ai.conversation.id': request.sessionId,
    'gen_ai.request.max_tokens': request.maxTokens,
    'gen_ai.request.temperature': request.temperature,
    'gen_ai.request.top_p': request.topP,
    'gen_ai.request.stop_sequences': request.stop,
    'gen_ai.request.stream': streamed || undefined,
    'switchboard.route': call.decision.route,
    'switchboard.route.rule': call.plan.rule,
    'switchboard.tenant': call.hints?.tenant,
  });
  if (call.parent.capturesContent) {
    span.setAttribute('gen_ai.system_instructions', systemInstructionsJson(request.messages));
    span.setAttribute('gen_ai.input.messages', inputMessagesJson(request.messages));
  }
  return span;
}

/** Time to the first part of a stream, measured from the start of the call (retries included). */
export function recordFirstChunk(span: Span, seconds: number): void {
  span.setAttribute('gen_ai.response.time_to_first_chunk', seconds);
  span.addEvent('gen_ai.response.first_chunk', { 'gen_ai.response.time_to_first_chunk': seconds });
}

/** Where the call went last: the pool and instance that answered, or that failed last. */
function recordDestination(span: Span, call: ModelCall): void {
  if (call.pool) {
    span.setAttribute('switchboard.pool', call.pool.name);
    span.setAttribute('gen_ai.provider.name', call.pool.config.provider);
  }
  if (call.instance) {
    const { address, port } = endpointOf(call.instance);
    span.setAttribute('server.address', address);
    span.setAttribute('server.port', port);
  }
  span.setAttribute('switchboard.attempts', call.decision.attempts);
}

export interface CallOutcome {
  finishReason: FinishReason;
  usage: TokenUsage;
  model?: string;
  /** The answer's text and tool calls, given only when content is captured. */
  text?: string;
  toolCalls?: ToolCall[];
}

export function endCallSpan(span: Span, call: ModelCall, outcome: CallOutcome): void {
  recordDestination(span, call);
  span.setAttribute('gen_ai.response.model', outcome.model);
  span.setAttribute('gen_ai.response.finish_reasons', [outcome.finishReason]);
  span.setAttribute('gen_ai.usage.input_tokens', outcome.usage.promptTokens);
  span.setAttribute('gen_ai.usage.output_tokens', outcome.usage.completionTokens);
  if (outcome.text !== undefined) span.setAttribute('gen_ai.output.messages', outputMessagesJson(outcome.text, outcome.finishReason, outcome.toolCalls));
  span.end();
}

/** `error.type` is the error's catalogue code (upstream_timeout, upstream_error, no_healthy_upstream, …), or `cancelled` when the caller left. */
export function failCallSpan(span: Span, call: ModelCall, error: unknown): void {
  recordDestination(span, call);
  span.fail(call.signal.aborted ? 'cancelled' : spanErrorType(error), error instanceof Error ? error.message : undefined);
  span.end();
}
