/** Adapter for OpenAI's chat completions wire format: vLLM, SGLang, TGI, Ollama, llama.cpp, OpenAI and Azure OpenAI. */

import type { ChatCallRequest, ChatCallResult, ChatMessage, ChatStreamPart, ToolCall } from '../../chat/chat-types.js';
import type { CallAbort } from './call-abort.js';
import { toOpenAiRequestFields } from './openai-request-fields.js';
import { UpstreamError } from '../upstream-error.js';
import type { ChatProvider, ResponseStartListener } from './chat-provider.js';
import { OpenAiStreamDecoder, toFinishReason, toUsage, type OpenAiChunk } from './openai-stream-decoder.js';
import { StreamedParts } from './streamed-parts.js';
import { estimatePromptTokens, estimateTokens } from '../token-estimate.js';
import { UpstreamHttpClient } from './upstream-http-client.js';

export { estimateTokens } from '../token-estimate.js';
export { plainDeltaContent } from './plain-delta-reader.js';

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

interface OpenAiEmbeddings {
  model?: string;
  data?: { index?: number; embedding?: number[] }[];
  usage?: { prompt_tokens?: number };
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

export class OpenAiCompatibleProvider implements ChatProvider {
  readonly instance: string;
  /** Every call goes through an UpstreamHandler, which its attempt aborts directly. */
  readonly abortsThroughAttempt = true;
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

  async call(request: ChatCallRequest, signal: CallAbort, started?: ResponseStartListener): Promise<ChatCallResult> {
    const parsed = (await this.#client.postForJson(this.#body(request, false), request.headers, signal, undefined, started, 'a body')) as OpenAiChunk;
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

  async embed(request: ChatCallRequest, signal: CallAbort, started?: ResponseStartListener): Promise<ChatCallResult> {
    const input = request.embeddingInput ?? [];
    const parsed = (await this.#client.postForJson(JSON.stringify({ model: request.model, input }), request.headers, signal, this.#embeddingsPath, started, 'an embeddings body')) as OpenAiEmbeddings;
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

  async stream(request: ChatCallRequest, signal: CallAbort): Promise<AsyncIterable<ChatStreamPart>> {
    const parts = new StreamedParts(this.instance, signal, new OpenAiStreamDecoder(this.instance, request.messages));
    this.#client.dispatch(this.#body(request, true), request.headers, parts);
    return parts.started;
  }

  close(): Promise<void> {
    return this.#client.close();
  }
}
