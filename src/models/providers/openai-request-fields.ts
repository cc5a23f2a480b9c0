/** The optional request fields on OpenAI's chat-completions wire: tools, tool choice, response format, sampling and bookkeeping. */

import type { ChatCallRequest, ResponseFormat, ToolChoice, ToolDefinition } from '../../chat/chat-types.js';

function toWireTool(tool: ToolDefinition): Record<string, unknown> {
  const wire: Record<string, unknown> = { name: tool.name };
  if (tool.description !== undefined) wire.description = tool.description;
  if (tool.parameters !== undefined) wire.parameters = tool.parameters;
  if (tool.strict !== undefined) wire.strict = tool.strict;
  return { type: 'function', function: wire };
}

export function toWireToolChoice(choice: ToolChoice): unknown {
  return typeof choice === 'string' ? choice : { type: 'function', function: { name: choice.name } };
}

function toWireResponseFormat(format: ResponseFormat): unknown {
  if (format.type !== 'json_schema') return { type: format.type };
  const { name, description, schema, strict } = format.jsonSchema;
  const wire: Record<string, unknown> = { name };
  if (description !== undefined) wire.description = description;
  if (schema !== undefined) wire.schema = schema;
  if (strict !== undefined) wire.strict = strict;
  return { type: 'json_schema', json_schema: wire };
}

/** Adds to `body` every optional field the request sets, under OpenAI's names. */
export function toOpenAiRequestFields(request: ChatCallRequest, body: Record<string, unknown>): void {
  if (request.tools !== undefined) body.tools = request.tools.map(toWireTool);
  if (request.toolChoice !== undefined) body.tool_choice = toWireToolChoice(request.toolChoice);
  if (request.parallelToolCalls !== undefined) body.parallel_tool_calls = request.parallelToolCalls;
  if (request.responseFormat !== undefined) body.response_format = toWireResponseFormat(request.responseFormat);
  if (request.seed !== undefined) body.seed = request.seed;
  if (request.n !== undefined) body.n = request.n;
  if (request.user !== undefined) body.user = request.user;
  if (request.logprobs !== undefined) body.logprobs = request.logprobs;
  if (request.topLogprobs !== undefined) body.top_logprobs = request.topLogprobs;
  if (request.presencePenalty !== undefined) body.presence_penalty = request.presencePenalty;
  if (request.frequencyPenalty !== undefined) body.frequency_penalty = request.frequencyPenalty;
  if (request.logitBias !== undefined) body.logit_bias = request.logitBias;
  if (request.metadata !== undefined) body.metadata = request.metadata;
}
