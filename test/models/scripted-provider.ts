/** A ChatProvider whose every call follows a script, for router tests that need exact failures without sockets. */

import type { ChatCallRequest, ChatCallResult, ChatStreamPart } from '../../src/chat/chat-types.js';
import type { ChatProvider } from '../../src/models/providers/chat-provider.js';
import { abortError } from '../../src/models/providers/upstream-http-client.js';
import { UpstreamError } from '../../src/models/upstream-error.js';

export type Outcome =
  | { kind: 'ok'; text?: string }
  | { kind: 'status'; status: number; retryAfterMs?: number }
  | { kind: 'connect' }
  /** Never answers: ends only when the router aborts it (a timeout or the caller leaving). */
  | { kind: 'stall' }
  /** Streams one delta, then breaks. */
  | { kind: 'break-after-first' };

export class ScriptedProvider implements ChatProvider {
  readonly instance: string;
  readonly requests: ChatCallRequest[] = [];
  #script: (callIndex: number) => Outcome;

  constructor(instance: string, script: (callIndex: number) => Outcome) {
    this.instance = instance;
    this.#script = script;
  }

  setScript(script: (callIndex: number) => Outcome): void {
    this.#script = script;
  }

  get calls(): number {
    return this.requests.length;
  }

  async #begin(request: ChatCallRequest, signal: AbortSignal): Promise<Outcome> {
    const outcome = this.#script(this.requests.length);
    this.requests.push(request);
    await Promise.resolve();
    if (signal.aborted) throw abortError(this.instance, signal, undefined);
    switch (outcome.kind) {
      case 'status':
        throw new UpstreamError('status', this.instance, `scripted ${outcome.status}`, { status: outcome.status, retryAfterMs: outcome.retryAfterMs });
      case 'connect':
        throw new UpstreamError('connect', this.instance, 'scripted connection refused');
      case 'stall':
        await new Promise<void>((_resolve, reject) => signal.addEventListener('abort', () => reject(abortError(this.instance, signal, undefined)), { once: true }));
        throw new Error('unreachable');
      default:
        return outcome;
    }
  }

  async call(request: ChatCallRequest, signal: AbortSignal): Promise<ChatCallResult> {
    const outcome = await this.#begin(request, signal);
    const text = outcome.kind === 'ok' ? (outcome.text ?? `answer from ${this.instance}`) : '';
    return { text, finishReason: 'stop', usage: { promptTokens: 10, completionTokens: 5 } };
  }

  async stream(request: ChatCallRequest, signal: AbortSignal): Promise<AsyncIterable<ChatStreamPart>> {
    const outcome = await this.#begin(request, signal);
    const instance = this.instance;
    return (async function* () {
      yield { type: 'text-delta', text: 'first ' } as ChatStreamPart;
      if (outcome.kind === 'break-after-first') throw new UpstreamError('stream-broken', instance, 'scripted break');
      yield { type: 'text-delta', text: `from ${instance}` } as ChatStreamPart;
      yield { type: 'finish', finishReason: 'stop', usage: { promptTokens: 10, completionTokens: 2 } } as ChatStreamPart;
    })();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
