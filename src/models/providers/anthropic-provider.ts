/** Adapter for Anthropic's Messages API: system prompt, roles, tool turns, streaming events and usage, to and from the neutral chat types. */

import type { ChatCallRequest, ChatCallResult, ChatMessage, ChatStreamPart, FinishReason, TokenUsage, ToolCall } from '../../chat/chat-types.js';
import { UpstreamError } from '../upstream-error.js';
import { addAnthropicToolFields } from './anthropic-tool-fields.js';
import type { ChatProvider, ResponseStartListener } from './chat-provider.js';
import { readSseEvents } from './sse-lines.js';
import { estimatePromptTokens, estimateTokens } from '../token-estimate.js';
import type { Dispatcher } from 'undici';
import { UpstreamHttpClient, abortError, discardBody, releaseAfterDone, streamError } from './upstream-http-client.js';

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

interface AnthropicUsage {
  input_tokens?: number;
  output_tokens?: number;
  cache_creation_input_tokens?: number | null;
  cache_read_input_tokens?: number | null;
}

interface AnthropicMessage {
  model?: string;
  content?: ({ type: 'text'; text: string } | { type: 'tool_use'; id: string; name: string; input: unknown } | { type: string })[];
  stop_reason?: string | null;
  usage?: AnthropicUsage;
}

interface AnthropicEvent {
  type?: string;
  /** The content block a block event is about. */
  index?: number;
  content_block?: { type?: string; id?: string; name?: string };
  message?: AnthropicMessage;
  delta?: { type?: string; text?: string; partial_json?: string; stop_reason?: string | null };
  usage?: AnthropicUsage;
  error?: { type?: string; message?: string };
}

/** Anthropic's stop reasons in OpenAI's terms. */
export function toFinishReason(stopReason: string | null | undefined): FinishReason {
  switch (stopReason) {
    case 'max_tokens':
      return 'length';
    case 'tool_use':
      return 'tool_calls';
    case 'refusal':
      return 'content_filter';
    // end_turn, stop_sequence, pause_turn: the model stopped of its own accord.
    default:
      return 'stop';
  }
}

