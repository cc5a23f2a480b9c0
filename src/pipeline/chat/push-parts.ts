/** The push side of call-model's relay: parts the provider reads go to the transport's events by callback, awaited only while the client is behind. */

import type { ChatStreamPart } from '../../chat/chat-types.js';
import type { PartReceiver, PushControl, RelayedStream } from '../../models/calling/stream-relay.js';
import type { ChatStreamEvents } from './chat-context.js';

type FinishPart = Extract<ChatStreamPart, { type: 'finish' }>;

/**
 * Relays the rest of `parts` (its first part handed on already) to `events`; settles once the
 * stream has ended or the client has gone, with the error to tell the client, if any. What the
 * pull loop does per part, without its promise per part: a write the transport answers with a
 * promise (its client is behind) pauses the stream until it settles.
 */
export function pushParts(parts: RelayedStream, events: ChatStreamEvents, onFinish: (part: FinishPart) => void): Promise<unknown> {
  return new Promise<unknown>((resolve) => {
    new PartsToEvents(parts, events, onFinish, resolve).start();
  });
}

class PartsToEvents implements PartReceiver {
  readonly #parts: RelayedStream;
  readonly #events: ChatStreamEvents;
  readonly #onFinish: (part: FinishPart) => void;
  readonly #settle: (error: unknown) => void;
  #control: PushControl | undefined;
  #settled = false;
  // Bound once: a write the client is behind on resumes the stream when it settles.
  readonly #written = (): void => {
    if (this.#events.closed) this.#done(undefined);
    else this.#control?.resume();
  };
  readonly #writeFailed = (error: unknown): void => this.#done(error);

  constructor(parts: RelayedStream, events: ChatStreamEvents, onFinish: (part: FinishPart) => void, settle: (error: unknown) => void) {
    this.#parts = parts;
    this.#events = events;
    this.#onFinish = onFinish;
    this.#settle = settle;
  }

  start(): void {
    this.#control = this.#parts.pushTo(this);
  }

  part(part: ChatStreamPart): boolean {
    if (this.#settled) return false;
    let written: Promise<void> | void;
    try {
      if (part.type === 'text-delta') written = this.#events.delta(part.text);
      else if (part.type === 'tool-call-delta') written = this.#events.toolCallDelta(part);
      else {
        this.#onFinish(part);
        written = this.#events.finish(part.finishReason, part.usage);
      }
    } catch (error) {
      this.#done(error);
      return false;
    }
    if (written) {
      written.then(this.#written, this.#writeFailed);
      return false;
    }
    // The client went away: the caller's `return()` ends the upstream request.
    if (this.#events.closed) {
      this.#done(undefined);
      return false;
    }
    return true;
  }

  end(error?: unknown): void {
    this.#done(error);
  }

  #done(error: unknown): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#settle(error);
  }
}
