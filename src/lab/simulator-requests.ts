/** Validates OpenAI chat-completion and Anthropic Messages bodies into the few facts the simulator needs. */

/** What the simulator takes from a generation request, whatever its wire format. */
export interface GenerationRequest {
  /** The requested model name, echoed back (the simulator serves any name). */
  model: string;
  /** ceil(characters of the prompt / 4). */
  promptTokens: number;
  /** The request's cap on completion tokens, if it gave one. */
  maxTokens: number | undefined;
  stream: boolean;
  /** OpenAI `stream_options.include_usage`: a last chunk with usage before [DONE]. */
  includeUsage: boolean;
}

export type ParseResult = { ok: true; request: GenerationRequest } | { ok: false; message: string; param: string };

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function problem(param: string, message: string): ParseResult {
  return { ok: false, message, param };
}

/** Characters of text in a message's content: a string, or an array of parts/blocks with `text` (tool results nest `content`). */
function contentLength(content: unknown): number {
  if (typeof content === 'string') return content.length;
  if (!Array.isArray(content)) return 0;
  let length = 0;
  for (const part of content) {
    if (!isObject(part)) continue;
    if (typeof part.text === 'string') length += part.text.length;
    if (part.content !== undefined) length += contentLength(part.content);
    if (part.input !== undefined) length += JSON.stringify(part.input).length;
  }
  return length;
}

/** Reads an optional positive-integer token cap; a string result is the error message. */
function readTokenCap(body: JsonObject, field: string): number | undefined | string {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) return `${field} must be a positive integer`;
  return value;
}

function readOptionalBoolean(body: JsonObject, field: string): boolean | undefined | string {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  return typeof value === 'boolean' ? value : `${field} must be a boolean`;
}

function readModel(body: JsonObject, defaultModel: string): string | { error: string } {
  const model = body.model;
  if (model === undefined || model === null) return defaultModel;
  return typeof model === 'string' && model !== '' ? model : { error: 'model must be a non-empty string' };
}

/** An OpenAI `POST /v1/chat/completions` body. */
export function parseChatCompletionRequest(body: unknown, defaultModel: string): ParseResult {
  if (!isObject(body)) return problem('', 'The request body must be a JSON object');
  const model = readModel(body, defaultModel);
  if (typeof model !== 'string') return problem('model', model.error);
  const messages = body.messages;
  if (!Array.isArray(messages) || messages.length === 0) return problem('messages', 'messages must be a non-empty array');
  let characters = 0;
  for (let index = 0; index < messages.length; index++) {
    const message: unknown = messages[index];
    if (!isObject(message)) return problem(`messages[${index}]`, `messages[${index}] must be an object`);
    if (typeof message.role !== 'string') return problem(`messages[${index}].role`, `messages[${index}].role must be a string`);
    const content = message.content;
    if (content !== undefined && content !== null && typeof content !== 'string' && !Array.isArray(content)) {
      return problem(`messages[${index}].content`, `messages[${index}].content must be a string or an array of parts`);
    }
    characters += contentLength(content);
    if (Array.isArray(message.tool_calls)) characters += JSON.stringify(message.tool_calls).length;
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
      promptTokens: Math.ceil(characters / 4),
      // max_completion_tokens is the newer name; when both come, it wins, as in OpenAI's API.
      maxTokens: maxCompletionTokens ?? maxTokens,
      stream: stream ?? false,
      includeUsage,
    },
  };
}

/** An Anthropic `POST /v1/messages` body. */
export function parseMessagesRequest(body: unknown, defaultModel: string): ParseResult {
  if (!isObject(body)) return problem('', 'The request body must be a JSON object');
  const model = readModel(body, defaultModel);
  if (typeof model !== 'string') return problem('model', model.error);
  const maxTokens = readTokenCap(body, 'max_tokens');
  if (typeof maxTokens === 'string') return problem('max_tokens', maxTokens);
  if (maxTokens === undefined) return problem('max_tokens', 'max_tokens: Field required');
  let characters = 0;
  const system = body.system;
  if (system !== undefined && system !== null) {
    if (typeof system !== 'string' && !Array.isArray(system)) return problem('system', 'system must be a string or an array of text blocks');
    characters += contentLength(system);
  }
  const messages = body.messages;
  if (!Array.isArray(messages) || messages.length === 0) return problem('messages', 'messages must be a non-empty array');
  for (let index = 0; index < messages.length; index++) {
    const message: unknown = messages[index];
    if (!isObject(message)) return problem(`messages.${index}`, `messages.${index} must be an object`);
    if (message.role !== 'user' && message.role !== 'assistant') {
      return problem(`messages.${index}.role`, `messages.${index}.role must be "user" or "assistant"`);
    }
    const content = message.content;
    if (typeof content !== 'string' && !Array.isArray(content)) {
      return problem(`messages.${index}.content`, `messages.${index}.content must be a string or an array of content blocks`);
    }
    if (Array.isArray(content)) {
      for (let blockIndex = 0; blockIndex < content.length; blockIndex++) {
        const block: unknown = content[blockIndex];
        if (!isObject(block) || typeof block.type !== 'string') {
          return problem(`messages.${index}.content.${blockIndex}`, `messages.${index}.content.${blockIndex} must be a block with a type`);
        }
      }
    }
    characters += contentLength(content);
  }
  const stream = readOptionalBoolean(body, 'stream');
  if (typeof stream === 'string') return problem('stream', stream);
  return { ok: true, request: { model, promptTokens: Math.ceil(characters / 4), maxTokens, stream: stream ?? false, includeUsage: false } };
}
