/** The HTTP side shared by provider adapters: one keep-alive pool per instance, POST with JSON, failures made into `UpstreamError`s. */

import type { Dispatcher } from 'undici';
import type { CallAbort } from './call-abort.js';
import type { ResponseStartListener } from './chat-provider.js';
import type { FreeClientPool, FreeClientPoolOptions } from './free-client-pool.js';
import { loadUndici } from './load-undici.js';
import { GatheredBody } from './gathered-body.js';
import type { RawDispatchHandler, UpstreamHandler } from './upstream-handler.js';
import { UpstreamError } from '../upstream-error.js';

export { abortError, streamError } from './upstream-failure.js';

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

  /**
   * Sends the body with `handler` taking the response through undici's dispatch callbacks
   * (upstream-handler.ts): no Readable body, no AsyncResource, no promise per chunk. The handler
   * hears the caller's signal and maps every failure to its `UpstreamError`.
   */
  dispatch(body: string, extraHeaders: Record<string, string> | undefined, handler: UpstreamHandler, path = this.#path): void {
    if (!handler.listen()) return;
    const options: Dispatcher.DispatchOptions = { method: 'POST', path, headers: extraHeaders ? { ...this.#headers, ...extraHeaders } : this.#headers, body };
    // undici calls a handler without `onRequestStart` with these callbacks as they are (no wrapper per request).
    const raw = handler as RawDispatchHandler as unknown as Dispatcher.DispatchHandler;
    const pool = this.#pool;
    if (pool) pool.dispatch(options, raw);
    else this.#createPool().then((created) => created.dispatch(options, raw), (error: Error) => handler.onError(error));
  }

  /** A whole answer's body parsed as JSON (`what` names it in the error when it is not JSON); throws the call's `UpstreamError`. */
  async postForJson(body: string, extraHeaders: Record<string, string> | undefined, signal: CallAbort, path: string | undefined, started: ResponseStartListener | undefined, what: string): Promise<unknown> {
    const gathered = new GatheredBody(this.instance, signal, started);
    this.dispatch(body, extraHeaders, gathered, path);
    const text = await gathered.text;
    try {
      return JSON.parse(text) as unknown;
    } catch (error) {
      throw new UpstreamError('protocol', this.instance, `${this.instance} sent ${what} that is not JSON`, { cause: error });
    }
  }

  close(): Promise<void> {
    return this.#pool?.close() ?? Promise.resolve();
  }
}
