/** Provider-neutral chat types: what the router and agents speak, whatever wire format a backend uses. */

export type ChatRole = 'system' | 'user' | 'assistant' | 'tool';

export interface ToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

/** A function the model may call: its JSON Schema is what arguments must satisfy. */
export interface ToolDefinition {
  name: string;
  description?: string;
  parameters?: Record<string, unknown>;
  strict?: boolean;
}

/** Whether and which tool the model must call (OpenAI's `tool_choice`, Anthropic's `tool_choice`). */
export type ToolChoice = 'auto' | 'none' | 'required' | { name: string };

export type ResponseFormat =
  | { type: 'text' }
  | { type: 'json_object' }
  | { type: 'json_schema'; jsonSchema: { name: string; description?: string; schema?: Record<string, unknown>; strict?: boolean } };

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
  tools?: ToolDefinition[];
  toolChoice?: ToolChoice;
  /** When set, the call is an embeddings request for these texts (`messages` is empty): it takes the same pools, retries, fallbacks and breakers as a chat call. */
  embeddingInput?: readonly string[];
  parallelToolCalls?: boolean;
  /** OpenAI's `response_format`: plain text, any JSON object, or JSON matching a schema. */
  responseFormat?: ResponseFormat;
  seed?: number;
  /** How many choices to generate; only 1 is relayed (a larger n is refused by name). */
  n?: number;
  /** The end user, for the backend's abuse monitoring (Anthropic: `metadata.user_id`). */
  user?: string;
  logprobs?: boolean;
  topLogprobs?: number;
  presencePenalty?: number;
  frequencyPenalty?: number;
  /** Token id (as a string) → bias from -100 to 100. */
  logitBias?: Record<string, number>;
  metadata?: Record<string, string>;
  /**
   * Request fields of OpenAI's wire format that these types do not model (for example vLLM's `top_k`):
   * sent as they came to OpenAI-format pools, refused by name by any other provider.
   */
  extraFields?: Record<string, unknown>;
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
  /** OpenAI's `choices[0].logprobs` as the backend sent it, when the request asked for logprobs. */
  logprobs?: unknown;
  /** One vector per input of an embeddings call, in input order. */
  embeddings?: number[][];
  /** The model the backend says answered, when it says (traces record it as `gen_ai.response.model`). */
  model?: string;
}

/** What a streaming call yields: text as it arrives, then exactly one `finish`. */
export type ChatStreamPart =
  | { type: 'text-delta'; text: string }
  /** A piece of the tool call at `index`: id and name on its first piece, arguments in order. */
  | { type: 'tool-call-delta'; index: number; id?: string; name?: string; argumentsDelta: string }
  | { type: 'finish'; finishReason: FinishReason; usage: TokenUsage; model?: string };
