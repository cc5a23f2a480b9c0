/**
 * The outermost caller when tracing: one GenAI span per model call around the fallback chain.
 * A call whose parent span is the no-op one goes straight through, so tracing off costs one
 * property read per call.
 */

import type { ChatCallResult, ChatStreamPart } from '../../chat/chat-types.js';
import type { Span } from '../../telemetry/tracing.js';
import { endCallSpan, failCallSpan, recordFirstChunk, startCallSpan } from './call-span.js';
import type { ChatCaller, StreamObserver, StreamStart } from './chat-caller.js';
import type { ModelCall } from './model-call.js';

export class TracingCaller implements ChatCaller {
  readonly #next: ChatCaller;
  readonly #now: () => number;

  constructor(next: ChatCaller, options: { now: () => number }) {
    this.#next = next;
    this.#now = options.now;
  }

  // Not async: an untraced call gets the next caller's promise itself, with nothing wrapped around it.
  call(call: ModelCall): Promise<ChatCallResult> {
    return call.parent.enabled ? this.#tracedCall(call) : this.#next.call(call);
  }

  stream(call: ModelCall): Promise<StreamStart> {
    return call.parent.enabled ? this.#tracedStream(call) : this.#next.stream(call);
  }

  async #tracedCall(call: ModelCall): Promise<ChatCallResult> {
    const span = (call.span = startCallSpan(call, false));
    let result: ChatCallResult;
    try {
      result = await this.#next.call(call);
    } catch (error) {
      failCallSpan(span, call, error);
      throw error;
    }
    const captured = call.parent.capturesContent;
    endCallSpan(span, call, { ...result, text: captured ? result.text : undefined, toolCalls: captured ? result.toolCalls : undefined });
    return result;
  }

  async #tracedStream(call: ModelCall): Promise<StreamStart> {
    const span = (call.span = startCallSpan(call, true));
    const startedAt = this.#now();
    let start: StreamStart;
    try {
      start = await this.#next.stream(call);
    } catch (error) {
      failCallSpan(span, call, error);
      throw error;
    }
    recordFirstChunk(span, (this.#now() - startedAt) / 1000);
    const observer = new TracedStream(span, call);
    if (start.first.type === 'finish') observer.finished(start.first);
    else if (start.first.type === 'text-delta' && observer.text) observer.text(start.first.text);
    start.observer = observer;
    return start;
  }
}

/** The rest of a traced stream, as the relay reports it: the call's span ends at the finish part, on a failure, or when the reader stops early. */
class TracedStream implements StreamObserver {
  readonly #span: Span;
  readonly #call: ModelCall;
  /** The answer so far, kept only when content is captured. */
  #answer = '';
  #ended = false;
  readonly text: ((text: string) => void) | undefined;

  constructor(span: Span, call: ModelCall) {
    this.#span = span;
    this.#call = call;
    this.text = call.parent.capturesContent ? (text) => void (this.#answer += text) : undefined;
  }

  finished(part: Extract<ChatStreamPart, { type: 'finish' }>): void {
    if (this.#ended) return;
    this.#ended = true;
    endCallSpan(this.#span, this.#call, { finishReason: part.finishReason, usage: part.usage, model: part.model, text: this.text ? this.#answer : undefined });
  }

  failed(error: unknown): void {
    if (this.#ended) return;
    this.#ended = true;
    failCallSpan(this.#span, this.#call, error);
  }

  cancelled(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#span.fail('cancelled', 'the reader stopped before the finish');
    this.#span.end();
  }
}
