/**
 * A streamed answer read by an undici dispatch handler: the wire format's decoder is fed from
 * `onData` and its parts wait in a queue for the consumer's `next()`. Text that arrives before the
 * consumer asks is joined into one part (one write downstream); past a budget of queued characters
 * the upstream body is paused until the consumer catches up. No Readable, no generator.
 */

import type { ChatStreamPart } from '../../chat/chat-types.js';
import type { CallAbort } from './call-abort.js';
import type { PartReceiver, PushControl } from './chat-provider.js';
import { UpstreamHandler } from './upstream-handler.js';
import { streamError } from './upstream-failure.js';
import { UpstreamError } from '../upstream-error.js';

/** Where a decoder puts what it read; text alone is kept as a string, so a token makes no part object until it is taken. */
export interface PartSink {
  text(text: string): void;
  part(part: ChatStreamPart): void;
}

/** One wire format's stream: bytes in, parts out; `done` once its last event (with the finish) has been read. */
export interface StreamDecoder {
  readonly done: boolean;
  /** Decodes one network chunk; throws an `UpstreamError` (or a parse error) for a broken stream. */
  push(chunk: Uint8Array, sink: PartSink): void;
  /** The body ended before `done`: gives the finish if the stream may end so, else throws. */
  end(sink: PartSink): void;
}

/** Characters queued for a consumer that is behind before the upstream is paused: the SSE writer's own cap. */
const pauseAboveCharacters = 64 * 1024;
/** How long a body may take to end after its stream said it was done, before its connection is given up. */
const drainAfterDoneMs = 2_000;

const doneResult: IteratorReturnResult<undefined> = { done: true, value: undefined };

function cutOff(parts: StreamedParts): void {
  parts.cutOff();
}

export class StreamedParts extends UpstreamHandler implements PartSink, AsyncIterableIterator<ChatStreamPart>, PushControl {
  /** Settles when the response headers arrive (a 2xx: this iterable), or with the call's error. */
  readonly started: Promise<AsyncIterable<ChatStreamPart>>;
  readonly #decoder: StreamDecoder;
  #resolveStart!: (parts: AsyncIterable<ChatStreamPart>) => void;
  #rejectStart!: (error: UpstreamError) => void;
  #isStarted = false;
  readonly #parts: ChatStreamPart[] = [];
  #head = 0;
  /** Text after the last queued part, joined until the consumer takes it. */
  #text = '';
  #queuedCharacters = 0;
  #paused = false;
  /** The consumer waiting in `next()` for the next part. */
  #waiting: { resolve: (result: IteratorResult<ChatStreamPart>) => void; reject: (error: unknown) => void } | undefined;
  #failure: UpstreamError | undefined;
  /** The body ended (or its last event came): once the queue is empty, the iteration is done. */
  #complete = false;
  #bodyEnded = false;
  #drainTimer: NodeJS.Timeout | undefined;
  /** Push mode: the receiver that takes parts as they are read, and whether it said it is behind. */
  #receiver: PartReceiver | undefined;
  #receiverBehind = false;

