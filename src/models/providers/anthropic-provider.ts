/** Adapter for Anthropic's Messages API: system prompt, roles, tool turns, streaming events and usage, to and from the neutral chat types. */

import type { ChatCallRequest, ChatCallResult, ChatMessage, ChatStreamPart, ToolCall } from '../../chat/chat-types.js';
import type { CallAbort } from './call-abort.js';
import { addAnthropicToolFields } from './anthropic-tool-fields.js';
import type { ChatProvider, ResponseStartListener } from './chat-provider.js';
import { AnthropicStreamDecoder, toFinishReason, toTokenUsage, type AnthropicMessage } from './anthropic-stream-decoder.js';
import { StreamedParts } from './streamed-parts.js';
import { estimatePromptTokens, estimateTokens } from '../token-estimate.js';
import { UpstreamHttpClient } from './upstream-http-client.js';

export { toFinishReason, toTokenUsage } from './anthropic-stream-decoder.js';

export interface AnthropicProviderOptions {
  /** Base URL without `/v1`, for example `https://api.anthropic.com`. */
  baseUrl: string;
  apiKey?: string;
  /** Header carrying the key; `x-api-key` unless a gateway wants another. */
  apiKeyHeader?: string;
  anthropicVersion?: string;
  headers?: Record<string, string>;
  chatPath?: string;
  query?: string;
  /** Anthropic requires max_tokens: sent when the call gives none. */
  defaultMaxTokens?: number;
  connections?: number;
  connectTimeoutMs?: number;
}

type ContentBlock = { type: 'text'; text: string } | { type: 'tool_use'; id: string; name: string; input: unknown } | { type: 'tool_result'; tool_use_id: string; content: string };

interface WireMessage {
  role: 'user' | 'assistant';
  content: string | ContentBlock[];
}

function parseArguments(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return {};
  }
}

/**
 * System messages become the top-level `system`; tool results become user turns with a
 * `tool_result` block; an assistant's tool calls become `tool_use` blocks. Consecutive
 * turns of one role are left for the API to merge, as it documents.
 */
export function toAnthropicMessages(messages: readonly ChatMessage[]): { system: string | undefined; messages: WireMessage[] } {
  let system: string | undefined;
  const wire: WireMessage[] = [];
  for (const message of messages) {
    switch (message.role) {
      case 'system':
        system = system === undefined ? message.content : `${system}\n\n${message.content}`;
        break;
      case 'user':
        wire.push({ role: 'user', content: message.content });
        break;
      case 'assistant': {
        if (!message.toolCalls || message.toolCalls.length === 0) {
          wire.push({ role: 'assistant', content: message.content });
          break;
        }
        const blocks: ContentBlock[] = message.content ? [{ type: 'text', text: message.content }] : [];
        for (const call of message.toolCalls) blocks.push({ type: 'tool_use', id: call.id, name: call.function.name, input: parseArguments(call.function.arguments) });
        wire.push({ role: 'assistant', content: blocks });
        break;
      }
      case 'tool': {
        // The results of one turn's parallel calls go back in one user message, as the API asks.
        const block: ContentBlock = { type: 'tool_result', tool_use_id: message.toolCallId ?? '', content: message.content };
        const previous = wire[wire.length - 1];
        if (previous?.role === 'user' && Array.isArray(previous.content) && previous.content.every((one) => one.type === 'tool_result')) previous.content.push(block);
        else wire.push({ role: 'user', content: [block] });
        break;
      }
    }
  }
  return { system, messages: wire };
}

export class AnthropicProvider implements ChatProvider {
  readonly instance: string;
  /** Every call goes through an UpstreamHandler, which its attempt aborts directly. */
  readonly abortsThroughAttempt = true;
  readonly #client: UpstreamHttpClient;
  readonly #defaultMaxTokens: number;

  constructor(options: AnthropicProviderOptions) {
    const headers: Record<string, string> = { 'anthropic-version': options.anthropicVersion ?? '2023-06-01', ...(options.headers ?? {}) };
    if (options.apiKey) headers[options.apiKeyHeader ?? 'x-api-key'] = options.apiKey;
    this.#client = new UpstreamHttpClient({
      baseUrl: options.baseUrl,
      path: options.chatPath ?? '/v1/messages',
      query: options.query,
      headers,
      connections: options.connections,
      connectTimeoutMs: options.connectTimeoutMs,
    });
    this.instance = this.#client.instance;
    this.#defaultMaxTokens = options.defaultMaxTokens ?? 1024;
  }

  #body(request: ChatCallRequest, stream: boolean): string {
    const { system, messages } = toAnthropicMessages(request.messages);
    const body: Record<string, unknown> = { model: request.model, max_tokens: request.maxTokens ?? this.#defaultMaxTokens, messages, stream };
    if (system !== undefined) body.system = system;
    // OpenAI's temperature runs to 2, Anthropic's to 1: the router refuses more than 1 by name before a call reaches here.
    if (request.temperature !== undefined) body.temperature = request.temperature;
    if (request.topP !== undefined) body.top_p = request.topP;
    if (request.stop !== undefined) body.stop_sequences = request.stop;
    addAnthropicToolFields(request, body);
    if (request.user !== undefined) body.metadata = { user_id: request.user };
    return JSON.stringify(body);
  }

  async call(request: ChatCallRequest, signal: CallAbort, started?: ResponseStartListener): Promise<ChatCallResult> {
    const parsed = (await this.#client.postForJson(this.#body(request, false), request.headers, signal, undefined, started, 'a body')) as AnthropicMessage;
    let text = '';
    let toolCalls: ToolCall[] | undefined;
    for (const block of parsed.content ?? []) {
      if (block.type === 'text') text += (block as { text: string }).text;
      else if (block.type === 'tool_use') {
        const use = block as { id: string; name: string; input: unknown };
        (toolCalls ??= []).push({ id: use.id, type: 'function', function: { name: use.name, arguments: JSON.stringify(use.input ?? {}) } });
      }
    }
    const result: ChatCallResult = {
      text,
      finishReason: toFinishReason(parsed.stop_reason),
      usage: toTokenUsage(parsed.usage) ?? { promptTokens: estimatePromptTokens(request.messages), completionTokens: estimateTokens(text) },
    };
    if (toolCalls) result.toolCalls = toolCalls;
    if (typeof parsed.model === 'string') result.model = parsed.model;
    return result;
  }

  async stream(request: ChatCallRequest, signal: CallAbort): Promise<AsyncIterable<ChatStreamPart>> {
    const parts = new StreamedParts(this.instance, signal, new AnthropicStreamDecoder(this.instance, request.messages));
    this.#client.dispatch(this.#body(request, true), request.headers, parts);
    return parts.started;
  }

  close(): Promise<void> {
    return this.#client.close();
  }
}
