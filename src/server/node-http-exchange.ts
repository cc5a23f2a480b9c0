/** HttpExchange over node:http's request and response. */

import type { IncomingMessage, ServerResponse } from 'node:http';
import { SwitchboardError } from '../errors.js';
import { RequestAbort } from '../pipeline/request-abort.js';
import type { BodyBudget } from './body-budget.js';
import type { BodyRateGuard, WatchedBody } from './body-rate-guard.js';
import type { HttpExchange, StreamLimits, StreamSink } from './http-exchange.js';

export class NodeHttpExchange implements HttpExchange {
  readonly method: string;
  readonly path: string;
  readonly #queryString: string;
  #query: URLSearchParams | undefined;
  readonly #request: IncomingMessage;
  readonly #response: ServerResponse;
  /** The request's one abort: the client leaving, and the turn deadline armed on it. */
  readonly requestAbort = new RequestAbort();
  readonly #streamLimits: Partial<StreamLimits> | undefined;
  readonly #bodyBudget: BodyBudget | undefined;
  readonly #rateGuard: BodyRateGuard | undefined;
  #headers: Record<string, string> | undefined;
  #responded = false;
  #status = 0;

  constructor(request: IncomingMessage, response: ServerResponse, streamLimits?: Partial<StreamLimits>, bodyBudget?: BodyBudget, rateGuard?: BodyRateGuard) {
    this.#rateGuard = rateGuard;
    this.#request = request;
    this.#response = response;
    this.#streamLimits = streamLimits;
    this.#bodyBudget = bodyBudget;
    this.method = request.method ?? 'GET';
    const url = request.url ?? '/';
    const queryStart = url.indexOf('?');
    this.path = queryStart === -1 ? url : url.slice(0, queryStart);
    this.#queryString = queryStart === -1 ? '' : url.slice(queryStart + 1);
    // 'close' on the response fires after it ended or when the socket died first.
    response.once('close', () => {
      if (response.writableFinished) return;
      this.requestAbort.clientLeft(new Error('client disconnected'));
    });
  }

  /** Parsed on first use: most routes never look at the query string. */
  get query(): URLSearchParams {
    return (this.#query ??= new URLSearchParams(this.#queryString));
  }

  get signal(): AbortSignal {
    return this.requestAbort.signal;
  }

  get responded(): boolean {
    return this.#responded;
  }

  get status(): number {
    return this.#status;
  }

  header(name: string): string | undefined {
    const value = this.#request.headers[name];
    return Array.isArray(value) ? value[0] : value;
  }

  readBody(limitBytes: number): Promise<Buffer> {
    const request = this.#request;
    const declared = Number(request.headers['content-length']);
    if (declared > limitBytes) {
      // Refused unread: the connection closes after the answer rather than draining the rest (respond).
      return Promise.reject(new SwitchboardError('body_too_large', `The request body is over the limit of ${limitBytes} bytes.`));
    }
    const budget = this.#bodyBudget;
    // A declared length is reserved whole before a byte is buffered; an undeclared one chunk by chunk.
    const upfront = Number.isFinite(declared) && declared > 0 ? declared : 0;
    if (budget !== undefined && upfront > 0 && !budget.tryReserve(upfront)) return Promise.reject(bodiesOverBudget(budget));
    const guard = this.#rateGuard;
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      let reserved = upfront;
      const finish = () => {
        if (guard !== undefined) guard.unwatch(watched);
        request.off('data', onData);
        request.off('end', onEnd);
        request.off('error', onError);
        request.off('close', onClose);
        budget?.release(reserved);
        reserved = 0;
      };
      const fail = (error: Error) => {
        finish();
        reject(error);
      };
      const watched: WatchedBody = { startedAt: Date.now(), received: 0, fail };
      const onData = (chunk: Buffer) => {
        size += chunk.length;
        watched.received = size;
        if (size > limitBytes) return fail(new SwitchboardError('body_too_large', `The request body is over the limit of ${limitBytes} bytes.`));
        if (budget !== undefined && size > reserved) {
          if (!budget.tryReserve(size - reserved)) return fail(bodiesOverBudget(budget));
          reserved = size;
        }
        chunks.push(chunk);
      };
      const onEnd = () => {
        finish();
        resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
      };
      const onError = (error: Error) => fail(error);
      // The peer left or the body deadline closed the socket: the reservation is given back at once.
      const onClose = () => {
        if (!request.complete) fail(new SwitchboardError('client_closed', 'The client closed the connection before its body arrived.'));
      };
      guard?.watch(watched);
      request.on('data', onData);
      request.once('end', onEnd);
      request.once('error', onError);
      request.once('close', onClose);
    });
  }

  setHeader(name: string, value: string): void {
    (this.#headers ??= {})[name] = value;
  }

  respond(status: number, body: string, contentType = 'application/json'): void {
    if (this.#responded) return;
    this.#responded = true;
    this.#status = status;
    // A body left unread (refused before or while it was read) is not drained: the connection closes.
    if (!this.#request.complete) this.#response.shouldKeepAlive = false;
    const headers: Record<string, string | number> = { 'content-type': contentType, 'content-length': Buffer.byteLength(body), ...this.#headers };
    this.#response.writeHead(status, headers);
    this.#response.end(body);
  }

  startStream(status: number, contentType: string): StreamSink {
    this.#responded = true;
    this.#status = status;
    const response = this.#response;
    response.writeHead(status, { 'content-type': contentType, 'cache-control': 'no-cache', 'x-accel-buffering': 'no', ...this.#headers });
    // No flushHeaders(): every caller writes its first event in the same tick, and the headers go out
    // in that write — flushing them first cost every stream a syscall of its own.
    const abort = this.requestAbort;
    const signal = abort.signal;
    return {
      // ASCII written as latin1: the same bytes, its length without Buffer.byteLength's flatten and scan.
      write: (chunk, ascii) => response.write(chunk, ascii === true ? 'latin1' : 'utf8'),
      drained: () =>
        new Promise<void>((resolve) => {
          if (!response.writableNeedDrain || signal.aborted) return resolve();
          const done = () => {
            response.off('drain', done);
            signal.removeEventListener('abort', done);
            resolve();
          };
          response.once('drain', done);
          signal.addEventListener('abort', done, { once: true });
        }),
      end: () => response.end(),
      // Destroying the socket fires the response's 'close', which aborts the signal and so the upstream call.
      abort: () => response.destroy(),
      limits: this.#streamLimits,
      get closed() {
        return abort.clientGone || response.destroyed;
      },
    };
  }
}

function bodiesOverBudget(budget: BodyBudget): SwitchboardError {
  return new SwitchboardError('server_overloaded', `Request bodies being read hold ${budget.reserved} bytes, the most this server takes (server.maxPendingBodyBytes ${budget.limitBytes}).`, {
    retryAfterSeconds: 1,
  });
}
