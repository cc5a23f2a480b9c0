/**
 * The outermost caller when tracing: one GenAI span per model call around the fallback chain.
 * A call whose parent span is the no-op one goes straight through, so tracing off costs one
 * property read per call.
 */

import type { ChatCallResult, ChatStreamPart } from '../../chat/chat-types.js';
import { SwitchboardError } from '../../errors.js';
import type { Span } from '../../telemetry/tracing.js';
import { endCallSpan, failCallSpan, recordFirstChunk, startCallSpan } from './call-span.js';
import type { ChatCaller, StreamStart } from './chat-caller.js';
import type { ModelCall } from './model-call.js';

export class TracingCaller implements ChatCaller {
  readonly #next: ChatCaller;
  readonly #now: () => number;

  constructor(next: ChatCaller, options: { now: () => number }) {
    this.#next = next;
    this.#now = options.now;
  }

  async call(call: ModelCall): Promise<ChatCallResult> {
    if (!call.parent.enabled) return this.#next.call(call);
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

  async stream(call: ModelCall): Promise<StreamStart> {
    if (!call.parent.enabled) return this.#next.stream(call);
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
    const parts = new TracedParts(start.iterator, span, call);
    parts.observe(start.first);
    return { first: start.first, iterator: parts, attempt: start.attempt };
  }
}

/** The rest of a traced stream: ends the call's span at the finish part, on a failure, or when the reader stops early. */
class TracedParts implements AsyncIterator<ChatStreamPart> {
  readonly #inner: AsyncIterator<ChatStreamPart>;
  readonly #span: Span;
  readonly #call: ModelCall;
  /** The answer so far, kept only when content is captured. */
  #text: string | undefined;
  #ended = false;

  constructor(inner: AsyncIterator<ChatStreamPart>, span: Span, call: ModelCall) {
    this.#inner = inner;
    this.#span = span;
    this.#call = call;
    if (call.parent.capturesContent) this.#text = '';
  }

  observe(part: ChatStreamPart): void {
    if (this.#ended) return;
    if (part.type === 'text-delta') {
      if (this.#text !== undefined) this.#text += part.text;
      return;
    }
    this.#ended = true;
    endCallSpan(this.#span, this.#call, { finishReason: part.finishReason, usage: part.usage, model: part.model, text: this.#text });
  }

  #fail(error: unknown): void {
    if (this.#ended) return;
    this.#ended = true;
    failCallSpan(this.#span, this.#call, error);
  }

  async next(): Promise<IteratorResult<ChatStreamPart>> {
    let step: IteratorResult<ChatStreamPart>;
    try {
      step = await this.#inner.next();
    } catch (error) {
      this.#fail(error);
      throw error;
    }
    if (step.done) this.#fail(new SwitchboardError('upstream_error', 'the stream ended without a finish'));
    else this.observe(step.value);
    return step;
  }

  async return(value?: unknown): Promise<IteratorResult<ChatStreamPart>> {
    if (!this.#ended) {
      this.#ended = true;
      this.#span.fail('cancelled', 'the reader stopped before the finish');
      this.#span.end();
    }
    return this.#inner.return ? this.#inner.return(value) : { done: true, value: undefined };
  }
}