/** Cache writes and reads are prompt tokens too, priced differently by Anthropic but counted here as input. */
export function toTokenUsage(usage: AnthropicUsage | undefined): TokenUsage | undefined {
  if (!usage) return undefined;
  return {
    promptTokens: (usage.input_tokens ?? 0) + (usage.cache_creation_input_tokens ?? 0) + (usage.cache_read_input_tokens ?? 0),
    completionTokens: usage.output_tokens ?? 0,
  };
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

  async call(request: ChatCallRequest, signal: AbortSignal, started?: ResponseStartListener): Promise<ChatCallResult> {
    const response = await this.#client.post(this.#body(request, false), request.headers, signal, undefined, started);
    let parsed: AnthropicMessage;
    try {
      parsed = (await response.body.json()) as AnthropicMessage;
    } catch (error) {
      if (signal.aborted) throw abortError(this.instance, signal, error);
      throw new UpstreamError('protocol', this.instance, `${this.instance} sent a body that is not JSON`, { cause: error });
    }
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

  async stream(request: ChatCallRequest, signal: AbortSignal): Promise<AsyncIterable<ChatStreamPart>> {
    const response = await this.#client.post(this.#body(request, true), request.headers, signal);
    return this.#parts(response.body, request, signal);
  }

  async *#parts(body: Dispatcher.ResponseData['body'], request: ChatCallRequest, signal: AbortSignal): AsyncGenerator<ChatStreamPart> {
    let promptTokens: number | undefined;
    let completionTokens: number | undefined;
    let stopReason: string | null | undefined;
    let model: string | undefined;
    let characters = 0;
    let stopped = false;
    // Content block index → tool call index (OpenAI's indices count tool calls only), and whether its input came.
    const toolBlocks = new Map<number, { call: number; sentArguments: boolean }>();
    // Leaving the loop must not destroy the body by itself: at message_stop the rest is read off instead (releaseAfterDone).
    let ended = false;
    try {
      for await (const event of readSseEvents(body.iterator({ destroyOnReturn: false }))) {
        // Every event's data carries its type too; the `event:` line is only a hint.
        const parsed = JSON.parse(event.data) as AnthropicEvent;
        switch (parsed.type) {
          case 'message_start': {
            if (typeof parsed.message?.model === 'string') model = parsed.message.model;
            const usage = toTokenUsage(parsed.message?.usage);
            if (usage) {
              promptTokens = usage.promptTokens;
              completionTokens = usage.completionTokens;
            }
            break;
          }
          case 'content_block_start': {
            const block = parsed.content_block;
            if (block?.type !== 'tool_use' || parsed.index === undefined) break;
            const call = toolBlocks.size;
            toolBlocks.set(parsed.index, { call, sentArguments: false });
            yield { type: 'tool-call-delta', index: call, id: block.id ?? '', name: block.name ?? '', argumentsDelta: '' };
            break;
          }
          case 'content_block_delta':
            if (parsed.delta?.type === 'text_delta' && parsed.delta.text) {
              characters += parsed.delta.text.length;
              yield { type: 'text-delta', text: parsed.delta.text };
            } else if (parsed.delta?.type === 'input_json_delta' && parsed.delta.partial_json) {
              const tool = parsed.index === undefined ? undefined : toolBlocks.get(parsed.index);
              if (!tool) throw new UpstreamError('protocol', this.instance, `${this.instance} sent input_json_delta for block ${parsed.index}, which is no tool_use block`);
              tool.sentArguments = true;
              characters += parsed.delta.partial_json.length;
              yield { type: 'tool-call-delta', index: tool.call, argumentsDelta: parsed.delta.partial_json };
            }
            break;
          case 'content_block_stop': {
            // A call without parameters streams no input at all; its arguments are still a JSON object.
            const tool = parsed.index === undefined ? undefined : toolBlocks.get(parsed.index);
            if (tool && !tool.sentArguments) {
              tool.sentArguments = true;
              yield { type: 'tool-call-delta', index: tool.call, argumentsDelta: '{}' };
            }
            break;
          }
          case 'message_delta':
            if (parsed.delta?.stop_reason !== undefined) stopReason = parsed.delta.stop_reason;
            // The output count here is cumulative: the last one is the total.
            if (parsed.usage?.output_tokens !== undefined) completionTokens = parsed.usage.output_tokens;
            if (parsed.usage?.input_tokens !== undefined) promptTokens = toTokenUsage(parsed.usage)!.promptTokens;
            break;
          case 'message_stop':
            stopped = true;
            break;
          case 'error':
            throw new UpstreamError('stream-broken', this.instance, `${this.instance} sent an error mid-stream: ${parsed.error?.type ?? 'error'}: ${parsed.error?.message ?? 'unknown'}`);
          default:
            // ping and any event added later.
            break;
        }
        if (stopped) break;
      }
      ended = true;
    } catch (error) {
      throw streamError(this.instance, signal, error);
    } finally {
      // Stopped: the connection is kept. A consumer that stopped early or a failure: the body goes, as it went before.
      if (stopped) releaseAfterDone(body);
      else if (!ended) discardBody(body);
    }
    if (!stopped) throw new UpstreamError('stream-broken', this.instance, `stream from ${this.instance} ended without message_stop`);
    const finish: Extract<ChatStreamPart, { type: 'finish' }> = {
      type: 'finish',
      finishReason: toFinishReason(stopReason),
      usage: { promptTokens: promptTokens ?? estimatePromptTokens(request.messages), completionTokens: completionTokens ?? Math.ceil(characters / 4) },
    };
    if (model !== undefined) finish.model = model;
    yield finish;
  }

  close(): Promise<void> {
    return this.#client.close();
  }
}
