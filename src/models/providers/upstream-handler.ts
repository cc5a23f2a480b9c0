/**
 * The base of Switchboard's undici dispatch handlers: one upstream call's abort wiring, header
 * deadline and error mapping, with no Readable, no AsyncResource and no promise per chunk. A
 * subclass takes a 2xx body's bytes (`GatheredBody` for a whole answer, `StreamedParts` for a stream).
 */

import { isAttemptAbort, type CallAbort } from './call-abort.js';
import type { ResponseStartListener } from './chat-provider.js';
import { abortError } from './upstream-failure.js';
import { UpstreamError, parseRetryAfter } from '../upstream-error.js';

/** How much of an error answer's body is kept: the log and the client's message use its start only. */
const maxErrorBodyBytes = 16 * 1024;

/** undici's own callbacks (its "legacy" handler shape): used as they are, so undici wraps nothing per request. */
export interface RawDispatchHandler {
  onConnect(abort: (error?: Error) => void): void;
  onHeaders(statusCode: number, rawHeaders: Buffer[], resume: () => void, statusText: string): boolean;
  onData(chunk: Buffer): boolean;
  onComplete(trailers: Buffer[] | null): void;
  onError(error: Error): void;
}

export abstract class UpstreamHandler implements RawDispatchHandler {
  readonly instance: string;
  /** The caller's signal, or the attempt that aborts this handler directly (call-abort.ts). */
  readonly signal: CallAbort;
  readonly #started: ResponseStartListener | undefined;
  #abort: ((error?: Error) => void) | undefined;
  /** Set once the outcome is decided (end, failure or abort); later callbacks only tidy up. */
  #finished = false;
  #headersSeen = false;
  /** Undici's resume for a body paused by returning false from `onData`. */
  protected resumeBody: (() => void) | undefined;
  /** An error answer (status ≥ 400): its status, Retry-After and body gathered for the error. */
  #errorStatus = 0;
  #errorRetryAfter: string | undefined;
  #errorChunks: Buffer[] | undefined;
  #errorBytes = 0;

  constructor(instance: string, signal: CallAbort, started?: ResponseStartListener) {
    this.instance = instance;
    this.signal = signal;
    this.#started = started;
  }

  /** Hears the caller's signal (EventListener object form: no closure per call) or its attempt; false when it has aborted already. */
  listen(): boolean {
    const signal = this.signal;
    if (signal.aborted) {
      this.#fail(abortError(this.instance, signal, signal.reason));
      return false;
    }
    if (isAttemptAbort(signal)) signal.watch(this);
    else signal.addEventListener('abort', this, { once: true });
    return true;
  }

  #unlisten(): void {
    const signal = this.signal;
    if (isAttemptAbort(signal)) signal.unwatch(this);
    else signal.removeEventListener('abort', this);
  }

  /** The signal fired (or the attempt was aborted): the caller hears at once, even while the request still waits for a free connection. */
  handleEvent(): void {
    if (this.#finished) return;
    const error = abortError(this.instance, this.signal, this.signal.reason);
    this.#fail(error);
    this.#abort?.(error);
  }

  /** Ends the request (its socket goes): for a consumer that stopped early or a body that is no longer wanted. */
  protected abortRequest(error: Error): void {
    this.#finished = true;
    this.#unlisten();
    this.#abort?.(error);
  }

  onConnect(abort: (error?: Error) => void): void {
    this.#abort = abort;
    // Aborted while it waited for a connection: it is not sent.
    if (this.#finished) abort(new UpstreamError('aborted', this.instance, `call to ${this.instance} was aborted`));
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[], resume: () => void): boolean {
    if (this.#finished) return true;
    this.#headersSeen = true;
    this.resumeBody = resume;
    this.#started?.responseStarted();
    if (statusCode >= 400) {
      this.#errorStatus = statusCode;
      this.#errorChunks = [];
      this.#errorRetryAfter = headerValue(rawHeaders, 'retry-after');
      return true;
    }
    return this.responded(statusCode);
  }

  onData(chunk: Buffer): boolean {
    if (this.#finished) return true;
    if (this.#errorChunks) {
      if (this.#errorBytes < maxErrorBodyBytes) {
        this.#errorChunks.push(chunk);
        this.#errorBytes += chunk.length;
      }
      return true;
    }
    return this.body(chunk);
  }

  onComplete(): void {
    this.#unlisten();
    if (this.#finished) return;
    if (this.#errorChunks) {
      this.#fail(this.#statusError(Buffer.concat(this.#errorChunks).toString('utf8')));
      return;
    }
    this.#finished = true;
    this.ended();
  }

  onError(error: Error): void {
    this.#unlisten();
    if (this.#finished) return;
    // The mapping `pool.request` callers made: before the headers a connection fault, in an error body the status alone.
    if (this.signal.aborted) this.#fail(abortError(this.instance, this.signal, error));
    else if (this.#errorChunks) this.#fail(this.#statusError(''));
    else if (!this.#headersSeen) this.#fail(new UpstreamError('connect', this.instance, `cannot reach ${this.instance}: ${error.message}`, { cause: error }));
    else this.#fail(this.bodyError(error));
  }

  #fail(error: UpstreamError): void {
    if (this.#finished) return;
    this.#finished = true;
    this.#unlisten();
    this.failed(error);
  }

  #statusError(text: string): UpstreamError {
    return new UpstreamError('status', this.instance, `${this.instance} answered ${this.#errorStatus}: ${text.slice(0, 300)}`, {
      status: this.#errorStatus,
      retryAfterMs: parseRetryAfter(this.#errorRetryAfter),
      body: text.slice(0, 2_000),
    });
  }

  /** A 2xx response started; false pauses the body until `resumeBody`. */
  protected abstract responded(statusCode: number): boolean;
  /** A piece of a 2xx body; false pauses the body until `resumeBody`. */
  protected abstract body(chunk: Buffer): boolean;
  /** The 2xx body ended. */
  protected abstract ended(): void;
  /** The call failed, with the error its caller should see; called once, never after `ended`. */
  protected abstract failed(error: UpstreamError): void;
  /** What a 2xx body that broke off becomes. */
  protected abstract bodyError(error: Error): UpstreamError;
}

/** One header of undici's raw list (name, value, name, value…), compared without case; the first one wins. */
function headerValue(rawHeaders: Buffer[], name: string): string | undefined {
  for (let index = 0; index + 1 < rawHeaders.length; index += 2) {
    const key = rawHeaders[index]!;
    if (key.length === name.length && key.toString('latin1').toLowerCase() === name) return rawHeaders[index + 1]!.toString('latin1');
  }
  return undefined;
}
