/** One timed HTTP exchange of a load run (POST, then a streamed or whole reply), recorded into the run's columns. */

import type { IncomingHttpHeaders } from 'node:http';
import type { Dispatcher } from 'undici';
import type { LoadRecorder } from './load-recorder.js';
import { SseTokenCounter, type SseDialect } from './sse-token-counter.js';

export interface Cancellable {
  cancel(): void;
}

/** What every request of one run shares; built once by the load generator. */
export interface ExchangeContext {
  readonly dispatcher: Dispatcher;
  /** The server's origin, `http://host:port`. */
  readonly origin: string;
  /** The base URL's path without a trailing slash ('' for a bare origin). */
  readonly basePath: string;
  readonly headers: Record<string, string>;
  readonly recorder: LoadRecorder;
  readonly stream: boolean;
  readonly timeoutMs: number;
  /** Milliseconds since the run's origin. */
  readonly now: () => number;
  /** Requests under way, so a hard stop can cancel them all. */
  readonly live: Set<Cancellable>;
  /** Set once the run is hard-stopped: aborted requests are then 'cancelled', not 'timeout'. */
  cancelled: boolean;
}

/** A failure already named by its kind. */
export class ExchangeFailure extends Error {
  override readonly name = 'ExchangeFailure';
  constructor(readonly kind: string) {
    super(kind);
  }
}

/** Names a failure by what a reader can act on: 'timeout', 'ECONNREFUSED', 'UND_ERR_SOCKET', … */
export function errorKindOf(error: unknown, timedOut: boolean, cancelled: boolean): string {
  if (timedOut) return 'timeout';
  if (cancelled) return 'cancelled';
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'ETIMEDOUT') {
    return 'timeout';
  }
  if (typeof code === 'string' && code !== '') return code;
  // A connection error sometimes hides its code in `cause`.
  const cause = typeof error === 'object' && error !== null ? (error as { cause?: unknown }).cause : undefined;
  if (cause && cause !== error) return errorKindOf(cause, false, false);
  return error instanceof Error ? error.name : 'error';
}

/** `usage.completion_tokens` of a whole JSON reply, or undefined when the body is not the expected JSON. */
function completionTokensOf(text: string, requiredKey: string): number | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || !(requiredKey in parsed)) return undefined;
  const usage = (parsed as { usage?: { completion_tokens?: unknown } }).usage;
  return typeof usage?.completion_tokens === 'number' ? usage.completion_tokens : 0;
}

const STOPPED = new Error('stopped by the load generator');

/**
 * One request as an undici dispatch handler: chunks arrive as plain callbacks, without the
 * Readable stream, AbortSignal and listeners of `request()`, and nothing is allocated per
 * chunk beyond undici's own buffer, so a spike of thousands costs the generator little.
 * Whichever end comes first (reply, error, timeout, hard stop) records it, once.
 */
class ExchangeHandler implements Dispatcher.DispatchHandler, Cancellable {
  private controller: Dispatcher.DispatchController | null = null;
  private statusCode = 0;
  private firstTokenAt = -1;
  private finished = false;
  private timedOut = false;
  private wrongContentType = false;
  private readonly counter: SseTokenCounter | null;
  /** Body chunks of a whole (not streamed) reply. */
  private readonly chunks: Buffer[] | null;
  private readonly timer: NodeJS.Timeout;
  readonly done: Promise<void>;
  private resolveDone!: () => void;

  constructor(
    private readonly context: ExchangeContext,
    private readonly index: number,
    dialect: SseDialect,
    private readonly requiredKey: string,
  ) {
    this.counter = context.stream ? new SseTokenCounter(dialect) : null;
    this.chunks = context.stream ? null : [];
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
    this.timer = setTimeout(() => {
      this.timedOut = true;
      this.stop('timeout');
    }, context.timeoutMs);
    context.live.add(this);
  }

