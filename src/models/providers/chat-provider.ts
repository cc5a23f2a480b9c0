/** The interface every provider adapter implements: one backend instance, one wire format, no knowledge of the web server. */

import type { ChatCallRequest, ChatCallResult, ChatStreamPart } from '../../chat/chat-types.js';

/** Told by the HTTP client when an upstream's response headers arrive, so a whole answer's header deadline can stop. */
export interface ResponseStartListener {
  responseStarted(): void;
}

export interface ChatProvider {
  /** The instance's base URL, for logs and metrics. */
  readonly instance: string;
  /** One non-streamed call; `started` hears when the response headers arrive. Throws `UpstreamError`. */
  call(request: ChatCallRequest, signal: AbortSignal, started?: ResponseStartListener): Promise<ChatCallResult>;
  /**
   * One streamed call. The returned promise settles when the response headers arrive (so a
   * failing status is an error before any token); the iterable then yields text deltas and
   * one `finish`. Errors while iterating are `UpstreamError` of kind `stream-broken`.
   */
  stream(request: ChatCallRequest, signal: AbortSignal): Promise<AsyncIterable<ChatStreamPart>>;
  /** One embeddings call for `request.embeddingInput`; absent where the wire format has none (Anthropic). */
  embed?(request: ChatCallRequest, signal: AbortSignal, started?: ResponseStartListener): Promise<ChatCallResult>;
  close(): Promise<void>;
}
