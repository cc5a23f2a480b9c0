/** Adapter for OpenAI's chat completions wire format: vLLM, SGLang, TGI, Ollama, llama.cpp, OpenAI and Azure OpenAI. */

import type { ChatCallRequest, ChatCallResult, ChatMessage, ChatStreamPart, FinishReason, TokenUsage, ToolCall } from '../../chat/chat-types.js';
import { toOpenAiRequestFields } from './openai-request-fields.js';
import { UpstreamError } from '../upstream-error.js';
import type { ChatProvider, ResponseStartListener } from './chat-provider.js';
import { SseParser } from './sse-lines.js';
import { estimatePromptTokens, estimateTokens } from '../token-estimate.js';
import type { Dispatcher } from 'undici';
import { UpstreamHttpClient, abortError, discardBody, releaseAfterDone, streamError } from './upstream-http-client.js';

export { estimateTokens } from '../token-estimate.js';

export interface OpenAiCompatibleProviderOptions {
  /** Base URL without `/v1`, for example `http://vllm-0:8000`, or Azure's `https://NAME.openai.azure.com/openai/deployments/DEPLOYMENT`. */
  baseUrl: string;
  apiKey?: string;
  /** Send the key raw in this header (Azure's `api-key`) instead of `Authorization: Bearer`. */
  apiKeyHeader?: string;
  headers?: Record<string, string>;
  /** Path of the chat endpoint, for servers that mount it elsewhere (Azure: `/chat/completions`). */
  chatPath?: string;
  /** Path of the embeddings endpoint (Azure: `/embeddings`). */
  embeddingsPath?: string;
  /** Query string without `?` (Azure: `api-version=2024-06-01`). */
  query?: string;
  connections?: number;
  connectTimeoutMs?: number;
}

/** One piece of a streamed tool call: `id`, `type` and `function.name` on its first piece only. */
interface OpenAiToolCallDelta {
  index?: number;
  id?: string;
  function?: { name?: string; arguments?: string };
}

interface OpenAiEmbeddings {
  model?: string;
  data?: { index?: number; embedding?: number[] }[];
  usage?: { prompt_tokens?: number };
}

interface OpenAiChunk {
  model?: string;
  choices?: {
    delta?: { content?: string | null; tool_calls?: OpenAiToolCallDelta[] | null };
    finish_reason?: string | null;
    message?: { content?: string | null; tool_calls?: ToolCall[] | null };
    logprobs?: unknown;
  }[];
  usage?: { prompt_tokens?: number; completion_tokens?: number } | null;
  error?: { message?: string };
}

function toWireMessage(message: ChatMessage): Record<string, unknown> {
  const hasToolCalls = message.toolCalls !== undefined && message.toolCalls.length > 0;
  // An assistant turn that only called tools has null content on OpenAI's wire.
  const wire: Record<string, unknown> = { role: message.role, content: hasToolCalls && message.content === '' ? null : message.content };
  if (message.name) wire.name = message.name;
  if (message.toolCallId) wire.tool_call_id = message.toolCallId;
  if (hasToolCalls) wire.tool_calls = message.toolCalls!.map((call) => ({ id: call.id, type: 'function', function: { name: call.function.name, arguments: call.function.arguments } }));
  return wire;
}

/** A call's own fields, without anything else the backend may have added to it. */
function toToolCall(call: ToolCall): ToolCall {
  return { id: call.id, type: 'function', function: { name: call.function?.name ?? '', arguments: call.function?.arguments ?? '' } };
}

function toFinishReason(value: string | null | undefined): FinishReason {
  return value === 'length' || value === 'tool_calls' || value === 'content_filter' ? value : 'stop';
}

function toUsage(usage: OpenAiChunk['usage']): TokenUsage | undefined {
  if (!usage) return undefined;
  return { promptTokens: usage.prompt_tokens ?? 0, completionTokens: usage.completion_tokens ?? 0 };
}

const contentMarker = '"delta":{"content":"';
const usageKey = '"usage"';

/**
 * The text of a chunk that carries only a content delta (no finish reason, no usage beyond
 * `"usage":null`, no tool calls), found without parsing the whole chunk; undefined when the chunk needs a full parse.
 * Nearly every chunk of a stream is of this kind, so this keeps JSON.parse off the hot path.
 */
export function plainDeltaContent(data: string): string | undefined {
  const marker = data.indexOf(contentMarker);
  if (marker === -1 || data.indexOf('"finish_reason":null') === -1 || data.indexOf('"tool_calls"') !== -1) return undefined;
  // OpenAI (with include_usage) sends `"usage":null` on every chunk but the last; only a real usage object needs the parser.
  const usage = data.indexOf(usageKey);
  if (usage !== -1 && !data.startsWith(':null', usage + usageKey.length)) return undefined;
  const start = marker + contentMarker.length;
  let end = start;
  let escaped = false;
  for (; end < data.length; end++) {
    const code = data.charCodeAt(end);
    if (code === 92) {
      escaped = true;
      end++;
    } else if (code === 34) {
      break;
    }
  }
  // The delta must close right after the string: `"}` — anything else goes to the full parser.
  if (end >= data.length || data.charCodeAt(end + 1) !== 125) return undefined;
  const literal = data.slice(start, end);
  return escaped ? (JSON.parse(`"${literal}"`) as string) : literal;
}

