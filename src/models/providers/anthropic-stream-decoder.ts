/** Anthropic's Messages stream events as parts: the `StreamDecoder` a `StreamedParts` handler feeds from `onData`. */

import type { ChatStreamPart, FinishReason, TokenUsage } from '../../chat/chat-types.js';
import { SseStreamDecoder } from './sse-stream-decoder.js';
import type { PartSink } from './streamed-parts.js';
import { estimatePromptTokens } from '../token-estimate.js';
import { UpstreamError } from '../upstream-error.js';

export interface AnthropicUsage {
  input_tokens?: number;
  output_tokens?: number;
  cache_creation_input_tokens?: number | null;
  cache_read_input_tokens?: number | null;
}

export interface AnthropicMessage {
  model?: string;
  content?: ({ type: 'text'; text: string } | { type: 'tool_use'; id: string; name: string; input: unknown } | { type: string })[];
  stop_reason?: string | null;
  usage?: AnthropicUsage;
}

export interface AnthropicEvent {
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

export class AnthropicStreamDecoder extends SseStreamDecoder {
  #promptTokens: number | undefined;
  #completionTokens: number | undefined;
  #stopReason: string | null | undefined;
  #model: string | undefined;
  #characters = 0;
  // Content block index → tool call index (OpenAI's indices count tool calls only), and whether its input came.
  readonly #toolBlocks = new Map<number, { call: number; sentArguments: boolean }>();

  protected endedEarly(): void {
    throw new UpstreamError('stream-broken', this.instance, `stream from ${this.instance} ended without message_stop`);
  }

  protected event(data: string, sink: PartSink): void {
    // Every event's data carries its type too; the `event:` line is only a hint.
    const parsed = JSON.parse(data) as AnthropicEvent;
    switch (parsed.type) {
      case 'message_start': {
        if (typeof parsed.message?.model === 'string') this.#model = parsed.message.model;
        const usage = toTokenUsage(parsed.message?.usage);
        if (usage) {
          this.#promptTokens = usage.promptTokens;
          this.#completionTokens = usage.completionTokens;
        }
        break;
      }
      case 'content_block_start': {
        const block = parsed.content_block;
        if (block?.type !== 'tool_use' || parsed.index === undefined) break;
        const call = this.#toolBlocks.size;
        this.#toolBlocks.set(parsed.index, { call, sentArguments: false });
        sink.part({ type: 'tool-call-delta', index: call, id: block.id ?? '', name: block.name ?? '', argumentsDelta: '' });
        break;
      }
      case 'content_block_delta':
        if (parsed.delta?.type === 'text_delta' && parsed.delta.text) {
          this.#characters += parsed.delta.text.length;
          sink.text(parsed.delta.text);
        } else if (parsed.delta?.type === 'input_json_delta' && parsed.delta.partial_json) {
          const tool = parsed.index === undefined ? undefined : this.#toolBlocks.get(parsed.index);
          if (!tool) throw new UpstreamError('protocol', this.instance, `${this.instance} sent input_json_delta for block ${parsed.index}, which is no tool_use block`);
          tool.sentArguments = true;
          this.#characters += parsed.delta.partial_json.length;
          sink.part({ type: 'tool-call-delta', index: tool.call, argumentsDelta: parsed.delta.partial_json });
        }
        break;
      case 'content_block_stop': {
        // A call without parameters streams no input at all; its arguments are still a JSON object.
        const tool = parsed.index === undefined ? undefined : this.#toolBlocks.get(parsed.index);
        if (tool && !tool.sentArguments) {
          tool.sentArguments = true;
          sink.part({ type: 'tool-call-delta', index: tool.call, argumentsDelta: '{}' });
        }
        break;
      }
      case 'message_delta':
        if (parsed.delta?.stop_reason !== undefined) this.#stopReason = parsed.delta.stop_reason;
        // The output count here is cumulative: the last one is the total.
        if (parsed.usage?.output_tokens !== undefined) this.#completionTokens = parsed.usage.output_tokens;
        if (parsed.usage?.input_tokens !== undefined) this.#promptTokens = toTokenUsage(parsed.usage)!.promptTokens;
        break;
      case 'message_stop':
        this.#finish(sink);
        break;
      case 'error':
        throw new UpstreamError('stream-broken', this.instance, `${this.instance} sent an error mid-stream: ${parsed.error?.type ?? 'error'}: ${parsed.error?.message ?? 'unknown'}`);
      default:
        // ping and any event added later.
        break;
    }
  }

  #finish(sink: PartSink): void {
    this.done = true;
    const finish: Extract<ChatStreamPart, { type: 'finish' }> = {
      type: 'finish',
      finishReason: toFinishReason(this.#stopReason),
      usage: { promptTokens: this.#promptTokens ?? estimatePromptTokens(this.messages), completionTokens: this.#completionTokens ?? Math.ceil(this.#characters / 4) },
    };
    if (this.#model !== undefined) finish.model = this.#model;
    sink.part(finish);
  }
}
