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
  /** Response headers set so far, as names and values in turn: writeHead takes the list as it is. */
  #headers: string[] | undefined;
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
    // 'close' fires once: `on` spares the once-wrapper a request.
    response.on('close', () => {
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
    const buffered = takeCompleteBody(request);
    if (buffered !== undefined) return checkedBody(buffered, limitBytes, budget, upfront);
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
    const headers = (this.#headers ??= []);
    for (let index = 0; index < headers.length; index += 2) {
      if (headers[index] === name) {
        headers[index + 1] = value;
        return;
      }
    }
    headers.push(name, value);
  }

  /** The fixed headers of a response, then those set (one set under a fixed name replaces its value), as writeHead's flat list. */
  #headerList(fixed: string[]): string[] {
    const set = this.#headers;
    if (set === undefined) return fixed;
    const fixedLength = fixed.length;
    for (let index = 0; index < set.length; index += 2) {
      const name = set[index]!;
      let replaced = false;
      for (let at = 0; at < fixedLength; at += 2) {
        if (fixed[at] === name) {
          fixed[at + 1] = set[index + 1]!;
          replaced = true;
          break;
        }
      }
      if (!replaced) fixed.push(name, set[index + 1]!);
    }
    return fixed;
  }

  respond(status: number, body: string, contentType = 'application/json'): void {
    if (this.#responded) return;
    this.#responded = true;
    this.#status = status;
    // A body left unread (refused before or while it was read) is not drained: the connection closes.
    if (!this.#request.complete) this.#response.shouldKeepAlive = false;
    this.#response.writeHead(status, this.#headerList(['content-type', contentType, 'content-length', String(Buffer.byteLength(body))]));
    this.#response.end(body);
  }

  startStream(status: number, contentType: string): StreamSink {
    this.#responded = true;
    this.#status = status;
    const response = this.#response;
    response.writeHead(status, this.#headerList(['content-type', contentType, 'cache-control', 'no-cache', 'x-accel-buffering', 'no']));
    // No flushHeaders(): every caller writes its first event in the same tick, and the headers go out
    // in that write — flushing them first cost every stream a syscall of its own.
    const abort = this.requestAbort;
    return {
      // ASCII written as latin1: the same bytes, its length without Buffer.byteLength's flatten and scan.
      write: (chunk, ascii) => response.write(chunk, ascii === true ? 'latin1' : 'utf8'),
      drained: () =>
        new Promise<void>((resolve) => {
          if (!response.writableNeedDrain || abort.aborted) return resolve();
          const done = {
            handleEvent: () => {
              response.off('drain', done.handleEvent);
              abort.unlisten(done);
              resolve();
            },
          };
          response.once('drain', done.handleEvent);
          abort.listen(done);
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

/**
 * The whole body when it arrived with the headers and sits in the request's buffer, as it usually does
 * by the time the lifecycle reads it (the parser finished the message in the read that began it):
 * taken at once, with no listener, closure or rate watch; undefined when it must be read as it comes.
 */
function takeCompleteBody(request: IncomingMessage): Buffer | undefined {
  if (!request.complete || request.readableFlowing !== null || request.readableLength === 0) return undefined;
  const body = request.read() as Buffer | null;
  return body ?? undefined;
}

/** The limits `readBody` applies chunk by chunk, applied to a body taken whole; the reservation is given back at once, as at the end of a read. */
function checkedBody(body: Buffer, limitBytes: number, budget: BodyBudget | undefined, reserved: number): Promise<Buffer> {
  let held = reserved;
  try {
    if (body.length > limitBytes) return Promise.reject(new SwitchboardError('body_too_large', `The request body is over the limit of ${limitBytes} bytes.`));
    if (budget !== undefined && body.length > held) {
      if (!budget.tryReserve(body.length - held)) return Promise.reject(bodiesOverBudget(budget));
      held = body.length;
    }
    return Promise.resolve(body);
  } finally {
    budget?.release(held);
  }
}

function bodiesOverBudget(budget: BodyBudget): SwitchboardError {
  return new SwitchboardError('server_overloaded', `Request bodies being read hold ${budget.reserved} bytes, the most this server takes (server.maxPendingBodyBytes ${budget.limitBytes}).`, {
    retryAfterSeconds: 1,
  });
}
