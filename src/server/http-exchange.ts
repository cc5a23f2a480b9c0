/**
 * One request and its response, independent of the transport, so the same route handlers
 * serve node:http and AWS Lambda.
 */

import type { RequestAbort } from '../pipeline/request-abort.js';

/** How much a streamed response may buffer for a slow client, and how long it may stall before it is dropped. */
export interface StreamLimits {
  stallTimeoutMs: number;
  maxBufferedBytes: number;
}

export interface StreamSink {
  /**
   * Writes a chunk; false means the transport's buffer is full and the caller should await `drained()`.
   * `ascii`: the caller knows every character is below 128, so its bytes are its characters and the
   * transport need not scan it for its UTF-8 length (Node's chunked framing does, per write).
   */
  write(chunk: string, ascii?: boolean): boolean;
  drained(): Promise<void>;
  end(): void;
  /** Drops the connection at once (a client that stopped reading); transports that cannot may leave it out. */
  abort?(reason: Error): void;
  /** The transport's own limits; writers use their defaults without them. */
  readonly limits?: Partial<StreamLimits>;
  /** True once the client went away. */
  readonly closed: boolean;
}

export interface HttpExchange {
  readonly method: string;
  /** Path without the query string. */
  readonly path: string;
  readonly query: URLSearchParams;
  /** Lower-case header names. */
  header(name: string): string | undefined;
  /** The raw body; rejects with `body_too_large` past the limit. */
  readBody(limitBytes: number): Promise<Buffer>;
  /** Aborted when the client disconnects before the response ends (and, where `requestAbort` is given, by a deadline armed on it). */
  readonly signal: AbortSignal;
  /**
   * The owner of `signal`, when the exchange lets a deadline share it: then `signal.aborted` alone does
   * not say the client left, `requestAbort.clientGone` does. Without it, an aborted signal is a client that left.
   */
  readonly requestAbort?: RequestAbort;
  /** Extra response headers set by stages before the response starts (Server-Timing, Retry-After). */
  setHeader(name: string, value: string): void;
  respond(status: number, body: string, contentType?: string): void;
  /** Starts a streamed response; its headers are sent with the first write, which the caller makes in the same tick. */
  startStream(status: number, contentType: string): StreamSink;
  readonly responded: boolean;
  /** The status sent, once the response started; 0 before. */
  readonly status: number;
}
