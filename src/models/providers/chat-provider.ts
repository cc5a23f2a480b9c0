/** The interface every provider adapter implements: one backend instance, one wire format, no knowledge of the web server. */

import type { ChatCallRequest, ChatCallResult, ChatStreamPart } from '../../chat/chat-types.js';
import type { CallAbort } from './call-abort.js';

/** Told by the HTTP client when an upstream's response headers arrive, so a whole answer's header deadline can stop. */
export interface ResponseStartListener {
  responseStarted(): void;
}

/** Takes a stream's parts as they are read. */
export interface PartReceiver {
  /** One part; false when the receiver is behind: no part comes until it calls `resume()` on its control. */
  part(part: ChatStreamPart): boolean;
  /** The stream ended, after its finish or with the error to give the client; called once. */
  end(error?: unknown): void;
}

/** What a pushing receiver holds: resume after it said it was behind. */
export interface PushControl {
  resume(): void;
}

export interface ChatProvider {
  /** The instance's base URL, for logs and metrics. */
  readonly instance: string;
  /**
   * True for an adapter whose calls go through an UpstreamHandler (upstream-handler.ts): the router
   * hands it the attempt itself as `signal` (call-abort.ts), which aborts the handler directly, so
   * no AbortSignal is made per attempt. Any other adapter is handed an AbortSignal.
   */
  readonly abortsThroughAttempt?: boolean;
  /** One non-streamed call; `started` hears when the response headers arrive. Throws `UpstreamError`. */
  call(request: ChatCallRequest, signal: CallAbort, started?: ResponseStartListener): Promise<ChatCallResult>;
  /**
   * One streamed call. The returned promise settles when the response headers arrive (so a
   * failing status is an error before any token); the iterable then yields text deltas and
   * one `finish`. Errors while iterating are `UpstreamError` of kind `stream-broken`. Its iterator
   * may also offer `pushTo(receiver)` (streamed-parts.ts), which the relay then uses instead of `next()`.
   */
  stream(request: ChatCallRequest, signal: CallAbort): Promise<AsyncIterable<ChatStreamPart>>;
  /** One embeddings call for `request.embeddingInput`; absent where the wire format has none (Anthropic). */
  embed?(request: ChatCallRequest, signal: CallAbort, started?: ResponseStartListener): Promise<ChatCallResult>;
  close(): Promise<void>;
}