  /** The hard stop of the whole run. */
  cancel(): void {
    this.stop('cancelled');
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    // Stopped while it waited for a socket: never send it.
    if (this.finished) controller.abort(STOPPED);
    else this.controller = controller;
  }

  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number, headers: IncomingHttpHeaders): void {
    this.statusCode = statusCode;
    // A 2xx that is not an event stream when one was asked for is a wrong answer, not a truncated stream.
    const contentType = headers['content-type'];
    if (this.counter && statusCode >= 200 && statusCode < 300 && !(typeof contentType === 'string' && contentType.includes('text/event-stream'))) {
      this.wrongContentType = true;
    }
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.finished || this.statusCode < 200 || this.statusCode >= 300 || this.wrongContentType) return;
    const counter = this.counter;
    if (counter) {
      counter.push(chunk);
      if (this.firstTokenAt < 0 && counter.tokens > 0) this.firstTokenAt = this.context.now();
    } else {
      this.chunks?.push(chunk);
    }
  }

  onResponseEnd(): void {
    if (this.finished) return;
    const endedAt = this.context.now();
    const status = this.statusCode;
    if (status < 200 || status >= 300) return this.fail(endedAt, String(status));
    if (this.wrongContentType) return this.fail(endedAt, 'bad_response');
    const counter = this.counter;
    if (counter) {
      counter.finish();
      if (counter.errored) return this.fail(endedAt, 'stream_error');
      if (!counter.done) return this.fail(endedAt, 'truncated');
      const firstTokenAt = this.firstTokenAt < 0 ? endedAt : this.firstTokenAt;
      return this.succeed(endedAt, firstTokenAt, counter.tokenCount);
    }
    const chunks = this.chunks ?? [];
    const text = chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8');
    const tokens = completionTokensOf(text, this.requiredKey);
    if (tokens === undefined) this.fail(endedAt, 'bad_response');
    else this.succeed(endedAt, endedAt, tokens);
  }

  onResponseError(_controller: Dispatcher.DispatchController | null, error: Error): void {
    if (this.finished) return;
    this.fail(this.context.now(), errorKindOf(error, this.timedOut, this.context.cancelled));
  }

  /** Ends the request now as `kind`; the abort's own error callback then finds it finished. */
  private stop(kind: string): void {
    if (this.finished) return;
    this.fail(this.context.now(), kind);
    this.controller?.abort(STOPPED);
  }

  private succeed(endedAt: number, firstTokenAt: number, tokens: number): void {
    this.settle();
    const recorder = this.context.recorder;
    recorder.succeed(this.index, endedAt, firstTokenAt - recorder.startMs[this.index]!, tokens);
    this.resolveDone();
  }

  private fail(endedAt: number, kind: string): void {
    this.settle();
    this.context.recorder.fail(this.index, endedAt, kind);
    this.resolveDone();
  }

  private settle(): void {
    this.finished = true;
    clearTimeout(this.timer);
    this.context.live.delete(this);
  }
}

/**
 * POSTs `body` to `path`, records the outcome and never throws. `dialect` says how a stream
 * is read; `requiredKey` is a field a whole reply must have (`choices`, `message`).
 */
export function runExchange(context: ExchangeContext, path: string, body: string, dialect: SseDialect, requiredKey: string): Promise<void> {
  const index = context.recorder.begin(context.now());
  const handler = new ExchangeHandler(context, index, dialect, requiredKey);
  try {
    context.dispatcher.dispatch({ origin: context.origin, path: context.basePath + path, method: 'POST', headers: context.headers, body }, handler);
  } catch (error) {
    handler.onResponseError(null, error as Error);
  }
  return handler.done;
}

/** A small JSON POST outside the measurements (turn-session creation); throws an Error whose message is the error kind. */
export async function postJsonUntimed(context: ExchangeContext, path: string, body: string): Promise<unknown> {
  const controller = new AbortController();
  const cancellable: Cancellable = { cancel: () => controller.abort() };
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, context.timeoutMs);
  context.live.add(cancellable);
  try {
    const response = await context.dispatcher.request({
      path: context.basePath + path,
      method: 'POST',
      headers: context.headers,
      body,
      signal: controller.signal,
    });
    const text = await response.body.text();
    if (response.statusCode < 200 || response.statusCode >= 300) throw new ExchangeFailure(String(response.statusCode));
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new ExchangeFailure('bad_response');
    }
  } catch (error) {
    if (error instanceof ExchangeFailure) throw error;
    throw new ExchangeFailure(errorKindOf(error, timedOut, context.cancelled));
  } finally {
    clearTimeout(timer);
    context.live.delete(cancellable);
  }
}
