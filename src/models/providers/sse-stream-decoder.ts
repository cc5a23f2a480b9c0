/**
 * What every wire format's `StreamDecoder` over server-sent events shares: the SSE parser fed one
 * network chunk at a time, the sink of the chunk being decoded, and the events handed to the format's
 * own `event` until its last one has been read.
 */

import type { ChatMessage } from '../../chat/chat-types.js';
import { SseParser } from './sse-lines.js';
import type { PartSink, StreamDecoder } from './streamed-parts.js';

export abstract class SseStreamDecoder implements StreamDecoder {
  done = false;
  /** The upstream instance, for error messages. */
  protected readonly instance: string;
  /** The request's messages, for a prompt-token estimate when the upstream sends no usage. */
  protected readonly messages: readonly ChatMessage[];
  /** The sink of the chunk being decoded: what its events read goes there. */
  protected sink: PartSink | undefined;
  readonly #parser = new SseParser();
  // Bound once: the parser calls it per event.
  readonly #onEvent = (_event: string | undefined, data: string): void => {
    if (!this.done) this.event(data, this.sink!);
  };

  constructor(instance: string, messages: readonly ChatMessage[]) {
    this.instance = instance;
    this.messages = messages;
  }

  push(chunk: Uint8Array, sink: PartSink): void {
    this.sink = sink;
    this.#parser.push(chunk, this.#onEvent);
  }

  end(sink: PartSink): void {
    this.sink = sink;
    this.#parser.end(this.#onEvent);
    if (!this.done) this.endedEarly(sink);
  }

  /** One event's data (the `event:` line is only a hint in both formats); called until `done`. */
  protected abstract event(data: string, sink: PartSink): void;

  /** The body ended before the last event: gives the finish if the format may end so, else throws. */
  protected abstract endedEarly(sink: PartSink): void;
}
