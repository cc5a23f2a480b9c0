/**
 * The router's layers, in undici's dispatcher style: each caller does one job and hands the call
 * to the next (fallback across pools → retries within a pool → one attempt on one instance).
 */

import type { ChatCallResult, ChatStreamPart } from '../../chat/chat-types.js';
import type { ModelCall } from './model-call.js';
import type { UpstreamAttempt } from '../upstream-attempt.js';

/** What a streamed call hands back once its first part arrived: past it, nothing is retried. */
export interface StreamStart {
  first: ChatStreamPart;
  iterator: AsyncIterator<ChatStreamPart>;
  attempt: UpstreamAttempt;
}

export interface ChatCaller {
  /** One whole answer. */
  call(call: ModelCall): Promise<ChatCallResult>;
  /** A stream, up to and including its first part. */
  stream(call: ModelCall): Promise<StreamStart>;
}
