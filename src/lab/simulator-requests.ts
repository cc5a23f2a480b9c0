/** What the simulator takes from an OpenAI chat-completion or Anthropic Messages body, whatever its dialect; the parsers live beside it. */

import type { PromptParts } from './prompt-blocks.js';
import type { FieldProblem, JsonObject } from './simulator-request-fields.js';

/** The transport facts of a generation request. */
export interface GenerationRequest {
  /** The requested model name, echoed back (the simulator serves any name). */
  model: string;
  /** ceil(characters of the prompt / 4): tool definitions, message texts, tool calls and tool results. */
  promptTokens: number;
  /** The request's cap on completion tokens, if it gave one. */
  maxTokens: number | undefined;
  stream: boolean;
  /** OpenAI `stream_options.include_usage`: a last chunk with usage before [DONE]. */
  includeUsage: boolean;
}

/** A tool the request offers, in either dialect. */
export interface SimulatorTool {
  name: string;
  description: string;
  /** OpenAI `function.parameters` or Anthropic `input_schema`; an empty object schema when the tool takes none. */
  schema: JsonObject;
}

/** OpenAI `auto|none|required|{function}`, Anthropic `auto|none|any|tool`. */
export type ToolChoice = { mode: 'auto' } | { mode: 'none' } | { mode: 'required' } | { mode: 'named'; name: string };

/** The result of a tool call the assistant made, as the request sends it back. */
export interface ToolResultFact {
  /** The called tool's name, found through the call id in the history. */
  name: string;
  content: string;
  isError: boolean;
}

export type ResponseFormat = { kind: 'json_object' } | { kind: 'json_schema'; schema: JsonObject };

/** What the answer is decided from. */
export interface ConversationFacts {
  tools: readonly SimulatorTool[];
  toolChoice: ToolChoice;
  parallelToolCalls: boolean;
  /** The text of the last user message ('' when there is none). */
  lastUserText: string;
  /** Results that answer the assistant's last tool calls, when they are what the conversation ends with. */
  toolResults: readonly ToolResultFact[];
  responseFormat: ResponseFormat | undefined;
}

export type ParseResult = { ok: true; request: GenerationRequest; conversation: ConversationFacts; prompt: PromptParts } | FieldProblem;

