/**
 * The router's layers, in undici's dispatcher style: each caller does one job and hands the call
 * to the next (fallback across pools → retries within a pool → one attempt on one instance).
 */

import type { ChatCallResult, ChatStreamPart } from '../../chat/chat-types.js';
import type { ModelCall } from './model-call.js';
import type { UpstreamAttempt } from '../upstream-attempt.js';

/** Told how a traced stream goes on after its first part, by the relay; one of `finished`, `failed` or `cancelled` ends it. */
export interface StreamObserver {
  /** Each text part after the first; only when content is captured. */
  readonly text?: (text: string) => void;
  finished(part: Extract<ChatStreamPart, { type: 'finish' }>): void;
  failed(error: unknown): void;
  /** The reader stopped before the finish. */
  cancelled(): void;
}

/** What a streamed call hands back once its first part arrived: past it, nothing is retried. */
export interface StreamStart {
  first: ChatStreamPart;
  iterator: AsyncIterator<ChatStreamPart>;
  attempt: UpstreamAttempt;
  /** Set by the tracing caller when the call is traced; the relay tells it the rest, so no part pays for tracing. */
  observer?: StreamObserver;
}

export interface ChatCaller {
  /** One whole answer. */
  call(call: ModelCall): Promise<ChatCallResult>;
  /** A stream, up to and including its first part. */
  stream(call: ModelCall): Promise<StreamStart>;
}
