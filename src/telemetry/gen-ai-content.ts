/**
 * Chat content in the shapes the GenAI semantic conventions give it — `gen_ai.system_instructions`,
 * `gen_ai.input.messages`, `gen_ai.output.messages` — as the JSON strings a span attribute holds.
 * Recorded only when `telemetry.tracing.captureContent` is on: prompts and answers are users' data.
 */

import type { ChatMessage, FinishReason, ToolCall } from '../chat/chat-types.js';

type Part =
  | { type: 'text'; content: string }
  | { type: 'tool_call'; id: string; name: string; arguments: unknown }
  | { type: 'tool_call_response'; id: string; result: string };

function parseArguments(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function toolCallParts(toolCalls: readonly ToolCall[] | undefined): Part[] {
  return (toolCalls ?? []).map((call) => ({ type: 'tool_call', id: call.id, name: call.function.name, arguments: parseArguments(call.function.arguments) }));
}

function partsOf(message: ChatMessage): Part[] {
  if (message.role === 'tool') return [{ type: 'tool_call_response', id: message.toolCallId ?? '', result: message.content }];
  const parts: Part[] = message.content ? [{ type: 'text', content: message.content }] : [];
  return parts.concat(toolCallParts(message.toolCalls));
}

/** The system messages, which the conventions keep apart from the chat history; undefined when there are none. */
export function systemInstructionsJson(messages: readonly ChatMessage[]): string | undefined {
  const parts: Part[] = [];
  for (const message of messages) if (message.role === 'system') parts.push({ type: 'text', content: message.content });
  return parts.length === 0 ? undefined : JSON.stringify(parts);
}

/** The chat history sent to the model, system messages left out, in the order sent. */
export function inputMessagesJson(messages: readonly ChatMessage[]): string {
  const history: { role: string; parts: Part[] }[] = [];
  for (const message of messages) if (message.role !== 'system') history.push({ role: message.role, parts: partsOf(message) });
  return JSON.stringify(history);
}

/** The model's one answer (Switchboard asks for one choice). */
export function outputMessagesJson(text: string, finishReason: FinishReason, toolCalls?: readonly ToolCall[]): string {
  const parts: Part[] = text ? [{ type: 'text', content: text }] : [];
  return JSON.stringify([{ role: 'assistant', parts: parts.concat(toolCallParts(toolCalls)), finish_reason: finishReason }]);
}
