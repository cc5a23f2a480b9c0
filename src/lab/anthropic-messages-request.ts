/** Validates an Anthropic `POST /v1/messages` body into the simulator's request, conversation facts and prompt. */

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
import type { ParseResult, SimulatorTool, ToolChoice, ToolResultFact } from './simulator-requests.js';

function readTools(value: unknown): SimulatorTool[] | FieldProblem {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) return problem('tools', 'tools must be an array');
  const tools: SimulatorTool[] = [];
  const names = new Set<string>();
  for (let index = 0; index < value.length; index++) {
    const entry: unknown = value[index];
    const param = `tools.${index}`;
    if (!isObject(entry)) return problem(param, `${param} must be an object`);
    // Server tools (web search, code execution, …) run at Anthropic; nothing here could stand in for them.
    if (entry.type !== undefined && entry.type !== null && entry.type !== 'custom') {
      return problem(`${param}.type`, `${param}.type ${JSON.stringify(entry.type)} is a server tool; the simulator offers client tools only`);
    }
    const name = readToolName(entry.name, `${param}.name`);
    if (isProblem(name)) return name;
    if (names.has(name)) return problem(`${param}.name`, `${param}.name ${JSON.stringify(name)} is offered twice`);
    names.add(name);
    const description = readOptionalString(entry.description, `${param}.description`);
    if (isProblem(description)) return description;
    const schema = readToolSchema(entry.input_schema, `${param}.input_schema`, true);
    if (isProblem(schema)) return schema;
    tools.push({ name, description: description ?? '', schema });
  }
  return tools;
}

function readToolChoice(value: unknown, tools: readonly SimulatorTool[]): { choice: ToolChoice; parallel: boolean } | FieldProblem {
  if (value === undefined || value === null) return { choice: { mode: 'auto' }, parallel: true };
  if (!isObject(value)) return problem('tool_choice', 'tool_choice must be an object with a type');
  const disable = readOptionalBoolean(value, 'disable_parallel_tool_use');
  if (typeof disable === 'string') return problem('tool_choice.disable_parallel_tool_use', `tool_choice.${disable}`);
  const parallel = disable !== true;
  switch (value.type) {
    case 'auto':
      return { choice: { mode: 'auto' }, parallel };
    case 'none':
      return { choice: { mode: 'none' }, parallel };
    case 'any':
      if (tools.length === 0) return problem('tool_choice', 'tool_choice "any" needs tools');
      return { choice: { mode: 'required' }, parallel };
    case 'tool': {
      const name = value.name;
      if (typeof name !== 'string') return problem('tool_choice.name', 'tool_choice.name: Field required');
      if (!tools.some((tool) => tool.name === name)) return problem('tool_choice.name', `tool_choice names tool ${JSON.stringify(name)}, which is not in tools`);
      return { choice: { mode: 'named', name }, parallel };
    }
    default:
      return problem('tool_choice.type', `tool_choice.type must be "auto", "any", "tool" or "none", got ${JSON.stringify(value.type)}`);
  }
}

/** Checks a message's blocks; records tool_use ids, checks tool_result ids and returns the results it carries. */
function readBlocks(content: unknown[], index: number, role: string, callNames: Map<string, string>): ToolResultFact[] | FieldProblem {
  const results: ToolResultFact[] = [];
  for (let blockIndex = 0; blockIndex < content.length; blockIndex++) {
    const block: unknown = content[blockIndex];
    const param = `messages.${index}.content.${blockIndex}`;
    if (!isObject(block) || typeof block.type !== 'string') return problem(param, `${param} must be a block with a type`);
    if (block.type === 'tool_use') {
      if (role !== 'assistant') return problem(param, `${param}: tool_use blocks belong in assistant messages`);
      if (typeof block.id !== 'string' || typeof block.name !== 'string') return problem(param, `${param}: a tool_use block needs a string id and name`);
      callNames.set(block.id, block.name);
    } else if (block.type === 'tool_result') {
      if (role !== 'user') return problem(param, `${param}: tool_result blocks belong in user messages`);
      const id = block.tool_use_id;
      const name = typeof id === 'string' ? callNames.get(id) : undefined;
      if (name === undefined) return problem(`${param}.tool_use_id`, `${param}.tool_use_id ${JSON.stringify(id)} answers no tool_use block of an earlier assistant message`);
      results.push({ name, content: plainText(block.content), isError: block.is_error === true });
    }
  }
  return results;
}

function userText(content: unknown): string {
  if (typeof content === 'string') return content;
  let text = '';
  for (const block of content as JsonObject[]) {
    if (block.type === 'text' && typeof block.text === 'string') text = text === '' ? block.text : `${text}\n${block.text}`;
  }
  return text;
}

export function parseMessagesRequest(body: unknown, defaultModel: string): ParseResult {
  if (!isObject(body)) return problem('', 'The request body must be a JSON object');
  const model = readModel(body, defaultModel);
  if (typeof model !== 'string') return problem('model', model.error);
  const maxTokens = readTokenCap(body, 'max_tokens');
  if (typeof maxTokens === 'string') return problem('max_tokens', maxTokens);
  if (maxTokens === undefined) return problem('max_tokens', 'max_tokens: Field required');
  const tools = readTools(body.tools);
  if (isProblem(tools)) return tools;
  const toolChoice = readToolChoice(body.tool_choice, tools);
  if (isProblem(toolChoice)) return toolChoice;

  const prompt = new PromptParts();
  if (tools.length > 0) {
    prompt.boundary(promptBoundary.tools);
    prompt.text(JSON.stringify(body.tools));
  }
  const system = body.system;
  if (system !== undefined && system !== null) {
    if (typeof system !== 'string' && !Array.isArray(system)) return problem('system', 'system must be a string or an array of text blocks');
    prompt.boundary(promptBoundary.system);
    collectContent(system, prompt);
  }
  const messages = body.messages;
  if (!Array.isArray(messages) || messages.length === 0) return problem('messages', 'messages must be a non-empty array');
  const callNames = new Map<string, string>();
  let lastUserText = '';
  let toolResults: ToolResultFact[] = [];
  for (let index = 0; index < messages.length; index++) {
    const message: unknown = messages[index];
    if (!isObject(message)) return problem(`messages.${index}`, `messages.${index} must be an object`);
    const role = message.role;
    if (role !== 'user' && role !== 'assistant') return problem(`messages.${index}.role`, `messages.${index}.role must be "user" or "assistant"`);
    const content = message.content;
    if (typeof content !== 'string' && !Array.isArray(content)) {
      return problem(`messages.${index}.content`, `messages.${index}.content must be a string or an array of content blocks`);
    }
    toolResults = [];
    if (Array.isArray(content)) {
      const results = readBlocks(content, index, role, callNames);
      if (isProblem(results)) return results;
      toolResults = results;
    }
    prompt.boundary(boundaryFor(role));
    collectContent(content, prompt);
    if (role === 'user') {
      const text = userText(content);
      // A user message of tool results only is not a new question: the question is still the one before.
      if (text !== '' || toolResults.length === 0) lastUserText = text;
    }
  }
  if ((messages[messages.length - 1] as JsonObject).role !== 'user') toolResults = [];
  const stream = readOptionalBoolean(body, 'stream');
  if (typeof stream === 'string') return problem('stream', stream);
  return {
    ok: true,
    request: { model, promptTokens: prompt.tokens, maxTokens, stream: stream ?? false, includeUsage: false },
    conversation: { tools, toolChoice: toolChoice.choice, parallelToolCalls: toolChoice.parallel, lastUserText, toolResults, responseFormat: undefined },
    prompt,
  };
}
