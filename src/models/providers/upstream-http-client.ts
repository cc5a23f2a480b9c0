/** The HTTP side shared by provider adapters: one keep-alive pool per instance, POST with JSON, failures made into `UpstreamError`s. */

import type { Dispatcher } from 'undici';
import type { ResponseStartListener } from './chat-provider.js';
import type { FreeClientPool, FreeClientPoolOptions } from './free-client-pool.js';
import { loadUndici } from './load-undici.js';
import { UpstreamError, isUpstreamError, parseRetryAfter } from '../upstream-error.js';

export interface UpstreamHttpClientOptions {
  /** Base URL; its path (if any) prefixes `path`. */
  baseUrl: string;
  /** The endpoint under the base URL, for example `/v1/chat/completions`. */
  path: string;
  /** Query string without `?`, added to every call. */
  query?: string;
  headers: Record<string, string>;
  connections?: number;
  connectTimeoutMs?: number;
}

export class UpstreamHttpClient {
  readonly instance: string;
  #pool: FreeClientPool | undefined;
  readonly #origin: string;
  readonly #poolOptions: FreeClientPoolOptions;
  readonly #path: string;
  readonly #basePath: string;
  readonly #query: string;
  readonly #headers: Record<string, string>;

  constructor(options: UpstreamHttpClientOptions) {
    const url = new URL(options.baseUrl);
    this.instance = options.baseUrl;
    this.#origin = url.origin;
    this.#basePath = url.pathname.replace(/\/+$/, '');
    this.#query = options.query ? `?${options.query}` : '';
    this.#path = this.pathOf(options.path);
    this.#poolOptions = {
      connections: options.connections ?? 8192,
      connect: { timeout: options.connectTimeoutMs ?? 2_000 },
      keepAliveTimeout: 30_000,
      // Timeouts per call are enforced by the router's abort signal, which knows first-token and total limits.
      headersTimeout: 0,
      bodyTimeout: 0,
    };
    this.#headers = { 'content-type': 'application/json', ...options.headers };
  }

  /** The request path of another endpoint of the same instance, for example `/v1/embeddings`. */
  pathOf(endpoint: string): string {
    return `${this.#basePath}${endpoint}${this.#query}`;
  }

  /** The keep-alive pool, made once on first use (see load-undici.ts); one connection per request in flight, free ones found in O(1). */
  async #createPool(): Promise<FreeClientPool> {
    const { FreeClientPool } = await loadUndici();
    return (this.#pool ??= new FreeClientPool(this.#origin, this.#poolOptions));
  }

  /** Sends the body; resolves with a 2xx response, otherwise throws the `UpstreamError` that says whether to retry. `started` hears of the response headers. */
  async post(body: string, extraHeaders: Record<string, string> | undefined, signal: AbortSignal, path = this.#path, started?: ResponseStartListener): Promise<Dispatcher.ResponseData> {
    let response: Dispatcher.ResponseData;
    try {
      const pool = this.#pool ?? (await this.#createPool());
      response = await pool.request({
        method: 'POST',
        path,
        headers: extraHeaders ? { ...this.#headers, ...extraHeaders } : this.#headers,
        body,
        signal,
      });
    } catch (error) {
      if (signal.aborted) throw abortError(this.instance, signal, error);
      throw new UpstreamError('connect', this.instance, `cannot reach ${this.instance}: ${(error as Error).message}`, { cause: error });
    }
    started?.responseStarted();
    if (response.statusCode >= 400) {
      const text = await response.body.text().catch(() => '');
      throw new UpstreamError('status', this.instance, `${this.instance} answered ${response.statusCode}: ${text.slice(0, 300)}`, {
        status: response.statusCode,
        retryAfterMs: parseRetryAfter(response.headers['retry-after']),
        body: text.slice(0, 2_000),
      });
    }
    return response;
  }

  close(): Promise<void> {
    return this.#pool?.close() ?? Promise.resolve();
  }
}

/** How long a body may take to end after its stream said it was done, before its connection is given up. */
const drainAfterDoneMs = 2_000;

/**
 * A streamed body whose last event has been read: what is left (normally only the chunked terminator,
 * often already in) is read off, so the connection goes back to the pool. Destroying the body there
 * instead, as leaving a `for await` does, made undici close the socket: every stream paid a new
 * connection. A server that keeps sending after it said done is cut off at `drainAfterDoneMs`.
 */
export function releaseAfterDone(body: Dispatcher.ResponseData['body']): void {
  if (body.readableEnded || body.destroyed) return;
  const timer = setTimeout(() => body.destroy(), drainAfterDoneMs);
  body.dump({ limit: Number.MAX_SAFE_INTEGER }).then(
    () => clearTimeout(timer),
    () => clearTimeout(timer),
  );
}

function ignoreError(): void {
  // The stream's outcome is decided already; the body's own abort error has nobody to tell.
}

/** Ends a streamed body that was left before its end (a failure, a consumer that stopped): its socket goes, and the request with it. */
export function discardBody(body: Dispatcher.ResponseData['body']): void {
  if (body.destroyed) return;
  // undici emits an abort error when a body is destroyed before its end; unheard, it would be an uncaught exception.
  body.on('error', ignoreError);
  body.destroy();
}

/** The router aborts with an `UpstreamError` as the reason when one of its timers fires; anything else is the caller leaving. */
export function abortError(instance: string, signal: AbortSignal, cause: unknown): UpstreamError {
  const reason: unknown = signal.reason;
  if (isUpstreamError(reason)) return reason;
  return new UpstreamError('aborted', instance, `call to ${instance} was aborted`, { cause });
}

/** Wraps anything thrown while reading a stream: an `UpstreamError` stays, the rest is a broken stream. */
export function streamError(instance: string, signal: AbortSignal, error: unknown): UpstreamError {
  if (signal.aborted) return abortError(instance, signal, error);
  if (isUpstreamError(error)) return error;
  return new UpstreamError('stream-broken', instance, `stream from ${instance} broke: ${(error as Error).message}`, { cause: error });
}
