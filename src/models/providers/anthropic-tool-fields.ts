/** Tools and tool choice in Anthropic's Messages terms: `input_schema`, and `auto`/`any`/`tool`/`none` with `disable_parallel_tool_use`. */

import type { ChatCallRequest, ToolChoice, ToolDefinition } from '../../chat/chat-types.js';

/** A tool without parameters still needs an object schema on this API. */
const noParameters = { type: 'object', properties: {} };

function toAnthropicTool(tool: ToolDefinition): Record<string, unknown> {
  const wire: Record<string, unknown> = { name: tool.name, input_schema: tool.parameters ?? noParameters };
  if (tool.description !== undefined) wire.description = tool.description;
  return wire;
}

/** OpenAI's `required` is Anthropic's `any`; a named function is `{type:'tool', name}`. */
export function toAnthropicToolChoice(choice: ToolChoice | undefined, parallelToolCalls: boolean | undefined): Record<string, unknown> | undefined {
  const disableParallel = parallelToolCalls === false;
  if (choice === undefined && !disableParallel) return undefined;
  let wire: Record<string, unknown>;
  if (choice === undefined || choice === 'auto') wire = { type: 'auto' };
  else if (choice === 'none') return { type: 'none' };
  else if (choice === 'required') wire = { type: 'any' };
  else wire = { type: 'tool', name: choice.name };
  if (disableParallel) wire.disable_parallel_tool_use = true;
  return wire;
}

/** Adds `tools` and `tool_choice` to a Messages body; a tool choice without tools means nothing to this API and is left out. */
export function addAnthropicToolFields(request: ChatCallRequest, body: Record<string, unknown>): void {
  if (request.tools === undefined || request.tools.length === 0) return;
  body.tools = request.tools.map(toAnthropicTool);
  const choice = toAnthropicToolChoice(request.toolChoice, request.parallelToolCalls);
  if (choice !== undefined) body.tool_choice = choice;
}