  constructor(instance: string, signal: CallAbort, decoder: StreamDecoder) {
    super(instance, signal);
    this.#decoder = decoder;
    this.started = new Promise<AsyncIterable<ChatStreamPart>>((resolve, reject) => {
      this.#resolveStart = resolve;
      this.#rejectStart = reject;
    });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  // PartSink: what the decoder read.
  text(text: string): void {
    this.#text += text;
    this.#queuedCharacters += text.length;
  }

  part(part: ChatStreamPart): void {
    this.#flushText();
    this.#parts.push(part);
    if (part.type === 'tool-call-delta') this.#queuedCharacters += part.argumentsDelta.length;
  }

  #flushText(): void {
    if (this.#text.length === 0) return;
    this.#parts.push({ type: 'text-delta', text: this.#text });
    this.#text = '';
  }

  protected responded(): boolean {
    this.#isStarted = true;
    this.#resolveStart(this);
    return true;
  }

  protected body(chunk: Buffer): boolean {
    if (this.#complete) return true;
    try {
      this.#decoder.push(chunk, this);
    } catch (error) {
      this.#break(streamError(this.instance, this.signal, error));
      return true;
    }
    if (this.#decoder.done) this.#stopped();
    this.#wake();
    if (this.#queuedCharacters > pauseAboveCharacters && !this.#complete) this.#paused = true;
    return !this.#paused;
  }

  protected ended(): void {
    this.#bodyEnded = true;
    clearTimeout(this.#drainTimer);
    if (this.#complete) return;
    try {
      this.#decoder.end(this);
    } catch (error) {
      this.#break(streamError(this.instance, this.signal, error));
      return;
    }
    this.#complete = true;
    this.#wake();
  }

  protected failed(error: UpstreamError): void {
    clearTimeout(this.#drainTimer);
    if (!this.#isStarted) {
      this.#rejectStart(error);
      return;
    }
    // Past the last event the outcome is decided: a connection that fails while its terminator is awaited changes nothing.
    if (this.#complete) return;
    this.#failure = error;
    this.#wake();
  }

  protected bodyError(error: Error): UpstreamError {
    return streamError(this.instance, this.signal, error);
  }

  /** The last event came: the rest of the body (normally just the chunked terminator) is read off so the connection is kept. */
  #stopped(): void {
    this.#complete = true;
    if (this.#paused) {
      this.#paused = false;
      this.resumeBody?.();
    }
    // The terminator is usually in the same read and ends the body in this tick; only otherwise is a deadline set.
    queueMicrotask(() => {
      if (!this.#bodyEnded && this.#drainTimer === undefined) this.#drainTimer = setTimeout(cutOff, drainAfterDoneMs, this);
    });
  }

  /** A server that keeps sending after it said done loses its connection. */
  cutOff(): void {
    if (!this.#bodyEnded) this.abortRequest(new UpstreamError('aborted', this.instance, `${this.instance} kept sending after its stream was done`));
  }

  /** The stream is broken: parts read before the fault still reach the consumer, then the error; the request goes. */
  #break(error: UpstreamError): void {
    this.#failure = error;
    this.abortRequest(error);
    this.#wake();
  }

  #wake(): void {
    if (this.#receiver) {
      this.#deliver();
      return;
    }
    const waiting = this.#waiting;
    if (!waiting) return;
    this.#waiting = undefined;
    this.#settle(waiting.resolve, waiting.reject);
  }

  /** Hands the consumer its next part, its end or its error, if one is there; false when nothing is yet. */
  #settle(resolve: (result: IteratorResult<ChatStreamPart>) => void, reject: (error: unknown) => void): boolean {
    const part = this.#take();
    if (part) resolve({ done: false, value: part });
    else if (this.#failure) reject(this.#failure);
    else if (this.#complete) resolve(doneResult);
    else return false;
    return true;
  }

  #take(): ChatStreamPart | undefined {
    let part: ChatStreamPart | undefined;
    if (this.#head < this.#parts.length) {
      part = this.#parts[this.#head];
      this.#parts[this.#head++] = undefined as unknown as ChatStreamPart;
      if (this.#head === this.#parts.length) {
        this.#parts.length = 0;
        this.#head = 0;
      }
    } else if (this.#text.length > 0) {
      part = { type: 'text-delta', text: this.#text };
      this.#text = '';
    } else {
      return undefined;
    }
    this.#queuedCharacters -= part.type === 'text-delta' ? part.text.length : part.type === 'tool-call-delta' ? part.argumentsDelta.length : 0;
    if (this.#paused && this.#queuedCharacters <= pauseAboveCharacters / 2) {
      this.#paused = false;
      this.resumeBody?.();
    }
    return part;
  }

  /**
   * Push mode, instead of `next()`: every part read goes to `receiver` at once, the text of one
   * network read as one part; while it is behind, parts queue (and past the budget the upstream
   * pauses) until it calls `resume()`. Its `end` comes once, after the last part or with the error.
   */
  pushTo(receiver: PartReceiver): PushControl {
    if (this.#waiting) throw new Error('pushTo() called while a next() is pending');
    this.#receiver = receiver;
    this.#deliver();
    return this;
  }

  resume(): void {
    if (!this.#receiverBehind) return;
    this.#receiverBehind = false;
    this.#deliver();
  }

  #deliver(): void {
    while (this.#receiver && !this.#receiverBehind) {
      const part = this.#take();
      if (!part) break;
      if (!this.#receiver.part(part)) this.#receiverBehind = true;
    }
    const receiver = this.#receiver;
    if (!receiver || this.#receiverBehind) return;
    if (this.#failure) {
      this.#receiver = undefined;
      receiver.end(this.#failure);
    } else if (this.#complete) {
      this.#receiver = undefined;
      receiver.end();
    }
  }

  next(): Promise<IteratorResult<ChatStreamPart>> {
    if (this.#waiting) return Promise.reject(new Error('next() called while a previous next() is pending'));
    return new Promise<IteratorResult<ChatStreamPart>>((resolve, reject) => {
      if (!this.#settle(resolve, reject)) this.#waiting = { resolve, reject };
    });
  }

  /** The consumer stopped before the end: the upstream request ends too, so the backend stops generating. */
  return(): Promise<IteratorResult<ChatStreamPart>> {
    if (!this.#complete && !this.#failure) this.abortRequest(new UpstreamError('aborted', this.instance, `the reader of ${this.instance}'s stream stopped`));
    this.#parts.length = 0;
    this.#head = 0;
    this.#text = '';
    this.#complete = true;
    this.#receiver = undefined;
    return Promise.resolve(doneResult);
  }
}
