/** Provider-neutral chat types: what the router and agents speak, whatever wire format a backend uses. */

export type ChatRole = 'system' | 'user' | 'assistant' | 'tool';

export interface ToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export interface ChatMessage {
  role: ChatRole;
  content: string;
  name?: string;
  toolCallId?: string;
  toolCalls?: ToolCall[];
}

export interface TokenUsage {
  promptTokens: number;
  completionTokens: number;
}

export type FinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter' | 'error';

/** One call to a model, already resolved to an upstream model name. */
export interface ChatCallRequest {
  model: string;
  messages: ChatMessage[];
  maxTokens?: number;
  temperature?: number;
  topP?: number;
  stop?: string[];
  /** Used by session-affinity balancing and passed to backends as a hint. */
  sessionId?: string;
  /** Extra headers for this call only (tracing, affinity). */
  headers?: Record<string, string>;
}

export interface ChatCallResult {
  text: string;
  finishReason: FinishReason;
  usage: TokenUsage;
  toolCalls?: ToolCall[];
  /** The model the backend says answered, when it says (traces record it as `gen_ai.response.model`). */
  model?: string;
}

/** What a streaming call yields: text as it arrives, then exactly one `finish`. */
export type ChatStreamPart =
  | { type: 'text-delta'; text: string }
  | { type: 'finish'; finishReason: FinishReason; usage: TokenUsage; model?: string };
