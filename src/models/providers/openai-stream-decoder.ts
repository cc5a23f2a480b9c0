/** OpenAI's streamed chat completion chunks as parts: the `StreamDecoder` a `StreamedParts` handler feeds from `onData`. */

import type { ChatStreamPart, FinishReason, TokenUsage, ToolCall } from '../../chat/chat-types.js';
import { PlainDeltaReader } from './plain-delta-reader.js';
import { SseStreamDecoder } from './sse-stream-decoder.js';
import type { PartSink } from './streamed-parts.js';
import { estimatePromptTokens } from '../token-estimate.js';
import { UpstreamError } from '../upstream-error.js';

/** One piece of a streamed tool call: `id`, `type` and `function.name` on its first piece only. */
export interface OpenAiToolCallDelta {
  index?: number;
  id?: string;
  function?: { name?: string; arguments?: string };
}

export interface OpenAiChunk {
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

export function toFinishReason(value: string | null | undefined): FinishReason {
  return value === 'length' || value === 'tool_calls' || value === 'content_filter' ? value : 'stop';
}

export function toUsage(usage: OpenAiChunk['usage']): TokenUsage | undefined {
  if (!usage) return undefined;
  return { promptTokens: usage.prompt_tokens ?? 0, completionTokens: usage.completion_tokens ?? 0 };
}

type ToolCallPart = Extract<ChatStreamPart, { type: 'tool-call-delta' }>;

export class OpenAiStreamDecoder extends SseStreamDecoder {
  #finishReason: FinishReason | undefined;
  #usage: TokenUsage | undefined;
  // Read from the chunks that need a full parse anyway (the last one, with the usage, always does).
  #model: string | undefined;
  #characters = 0;
  readonly #plainDeltas = new PlainDeltaReader();
  /** The tool-call piece read last, held back while consecutive argument pieces of its call may join it. */
  #pendingToolCall: ToolCallPart | undefined;

  override push(chunk: Uint8Array, sink: PartSink): void {
    try {
      super.push(chunk, sink);
    } finally {
      // Pieces of one call join within one network chunk; the part is handed on at its end.
      this.#flushToolCall(sink);
    }
  }

  #flushToolCall(sink: PartSink): void {
    const pending = this.#pendingToolCall;
    if (pending === undefined) return;
    this.#pendingToolCall = undefined;
    sink.part(pending);
  }

  protected endedEarly(): void {
    if (this.#finishReason === undefined) throw new UpstreamError('stream-broken', this.instance, `stream from ${this.instance} ended without [DONE]`);
    this.#finish();
  }

  protected event(data: string, sink: PartSink): void {
    if (data === '[DONE]') {
      this.#finish();
      return;
    }
    const fast = this.#plainDeltas.read(data);
    if (fast !== undefined) {
      this.#text(sink, fast);
      return;
    }
    const chunk = JSON.parse(data) as OpenAiChunk;
    if (chunk.error) throw new UpstreamError('stream-broken', this.instance, `${this.instance} sent an error mid-stream: ${chunk.error.message ?? 'unknown'}`);
    this.#usage = toUsage(chunk.usage) ?? this.#usage;
    if (typeof chunk.model === 'string') this.#model = chunk.model;
    const choice = chunk.choices?.[0];
    if (!choice) return;
    const content = choice.delta?.content;
    if (content) this.#text(sink, content);
    const toolCalls = choice.delta?.tool_calls;
    if (toolCalls) for (let position = 0; position < toolCalls.length; position++) this.#toolCall(sink, toolCalls[position]!, position);
    if (choice.finish_reason) this.#finishReason = toFinishReason(choice.finish_reason);
  }

  #text(sink: PartSink, text: string): void {
    if (text.length === 0) return;
    this.#characters += text.length;
    this.#flushToolCall(sink);
    sink.text(text);
  }

  #toolCall(sink: PartSink, piece: OpenAiToolCallDelta, position: number): void {
    const index = piece.index ?? position;
    const argumentsDelta = piece.function?.arguments ?? '';
    this.#characters += argumentsDelta.length;
    const last = this.#pendingToolCall;
    // Consecutive argument pieces of one call join, as text deltas do.
    if (piece.id === undefined && piece.function?.name === undefined && last !== undefined && last.index === index) {
      last.argumentsDelta += argumentsDelta;
      return;
    }
    this.#flushToolCall(sink);
    const part: ToolCallPart = { type: 'tool-call-delta', index, argumentsDelta };
    if (piece.id !== undefined) part.id = piece.id;
    if (piece.function?.name !== undefined) part.name = piece.function.name;
    this.#pendingToolCall = part;
  }

  #finish(): void {
    this.done = true;
    this.#flushToolCall(this.sink!);
    const finish: Extract<ChatStreamPart, { type: 'finish' }> = {
      type: 'finish',
      finishReason: this.#finishReason ?? 'stop',
      usage: this.#usage ?? { promptTokens: estimatePromptTokens(this.messages), completionTokens: Math.ceil(this.#characters / 4) },
    };
    if (this.#model !== undefined) finish.model = this.#model;
    this.sink!.part(finish);
  }
}
