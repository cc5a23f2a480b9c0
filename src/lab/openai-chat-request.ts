/** Validates an OpenAI `POST /v1/chat/completions` body into the simulator's request, conversation facts and prompt. */

import { boundaryFor, promptBoundary, PromptParts } from './prompt-blocks.js';
import {
  collectContent,
  isObject,
  isProblem,
  plainText,
  problem,
  readModel,
  readOptionalBoolean,
  readOptionalString,
  readTokenCap,
  readToolName,
  readToolSchema,
  type FieldProblem,
  type JsonObject,
} from './simulator-request-fields.js';
import type { ParseResult, ResponseFormat, SimulatorTool, ToolChoice, ToolResultFact } from './simulator-requests.js';

function readTools(value: unknown): SimulatorTool[] | FieldProblem {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.length === 0) return problem('tools', 'tools must be a non-empty array');
  const tools: SimulatorTool[] = [];
  const names = new Set<string>();
  for (let index = 0; index < value.length; index++) {
    const entry: unknown = value[index];
    const param = `tools[${index}]`;
    if (!isObject(entry)) return problem(param, `${param} must be an object`);
    if (entry.type !== 'function') return problem(`${param}.type`, `${param}.type must be "function" (the simulator offers no other tool types), got ${JSON.stringify(entry.type)}`);
    const fn = entry.function;
    if (!isObject(fn)) return problem(`${param}.function`, `${param}.function must be an object`);
    const name = readToolName(fn.name, `${param}.function.name`);
    if (isProblem(name)) return name;
    if (names.has(name)) return problem(`${param}.function.name`, `${param}.function.name ${JSON.stringify(name)} is offered twice`);
    names.add(name);
    const description = readOptionalString(fn.description, `${param}.function.description`);
    if (isProblem(description)) return description;
    const schema = readToolSchema(fn.parameters, `${param}.function.parameters`, false);
    if (isProblem(schema)) return schema;
    tools.push({ name, description: description ?? '', schema });
  }
  return tools;
}

function readToolChoice(value: unknown, tools: readonly SimulatorTool[]): ToolChoice | FieldProblem {
  if (value === undefined || value === null || value === 'auto') return { mode: 'auto' };
  if (value === 'none') return { mode: 'none' };
  let choice: ToolChoice;
  if (value === 'required') choice = { mode: 'required' };
  else if (isObject(value) && value.type === 'function' && isObject(value.function) && typeof value.function.name === 'string') {
    const name = value.function.name;
    if (tools.length > 0 && !tools.some((tool) => tool.name === name)) return problem('tool_choice', `tool_choice names function ${JSON.stringify(name)}, which is not in tools`);
    choice = { mode: 'named', name };
  } else {
    return problem('tool_choice', 'tool_choice must be "none", "auto", "required" or {"type":"function","function":{"name":...}}');
  }
  if (tools.length === 0) return problem('tool_choice', 'tool_choice is only allowed when tools are specified');
  return choice;
}

function readResponseFormat(value: unknown): ResponseFormat | undefined | FieldProblem {
  if (value === undefined || value === null) return undefined;
  if (!isObject(value)) return problem('response_format', 'response_format must be an object');
  if (value.type === 'text') return undefined;
  if (value.type === 'json_object') return { kind: 'json_object' };
  if (value.type !== 'json_schema') return problem('response_format.type', `response_format.type must be "text", "json_object" or "json_schema", got ${JSON.stringify(value.type)}`);
  const format = value.json_schema;
  if (!isObject(format)) return problem('response_format.json_schema', 'response_format.json_schema must be an object');
  if (typeof format.name !== 'string' || format.name === '') return problem('response_format.json_schema.name', 'response_format.json_schema.name must be a non-empty string');
  if (format.schema === undefined || format.schema === null) return { kind: 'json_object' };
  if (!isObject(format.schema)) return problem('response_format.json_schema.schema', 'response_format.json_schema.schema must be a JSON Schema object');
  return { kind: 'json_schema', schema: format.schema };
}

/** Call id → tool name for every call an assistant message made. */
function recordToolCalls(toolCalls: unknown[], names: Map<string, string>): void {
  for (const call of toolCalls) {
    if (isObject(call) && typeof call.id === 'string' && isObject(call.function) && typeof call.function.name === 'string') names.set(call.id, call.function.name);
  }
}

