/** An OpenAI chat-completions body as the neutral chat request: every modelled field under its own name, the rest as extras. */

import type { ChatCallRequest, ChatMessage, ResponseFormat, ToolChoice } from '../chat/chat-types.js';
import { modelledChatFields, type ChatCompletionRequest } from './chat-completion-schema.js';

type WireMessage = ChatCompletionRequest['messages'][number];

function toChatMessage(message: WireMessage): ChatMessage {
  const converted: ChatMessage = { role: message.role === 'developer' ? 'system' : message.role, content: message.content ?? '' };
  if (message.name !== undefined) converted.name = message.name;
  if (message.tool_call_id !== undefined) converted.toolCallId = message.tool_call_id;
  if (message.tool_calls && message.tool_calls.length > 0) {
    converted.toolCalls = message.tool_calls.map((call) => ({ id: call.id, type: 'function', function: { name: call.function.name, arguments: call.function.arguments } }));
  }
  return converted;
}

function toToolChoice(choice: NonNullable<ChatCompletionRequest['tool_choice']>): ToolChoice {
  return typeof choice === 'string' ? choice : { name: choice.function.name };
}

function toResponseFormat(format: NonNullable<ChatCompletionRequest['response_format']>): ResponseFormat {
  if (format.type !== 'json_schema') return { type: format.type };
  const { name, description, schema, strict } = format.json_schema;
  const jsonSchema: Extract<ResponseFormat, { type: 'json_schema' }>['jsonSchema'] = { name };
  if (description !== undefined) jsonSchema.description = description;
  if (schema !== undefined) jsonSchema.schema = schema;
  if (strict !== undefined && strict !== null) jsonSchema.strict = strict;
  return { type: 'json_schema', jsonSchema };
}

/** `null` is how OpenAI clients say "not set": it becomes absent. */
function given<T>(value: T | null | undefined): T | undefined {
  return value ?? undefined;
}

export function toChatCallRequest(body: ChatCompletionRequest): ChatCallRequest {
  const request: ChatCallRequest = {
    model: '',
    messages: body.messages.map(toChatMessage),
    maxTokens: body.max_completion_tokens ?? body.max_tokens ?? undefined,
    temperature: given(body.temperature),
    topP: given(body.top_p),
    stop: body.stop == null ? undefined : Array.isArray(body.stop) ? body.stop : [body.stop],
  };
  if (body.tools) {
    request.tools = body.tools.map(({ function: tool }) => {
      const definition: NonNullable<ChatCallRequest['tools']>[number] = { name: tool.name };
      if (tool.description !== undefined) definition.description = tool.description;
      if (tool.parameters !== undefined) definition.parameters = tool.parameters;
      if (tool.strict !== undefined && tool.strict !== null) definition.strict = tool.strict;
      return definition;
    });
  }
  if (body.tool_choice != null) request.toolChoice = toToolChoice(body.tool_choice);
  if (body.parallel_tool_calls != null) request.parallelToolCalls = body.parallel_tool_calls;
  if (body.response_format != null) request.responseFormat = toResponseFormat(body.response_format);
  if (body.seed != null) request.seed = body.seed;
  if (body.n != null) request.n = body.n;
  if (body.user != null) request.user = body.user;
  if (body.logprobs != null) request.logprobs = body.logprobs;
  if (body.top_logprobs != null) request.topLogprobs = body.top_logprobs;
  if (body.presence_penalty != null) request.presencePenalty = body.presence_penalty;
  if (body.frequency_penalty != null) request.frequencyPenalty = body.frequency_penalty;
  if (body.logit_bias != null) request.logitBias = body.logit_bias;
  if (body.metadata != null) request.metadata = body.metadata;
  for (const field in body) {
    const value = (body as Record<string, unknown>)[field];
    if (modelledChatFields.has(field) || value === null || value === undefined) continue;
    (request.extraFields ??= {})[field] = value;
  }
  return request;
}
