/** The innermost caller: one attempt on the instance the retrying caller picked, with its timers and breaker bookkeeping. */

import type { ChatCallRequest, ChatCallResult } from '../../chat/chat-types.js';
import { SwitchboardError } from '../../errors.js';
import type { CallAbort } from '../providers/call-abort.js';
import type { ChatProvider } from '../providers/chat-provider.js';
import type { RouterObserver } from '../router-observer.js';
import { UpstreamAttempt, type AttemptOutcome } from '../upstream-attempt.js';
import { UpstreamError, isUpstreamError } from '../upstream-error.js';
import { endAttemptSpan, startAttemptSpan, withTraceContext } from './attempt-span.js';
import type { ChatCaller, StreamStart } from './chat-caller.js';
import type { ModelCall } from './model-call.js';

/** The attempt itself for a provider that takes it (no AbortSignal per attempt), else the attempt's AbortSignal. */
function abortOf(provider: ChatProvider, attempt: UpstreamAttempt): CallAbort {
  return provider.abortsThroughAttempt ? attempt : attempt.signal;
}

function embedWith(provider: ChatProvider, request: ChatCallRequest, attempt: UpstreamAttempt): Promise<ChatCallResult> {
  if (!provider.embed) throw new SwitchboardError('invalid_request', `The pool behind this route speaks a wire format without embeddings (Anthropic's Messages API); route embeddings to an OpenAI-compatible pool.`);
  return provider.embed(request, abortOf(provider, attempt), attempt);
}

export class InstanceCaller implements ChatCaller {
  readonly #now: () => number;
  readonly #observer: RouterObserver | undefined;

  constructor(options: { now: () => number; observer?: RouterObserver }) {
    this.#now = options.now;
    this.#observer = options.observer;
  }

  #begin(call: ModelCall, streamed: boolean): UpstreamAttempt {
    const attempt = new UpstreamAttempt(call.pool!, call.instance!, call.signal, call.balance.now, streamed, call.decision.route);
    if (call.span.enabled) attempt.span = startAttemptSpan(call);
    return attempt;
  }

  /** The request to send: with this attempt's `traceparent` when it is traced. */
  #request(call: ModelCall, attempt: UpstreamAttempt): ChatCallRequest {
    return attempt.span.enabled ? withTraceContext(call.upstreamRequest, attempt.span) : call.upstreamRequest;
  }

  async call(call: ModelCall): Promise<ChatCallResult> {
    const attempt = this.#begin(call, false);
    try {
      const provider = attempt.instance.provider;
      const request = this.#request(call, attempt);
      const result = request.embeddingInput ? await embedWith(provider, request, attempt) : await provider.call(request, abortOf(provider, attempt), attempt);
      // A whole answer's first output is the answer.
      this.firstToken(attempt);
      this.end(attempt, 'ok');
      return result;
    } catch (error) {
      this.end(attempt, attempt.outcomeOf(error), error);
      throw error;
    }
  }

  async stream(call: ModelCall): Promise<StreamStart> {
    const attempt = this.#begin(call, true);
    try {
      const parts = await attempt.instance.provider.stream(this.#request(call, attempt), abortOf(attempt.instance.provider, attempt));
      const iterator = parts[Symbol.asyncIterator]();
      const step = await iterator.next();
      if (step.done) throw new UpstreamError('stream-broken', attempt.instance.url, `stream from ${attempt.instance.url} ended before any output`);
      this.firstToken(attempt);
      return { first: step.value, iterator, attempt };
    } catch (error) {
      this.end(attempt, attempt.outcomeOf(error), error);
      throw error;
    }
  }

  firstToken(attempt: UpstreamAttempt): void {
    const ttftMs = attempt.firstToken(this.#now());
    this.#observer?.firstToken(attempt.pool.name, ttftMs / 1000);
  }

  /** Ends the attempt once (later calls do nothing) and reports it; `error` is what failed it, if anything did. */
  end(attempt: UpstreamAttempt, outcome: AttemptOutcome, error?: unknown): void {
    // Named here, where the instance is known, so the client's message can say which one without its URL.
    if (isUpstreamError(error)) error.instanceName = attempt.instance.name;
    const elapsedMs = attempt.end(outcome, this.#now());
    if (elapsedMs === undefined) return;
    this.#observer?.upstreamEnded(attempt.pool.name, attempt.instance.name, elapsedMs / 1000, outcome !== 'failed');
    if (outcome === 'failed') this.#observer?.attemptFailed?.(attempt.route, attempt.instance, error);
    if (attempt.span.enabled) endAttemptSpan(attempt.span, outcome, error);
  }
}