export class OpenAiCompatibleProvider implements ChatProvider {
  readonly instance: string;
  readonly #client: UpstreamHttpClient;
  readonly #embeddingsPath: string;

  constructor(options: OpenAiCompatibleProviderOptions) {
    const headers: Record<string, string> = { ...(options.headers ?? {}) };
    if (options.apiKey) {
      if (options.apiKeyHeader) headers[options.apiKeyHeader] = options.apiKey;
      else headers.authorization = `Bearer ${options.apiKey}`;
    }
    this.#client = new UpstreamHttpClient({
      baseUrl: options.baseUrl,
      path: options.chatPath ?? '/v1/chat/completions',
      query: options.query,
      headers,
      connections: options.connections,
      connectTimeoutMs: options.connectTimeoutMs,
    });
    this.instance = this.#client.instance;
    this.#embeddingsPath = this.#client.pathOf(options.embeddingsPath ?? '/v1/embeddings');
  }

  #body(request: ChatCallRequest, stream: boolean): string {
    // Fields Switchboard does not model go first, so none can displace one it sets.
    const body: Record<string, unknown> = { ...request.extraFields, model: request.model, messages: request.messages.map(toWireMessage), stream };
    if (stream) body.stream_options = { include_usage: true };
    if (request.maxTokens !== undefined) body.max_tokens = request.maxTokens;
    if (request.temperature !== undefined) body.temperature = request.temperature;
    if (request.topP !== undefined) body.top_p = request.topP;
    if (request.stop !== undefined) body.stop = request.stop;
    toOpenAiRequestFields(request, body);
    return JSON.stringify(body);
  }

  async call(request: ChatCallRequest, signal: AbortSignal, started?: ResponseStartListener): Promise<ChatCallResult> {
    const response = await this.#client.post(this.#body(request, false), request.headers, signal, undefined, started);
    let parsed: OpenAiChunk;
    try {
      parsed = (await response.body.json()) as OpenAiChunk;
    } catch (error) {
      if (signal.aborted) throw abortError(this.instance, signal, error);
      throw new UpstreamError('protocol', this.instance, `${this.instance} sent a body that is not JSON`, { cause: error });
    }
    const choice = parsed.choices?.[0];
    const text = choice?.message?.content ?? '';
    const result: ChatCallResult = {
      text,
      finishReason: toFinishReason(choice?.finish_reason),
      usage: toUsage(parsed.usage) ?? { promptTokens: estimatePromptTokens(request.messages), completionTokens: estimateTokens(text) },
    };
    const toolCalls = choice?.message?.tool_calls;
    if (Array.isArray(toolCalls) && toolCalls.length > 0) result.toolCalls = toolCalls.map(toToolCall);
    if (choice?.logprobs !== undefined && choice.logprobs !== null) result.logprobs = choice.logprobs;
    if (typeof parsed.model === 'string') result.model = parsed.model;
    return result;
  }

  async embed(request: ChatCallRequest, signal: AbortSignal, started?: ResponseStartListener): Promise<ChatCallResult> {
    const input = request.embeddingInput ?? [];
    const response = await this.#client.post(JSON.stringify({ model: request.model, input }), request.headers, signal, this.#embeddingsPath, started);
    let parsed: OpenAiEmbeddings;
    try {
      parsed = (await response.body.json()) as OpenAiEmbeddings;
    } catch (error) {
      if (signal.aborted) throw abortError(this.instance, signal, error);
      throw new UpstreamError('protocol', this.instance, `${this.instance} sent an embeddings body that is not JSON`, { cause: error });
    }
    const data = parsed.data;
    if (!Array.isArray(data) || data.length !== input.length) {
      throw new UpstreamError('protocol', this.instance, `${this.instance} answered ${Array.isArray(data) ? data.length : 'no'} embeddings for ${input.length} inputs`);
    }
    // Entries carry their input's index; servers may list them in any order.
    const embeddings: number[][] = new Array<number[]>(input.length);
    for (const [position, entry] of data.entries()) {
      if (!Array.isArray(entry.embedding)) throw new UpstreamError('protocol', this.instance, `${this.instance} sent an embedding that is not a list of numbers`);
      embeddings[typeof entry.index === 'number' ? entry.index : position] = entry.embedding;
    }
    const promptTokens = parsed.usage?.prompt_tokens ?? input.reduce((sum, text) => sum + estimateTokens(text), 0);
    const result: ChatCallResult = { text: '', finishReason: 'stop', usage: { promptTokens, completionTokens: 0 }, embeddings };
    if (typeof parsed.model === 'string') result.model = parsed.model;
    return result;
  }

  async stream(request: ChatCallRequest, signal: AbortSignal): Promise<AsyncIterable<ChatStreamPart>> {
    const response = await this.#client.post(this.#body(request, true), request.headers, signal);
    return this.#parts(response.body, request, signal);
  }

  async *#parts(body: Dispatcher.ResponseData['body'], request: ChatCallRequest, signal: AbortSignal): AsyncGenerator<ChatStreamPart> {
    let finishReason: FinishReason | undefined;
    let usage: TokenUsage | undefined;
    // Read from the chunks that need a full parse anyway (the last one, with the usage, always does).
    let model: string | undefined;
    let characters = 0;
    let done = false;
    // Deltas of one network chunk are joined and yielded once: under load a read holds several.
    let text = '';
    // Parts of one network chunk in arrival order, once a tool-call piece came (text alone never lands here).
    const queued: ChatStreamPart[] = [];
    const queueToolCall = (piece: OpenAiToolCallDelta, position: number) => {
      if (text.length > 0) {
        characters += text.length;
        queued.push({ type: 'text-delta', text });
        text = '';
      }
      const index = piece.index ?? position;
      const argumentsDelta = piece.function?.arguments ?? '';
      characters += argumentsDelta.length;
      const last = queued[queued.length - 1];
      // Consecutive argument pieces of one call join, as text deltas do.
      if (piece.id === undefined && piece.function?.name === undefined && last?.type === 'tool-call-delta' && last.index === index) {
        last.argumentsDelta += argumentsDelta;
        return;
      }
      const part: Extract<ChatStreamPart, { type: 'tool-call-delta' }> = { type: 'tool-call-delta', index, argumentsDelta };
      if (piece.id !== undefined) part.id = piece.id;
      if (piece.function?.name !== undefined) part.name = piece.function.name;
      queued.push(part);
    };
    const onEvent = (_event: string | undefined, data: string) => {
      if (done) return;
      if (data === '[DONE]') {
        done = true;
        return;
      }
      const fast = plainDeltaContent(data);
      if (fast !== undefined) {
        text += fast;
        return;
      }
      const chunk = JSON.parse(data) as OpenAiChunk;
      if (chunk.error) throw new UpstreamError('stream-broken', this.instance, `${this.instance} sent an error mid-stream: ${chunk.error.message ?? 'unknown'}`);
      usage = toUsage(chunk.usage) ?? usage;
      if (typeof chunk.model === 'string') model = chunk.model;
      const choice = chunk.choices?.[0];
      if (!choice) return;
      const content = choice.delta?.content;
      if (content) text += content;
      const toolCalls = choice.delta?.tool_calls;
      if (toolCalls) for (let position = 0; position < toolCalls.length; position++) queueToolCall(toolCalls[position]!, position);
      if (choice.finish_reason) finishReason = toFinishReason(choice.finish_reason);
    };
    const parser = new SseParser();
    // Leaving the loop must not destroy the body by itself: at [DONE] the rest is read off instead (releaseAfterDone).
    const chunks: AsyncIterable<Uint8Array> = body.iterator({ destroyOnReturn: false });
    let ended = false;
    try {
      for await (const chunk of chunks) {
        parser.push(chunk, onEvent);
        if (queued.length > 0) {
          for (const part of queued) yield part;
          queued.length = 0;
        }
        if (text.length > 0) {
          characters += text.length;
          const delta = text;
          text = '';
          yield { type: 'text-delta', text: delta };
        }
        if (done) break;
      }
      if (!done) parser.end(onEvent);
      ended = true;
    } catch (error) {
      throw streamError(this.instance, signal, error);
    } finally {
      // Done: the connection is kept. A consumer that stopped early or a failure: the body goes, as it went before.
      if (done) releaseAfterDone(body);
      else if (!ended) discardBody(body);
    }
    for (const part of queued) yield part;
    if (text.length > 0) {
      characters += text.length;
      yield { type: 'text-delta', text };
    }
    if (!done && finishReason === undefined) {
      throw new UpstreamError('stream-broken', this.instance, `stream from ${this.instance} ended without [DONE]`);
    }
    const finish: Extract<ChatStreamPart, { type: 'finish' }> = {
      type: 'finish',
      finishReason: finishReason ?? 'stop',
      usage: usage ?? { promptTokens: estimatePromptTokens(request.messages), completionTokens: Math.ceil(characters / 4) },
    };
    if (model !== undefined) finish.model = model;
    yield finish;
  }

  close(): Promise<void> {
    return this.#client.close();
  }
}
