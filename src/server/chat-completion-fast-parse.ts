/**
 * A fast path for the common `POST /v1/chat/completions` body: plain text messages and scalar
 * sampling fields. It accepts only bodies the schema certainly accepts, and returns what the schema's
 * parse would; anything else (a tool, a content part, any doubt) is left to the schema, so every
 * refusal is still the schema's own, naming its field.
 */

import { modelledChatFields, type ChatCompletionRequest } from './chat-completion-schema.js';

type Message = ChatCompletionRequest['messages'][number];

const roles: ReadonlySet<string> = new Set(['system', 'developer', 'user', 'assistant', 'tool']);

/**
 * The schema's fields this path checks itself. Any other field the schema models (tools, tool_choice,
 * response_format, logit_bias, metadata, top_logprobs, and any added to the schema later) sends the
 * body to the schema; fields it does not model pass through, as its loose object passes them.
 */
const checkedFields: ReadonlySet<string> = new Set([
  'model', 'messages', 'stream', 'stream_options', 'max_tokens', 'max_completion_tokens', 'temperature', 'top_p', 'stop',
  'seed', 'n', 'user', 'logprobs', 'presence_penalty', 'frequency_penalty', 'parallel_tool_calls',
]);

const isPlainObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** `nullish` fields: absent and null are always fine. */
function absent(value: unknown): boolean {
  return value === undefined || value === null;
}

function numberWithin(value: unknown, minimum: number, maximum: number): boolean {
  return absent(value) || (typeof value === 'number' && value >= minimum && value <= maximum);
}

function integerWithin(value: unknown, minimum: number, maximum: number): boolean {
  return absent(value) || (typeof value === 'number' && Number.isSafeInteger(value) && value >= minimum && value <= maximum);
}

function booleanOrAbsent(value: unknown): boolean {
  return absent(value) || typeof value === 'boolean';
}

/** A text message with only the keys the schema models (it strips others, so those go to it); undefined for anything else. */
function textMessage(value: unknown): Message | undefined {
  if (!isPlainObject(value)) return undefined;
  for (const key in value) if (key !== 'role' && key !== 'content' && key !== 'name' && key !== 'tool_call_id') return undefined;
  const { role, content, name, tool_call_id: toolCallId } = value;
  if (typeof role !== 'string' || !roles.has(role)) return undefined;
  if (typeof content !== 'string' && content !== null) return undefined;
  const message: Message = { role: role as Message['role'], content: content ?? '' };
  if (name !== undefined) {
    if (typeof name !== 'string') return undefined;
    message.name = name;
  }
  if (toolCallId !== undefined) {
    if (typeof toolCallId !== 'string' || toolCallId.length === 0) return undefined;
    message.tool_call_id = toolCallId;
  } else if (role === 'tool') {
    return undefined;
  }
  return message;
}

/** The parsed body when it is of the common kind and valid; undefined means "ask the schema". */
export function parseChatCompletionFast(body: unknown): ChatCompletionRequest | undefined {
  // A "__proto__" key (JSON.parse makes it an own property) is copied differently by a spread and by the schema.
  if (!isPlainObject(body) || Object.hasOwn(body, '__proto__')) return undefined;
  const { model, messages } = body;
  if (typeof model !== 'string' || model.length === 0) return undefined;
  if (!Array.isArray(messages) || messages.length === 0 || messages.length > 1000) return undefined;
  for (const field in body) if (!checkedFields.has(field) && modelledChatFields.has(field)) return undefined;
  const { stream, logprobs, stop, user, n } = body;
  if (!booleanOrAbsent(stream) || !booleanOrAbsent(logprobs) || !booleanOrAbsent(body.parallel_tool_calls)) return undefined;
  if (logprobs === true && stream === true) return undefined;
  if (!integerWithin(body.max_tokens, 1, 1_000_000) || !integerWithin(body.max_completion_tokens, 1, 1_000_000)) return undefined;
  if (!numberWithin(body.temperature, 0, 2) || !numberWithin(body.top_p, 0, 1)) return undefined;
  if (!numberWithin(body.presence_penalty, -2, 2) || !numberWithin(body.frequency_penalty, -2, 2)) return undefined;
  if (!integerWithin(body.seed, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER) || !integerWithin(n, 1, 1)) return undefined;
  if (!absent(user) && (typeof user !== 'string' || user.length > 256)) return undefined;
  if (!absent(stop) && typeof stop !== 'string' && !(Array.isArray(stop) && stop.length <= 4 && stop.every((entry) => typeof entry === 'string'))) return undefined;
  const options = body.stream_options;
  let streamOptions: ChatCompletionRequest['stream_options'] = options as null | undefined;
  if (!absent(options)) {
    if (!isPlainObject(options)) return undefined;
    for (const key in options) if (key !== 'include_usage') return undefined;
    const includeUsage = options.include_usage;
    if (includeUsage !== undefined && typeof includeUsage !== 'boolean') return undefined;
    streamOptions = includeUsage === undefined ? {} : { include_usage: includeUsage };
  }
  const parsed = new Array<Message>(messages.length);
  for (let index = 0; index < messages.length; index++) {
    const message = textMessage(messages[index]);
    if (!message) return undefined;
    parsed[index] = message;
  }
  const result = { ...body, messages: parsed } as ChatCompletionRequest;
  if (options !== undefined) result.stream_options = streamOptions;
  return result;
}
