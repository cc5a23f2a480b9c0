/**
 * A stream from its start to its end: `begin` runs the callers up to the first part (retries and
 * fallbacks happen there); past it nothing is retried, so a failure ends the iteration with an
 * error the caller must pass to its client. A consumer that stops early aborts the upstream
 * request, so the backend stops generating. Read by pull (an async iterator, for the agent loop
 * and turns) or, where the provider's parts can push (streamed-parts.ts), by callback: then a
 * token costs no promise between the upstream socket and the client's.
 */

import type { ChatStreamPart } from '../../chat/chat-types.js';
import { SwitchboardError } from '../../errors.js';
import type { CallerSignal } from '../caller-abort.js';
import { UpstreamError } from '../upstream-error.js';
import type { StreamStart } from './chat-caller.js';
import { toClientError } from './client-error.js';
import type { InstanceCaller } from './instance-caller.js';
import type { PartReceiver, PushControl } from '../providers/chat-provider.js';

export type { PartReceiver, PushControl } from '../providers/chat-provider.js';

/** An iterator whose source can also push its parts (the provider's `StreamedParts`). */
interface PushSource extends AsyncIterator<ChatStreamPart> {
  pushTo(receiver: PartReceiver): PushControl;
}

function canPush(iterator: AsyncIterator<ChatStreamPart>): iterator is PushSource {
  return typeof (iterator as Partial<PushSource>).pushTo === 'function';
}

const doneResult: IteratorReturnResult<undefined> = { done: true, value: undefined };

export function relayStream(begin: () => Promise<StreamStart>, signal: CallerSignal, instances: InstanceCaller): RelayedStream {
  return new RelayedStream(begin, signal, instances);
}

/** The relay as an async generator would be one (next, return, throw), without a generator's promise hops, plus `pushTo`. */
export class RelayedStream implements AsyncGenerator<ChatStreamPart, undefined>, PartReceiver {
  readonly #begin: () => Promise<StreamStart>;
  readonly #signal: CallerSignal;
  readonly #instances: InstanceCaller;
  #start: StreamStart | undefined;
  #state: 'idle' | 'starting' | 'started' | 'ended' = 'idle';
  /** The finish part has been read. */
  #ok = false;
  #receiver: PartReceiver | undefined;

  constructor(begin: () => Promise<StreamStart>, signal: CallerSignal, instances: InstanceCaller) {
    this.#begin = begin;
    this.#signal = signal;
    this.#instances = instances;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.return();
  }

  /** Whether the rest of the stream, after its first part, can be pushed to a receiver. */
  get canPush(): boolean {
    return this.#state === 'started' && canPush(this.#start!.iterator);
  }

  async next(): Promise<IteratorResult<ChatStreamPart, undefined>> {
    if (this.#state === 'idle') return this.#first();
    if (this.#state !== 'started') return doneResult;
    const start = this.#start!;
    if (this.#ok) {
      await this.#close();
      return doneResult;
    }
    let step: IteratorResult<ChatStreamPart>;
    try {
      step = await start.iterator.next();
    } catch (error) {
      throw await this.#failed(error);
    }
    if (step.done) throw await this.#endedWithoutFinish();
    this.#seen(step.value);
    return step;
  }

  async #first(): Promise<IteratorResult<ChatStreamPart, undefined>> {
    this.#state = 'starting';
    try {
      this.#start = await this.#begin();
    } catch (error) {
      this.#state = 'ended';
      throw error;
    }
    this.#state = 'started';
    const { first } = this.#start;
    if (first.type === 'finish') this.#ok = true;
    return { done: false, value: first };
  }

  /** Bookkeeping for one part read after the first: the finish ends the attempt well; captured text goes to the trace. */
  #seen(part: ChatStreamPart): void {
    const { observer } = this.#start!;
    if (part.type === 'finish') {
      this.#ok = true;
      observer?.finished(part);
    } else if (part.type === 'text-delta' && observer?.text) {
      observer.text(part.text);
    }
  }

  /** A failure past the first part: the attempt ends failed and the error is made the client's. */
  async #failed(error: unknown): Promise<unknown> {
    const { attempt, observer } = this.#start!;
    this.#instances.end(attempt, attempt.outcomeOf(error), error);
    observer?.failed(error);
    await this.#close();
    if (this.#signal.aborted) return this.#signal.reason ?? error;
    return toClientError(error);
  }

  async #endedWithoutFinish(): Promise<unknown> {
    const { attempt, observer } = this.#start!;
    const error = new SwitchboardError('upstream_error', `the stream from instance "${attempt.instance.name}" ended without a finish`);
    this.#instances.end(attempt, 'failed', error);
    observer?.failed(error);
    await this.#close();
    return error;
  }

  /** The end, once: a stream read to its finish ends the attempt well; anything else cancels it and the upstream request. */
  async #close(): Promise<void> {
    if (this.#state !== 'started') return;
    this.#state = 'ended';
    const { attempt, observer, iterator } = this.#start!;
    if (this.#ok) {
      this.#instances.end(attempt, 'ok');
      return;
    }
    observer?.cancelled();
    // The consumer stopped early or the stream failed: end the upstream request too.
    attempt.abort(new UpstreamError('aborted', attempt.instance.url, 'the stream ended before its finish'));
    this.#instances.end(attempt, 'neutral');
    await iterator.return?.(undefined).catch(() => undefined);
  }

  async return(_value?: unknown): Promise<IteratorResult<ChatStreamPart, undefined>> {
    if (this.#state === 'idle') this.#state = 'ended';
    await this.#close();
    return doneResult;
  }

  async throw(error: unknown): Promise<IteratorResult<ChatStreamPart, undefined>> {
    await this.return();
    throw error;
  }

  /**
   * Hands the rest of the stream (after the first part, read by `next()`) to `receiver` as it is
   * read; only when `canPush`. The receiver's `end` comes once, after the finish or with the error.
   */
  pushTo(receiver: PartReceiver): PushControl {
    const iterator = this.#start!.iterator;
    if (!this.canPush || !canPush(iterator)) throw new Error('this stream cannot push its parts');
    this.#receiver = receiver;
    if (this.#ok) {
      // The first part was the finish: nothing is left to read.
      queueMicrotask(() => this.end());
      return { resume: () => undefined };
    }
    return iterator.pushTo(this);
  }

  // PartReceiver, for the provider's parts: the bookkeeping `next()` does, then the stage's receiver.
  part(part: ChatStreamPart): boolean {
    this.#seen(part);
    return this.#receiver!.part(part);
  }

  end(error?: unknown): void {
    const receiver = this.#receiver!;
    if (error !== undefined) void this.#failed(error).then((mapped) => receiver.end(mapped));
    else if (!this.#ok) void this.#endedWithoutFinish().then((mapped) => receiver.end(mapped));
    else void this.#close().then(() => receiver.end());
  }
}
