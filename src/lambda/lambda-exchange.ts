/** HttpExchange over an API Gateway HTTP API (payload 2.0) or Function URL event, buffered or streamed. */

import { SwitchboardError } from '../errors.js';
import type { HttpExchange, StreamSink } from '../server/http-exchange.js';

/** The fields of the 2.0 event payload that Switchboard reads. */
export interface LambdaHttpEvent {
  rawPath: string;
  rawQueryString?: string;
  headers?: Record<string, string | undefined>;
  cookies?: string[];
  body?: string;
  isBase64Encoded?: boolean;
  requestContext: { http: { method: string; path?: string; sourceIp?: string } };
}

export interface LambdaHttpResult {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
  isBase64Encoded: false;
}

/** Where a streamed response goes: in Lambda, `awslambda.HttpResponseStream.from(responseStream, metadata)`. */
export type OpenResponseStream = (metadata: { statusCode: number; headers: Record<string, string> }) => NodeJS.WritableStream & { writableNeedDrain?: boolean };

export class LambdaExchange implements HttpExchange {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly signal: AbortSignal;
  readonly #event: LambdaHttpEvent;
  readonly #headers: Record<string, string> = {};
  readonly #openStream: OpenResponseStream | undefined;
  #result: LambdaHttpResult | undefined;
  #streamed: { write: (chunk: string) => boolean; end: () => void } | undefined;
  #finished!: () => void;
  #status = 0;
  /** Settles when the response is complete, buffered or streamed. */
  readonly finished: Promise<void>;

  constructor(event: LambdaHttpEvent, options: { signal?: AbortSignal; openStream?: OpenResponseStream } = {}) {
    this.#event = event;
    this.method = event.requestContext.http.method.toUpperCase();
    this.path = event.rawPath || event.requestContext.http.path || '/';
    this.query = new URLSearchParams(event.rawQueryString ?? '');
    this.signal = options.signal ?? new AbortController().signal;
    this.#openStream = options.openStream;
    this.finished = new Promise((resolve) => {
      this.#finished = resolve;
    });
  }

  get responded(): boolean {
    return this.#result !== undefined || this.#streamed !== undefined;
  }

  get status(): number {
    return this.#status;
  }

  /** The buffered result (including a stream collected in buffered mode). */
  get result(): LambdaHttpResult | undefined {
    return this.#result;
  }

  header(name: string): string | undefined {
    const headers = this.#event.headers;
    if (!headers) return undefined;
    // Payload 2.0 lower-cases header names; look further only when a proxy did not.
    return headers[name] ?? Object.entries(headers).find(([key]) => key.toLowerCase() === name)?.[1];
  }

  async readBody(limitBytes: number): Promise<Buffer> {
    const { body, isBase64Encoded } = this.#event;
    const raw = body === undefined ? Buffer.alloc(0) : Buffer.from(body, isBase64Encoded ? 'base64' : 'utf8');
    if (raw.length > limitBytes) throw new SwitchboardError('body_too_large', `The request body is over the limit of ${limitBytes} bytes.`);
    return raw;
  }

  setHeader(name: string, value: string): void {
    this.#headers[name] = value;
  }

  respond(status: number, body: string, contentType = 'application/json'): void {
    if (this.responded) return;
    this.#status = status;
    const headers = { 'content-type': contentType, ...this.#headers };
    if (this.#openStream) {
      const stream = this.#openStream({ statusCode: status, headers });
      stream.end(body);
      this.#streamed = { write: () => false, end: () => undefined };
    } else {
      this.#result = { statusCode: status, headers, body, isBase64Encoded: false };
    }
    this.#finished();
  }

  startStream(status: number, contentType: string): StreamSink {
    this.#status = status;
    const headers = { 'content-type': contentType, 'cache-control': 'no-cache', ...this.#headers };
    let ended = false;
    if (this.#openStream) {
      const stream = this.#openStream({ statusCode: status, headers });
      this.#streamed = { write: (chunk) => stream.write(chunk), end: () => stream.end() };
      return {
        write: (chunk) => stream.write(chunk),
        drained: () => (stream.writableNeedDrain ? new Promise((resolve) => stream.once('drain', () => resolve())) : Promise.resolve()),
        end: () => {
          if (ended) return;
          ended = true;
          stream.end();
          this.#finished();
        },
        get closed() {
          return ended;
        },
      };
    }
    // Buffered mode (API Gateway HTTP API): the events are collected and returned at the end.
    const chunks: string[] = [];
    this.#streamed = { write: () => true, end: () => undefined };
    return {
      write: (chunk) => (chunks.push(chunk), true),
      drained: () => Promise.resolve(),
      end: () => {
        if (ended) return;
        ended = true;
        this.#result = { statusCode: status, headers, body: chunks.join(''), isBase64Encoded: false };
        this.#finished();
      },
      get closed() {
        return ended;
      },
    };
  }
}