export function parseChatCompletionRequest(body: unknown, defaultModel: string): ParseResult {
  if (!isObject(body)) return problem('', 'The request body must be a JSON object');
  const model = readModel(body, defaultModel);
  if (typeof model !== 'string') return problem('model', model.error);
  // The legacy function-calling fields would otherwise be ignored and the caller would get text it did not ask for.
  for (const legacy of ['functions', 'function_call']) {
    if (body[legacy] !== undefined) return problem(legacy, `${legacy} is deprecated and not simulated; use tools and tool_choice`);
  }
  const tools = readTools(body.tools);
  if (isProblem(tools)) return tools;
  const toolChoice = readToolChoice(body.tool_choice, tools);
  if (isProblem(toolChoice)) return toolChoice;
  const parallel = readOptionalBoolean(body, 'parallel_tool_calls');
  if (typeof parallel === 'string') return problem('parallel_tool_calls', parallel);
  const responseFormat = readResponseFormat(body.response_format);
  if (isProblem(responseFormat)) return responseFormat;

  const messages = body.messages;
  if (!Array.isArray(messages) || messages.length === 0) return problem('messages', 'messages must be a non-empty array');
  const prompt = new PromptParts();
  // Chat templates put tool definitions ahead of the conversation, so they are the first blocks of the prefix.
  if (tools.length > 0) {
    prompt.boundary(promptBoundary.tools);
    prompt.text(JSON.stringify(body.tools));
  }
  let callNames: Map<string, string> | undefined;
  let lastUserText = '';
  for (let index = 0; index < messages.length; index++) {
    const message: unknown = messages[index];
    if (!isObject(message)) return problem(`messages[${index}]`, `messages[${index}] must be an object`);
    const role = message.role;
    if (typeof role !== 'string') return problem(`messages[${index}].role`, `messages[${index}].role must be a string`);
    const content = message.content;
    if (content !== undefined && content !== null && typeof content !== 'string' && !Array.isArray(content)) {
      return problem(`messages[${index}].content`, `messages[${index}].content must be a string or an array of parts`);
    }
    prompt.boundary(boundaryFor(role));
    collectContent(content, prompt);
    if (Array.isArray(message.tool_calls)) {
      prompt.text(JSON.stringify(message.tool_calls));
      recordToolCalls(message.tool_calls, (callNames ??= new Map()));
    }
    if (role === 'user') lastUserText = plainText(content);
    else if (role === 'tool') {
      const id = message.tool_call_id;
      if (typeof id !== 'string') return problem(`messages[${index}].tool_call_id`, `messages[${index}].tool_call_id must be a string`);
      if (callNames?.has(id) !== true) {
        return problem(`messages[${index}].tool_call_id`, `messages[${index}] with role 'tool' must answer a tool call of an earlier assistant message; no call has id ${JSON.stringify(id)}`);
      }
    }
  }
  const toolResults: ToolResultFact[] = [];
  for (let index = messages.length - 1; index >= 0; index--) {
    const message = messages[index] as JsonObject;
    if (message.role !== 'tool') break;
    toolResults.unshift({ name: callNames!.get(message.tool_call_id as string)!, content: plainText(message.content), isError: false });
  }

  const maxCompletionTokens = readTokenCap(body, 'max_completion_tokens');
  if (typeof maxCompletionTokens === 'string') return problem('max_completion_tokens', maxCompletionTokens);
  const maxTokens = readTokenCap(body, 'max_tokens');
  if (typeof maxTokens === 'string') return problem('max_tokens', maxTokens);
  const stream = readOptionalBoolean(body, 'stream');
  if (typeof stream === 'string') return problem('stream', stream);
  let includeUsage = false;
  const streamOptions = body.stream_options;
  if (streamOptions !== undefined && streamOptions !== null) {
    if (!isObject(streamOptions)) return problem('stream_options', 'stream_options must be an object');
    const include = readOptionalBoolean(streamOptions, 'include_usage');
    if (typeof include === 'string') return problem('stream_options.include_usage', `stream_options.${include}`);
    includeUsage = include ?? false;
  }
  return {
    ok: true,
    request: {
      model,
      promptTokens: prompt.tokens,
      // max_completion_tokens is the newer name; when both come, it wins, as in OpenAI's API.
      maxTokens: maxCompletionTokens ?? maxTokens,
      stream: stream ?? false,
      includeUsage,
    },
    conversation: { tools, toolChoice, parallelToolCalls: parallel ?? true, lastUserText, toolResults, responseFormat },
    prompt,
  };
}
