/**
 * A keep-alive pool of undici Clients, one connection each, that picks a free one in O(1): idle
 * clients wait on a stack, a request takes the top one or opens a new one up to the limit, and
 * requests beyond it wait in a FIFO queue. undici's own Pool scans its whole client list for a
 * free one on every dispatch, which at a 5,000-request spike is quadratic (docs/benchmarks.md).
 */

import type * as Undici from 'undici';
import clientModule from 'undici/lib/dispatcher/client.js';
import dispatcherBaseModule from 'undici/lib/dispatcher/dispatcher-base.js';
import connectModule from 'undici/lib/core/connect.js';
import symbolsModule from 'undici/lib/core/symbols.js';

type Client = Undici.Client;
type Handler = Undici.Dispatcher.DispatchHandler;
type DispatchOptions = Undici.Dispatcher.DispatchOptions;

const Client = clientModule as typeof Undici.Client;
const buildConnector = connectModule as (options: Record<string, unknown>) => Undici.buildConnector.connector;
// DispatcherBase gives `close`/`destroy` their once-only semantics and turns dispatches after them into errors.
const DispatcherBase = dispatcherBaseModule as typeof Undici.Dispatcher;
const { kDispatch, kClose, kDestroy } = symbolsModule as Record<'kDispatch' | 'kClose' | 'kDestroy', symbol>;

export interface FreeClientPoolOptions extends Omit<Undici.Client.Options, 'connect' | 'pipelining'> {
  connections: number;
  connect?: { timeout?: number };
}

/** One queued request: what `dispatch` was given, kept until a client is free. */
interface Waiting {
  opts: DispatchOptions;
  handler: Handler;
}

export class FreeClientPool extends DispatcherBase {
  /**
   * The origin parsed once and shared by every client, as undici's Pool shares its own: a client given
   * a string parses it with `new URL` in its constructor, and at a spike every request makes a client.
   */
  readonly #origin: URL;
  readonly #limit: number;
  readonly #clientOptions: Undici.Client.Options;
  /** Every client that may still take requests; retired ones (a failed connect) leave it. */
  readonly #clients = new Set<Client>();
  readonly #free: Client[] = [];
  readonly #waiting: (Waiting | undefined)[] = [];
  #waitingHead = 0;
  #closing: (() => void) | undefined;

  constructor(origin: string, options: FreeClientPoolOptions) {
    super();
    const { connections, connect, ...clientOptions } = options;
    this.#origin = new URL(origin);
    this.#limit = connections;
    // One connector for all clients, as undici's Pool shares one (and its TLS session cache).
    this.#clientOptions = { ...clientOptions, pipelining: 1, connect: buildConnector({ timeout: connect?.timeout }) };
  }

  [kDispatch](opts: DispatchOptions, handler: Handler): boolean {
    const client = this.#take();
    if (!client) {
      this.#waiting.push({ opts, handler });
      return false;
    }
    this.#send(client, opts, handler);
    return true;
  }

  /** The most recently freed client (its socket is the warmest), a new one under the limit, or none. */
  #take(): Client | undefined {
    let client = this.#free.pop();
    while (client && !this.#clients.has(client)) client = this.#free.pop();
    if (client || this.#clients.size >= this.#limit) return client;
    client = new Client(this.#origin, this.#clientOptions);
    // undici's Client emits 'drain' as (origin, [client]) (dispatcher/client.js); its types name only the origin.
    client.on('drain', this.#onClientDrain as (origin: URL) => void);
    client.on('connectionError', this.#onClientConnectionError);
    this.#clients.add(client);
    return client;
  }

  // One listener of each kind for all clients (undici names the client in `targets`), not two closures per client.
  readonly #onClientDrain = (_origin: URL, targets: readonly Undici.Dispatcher[]): void => this.#onFree(targets[0] as Client);
  readonly #onClientConnectionError = (_origin: URL, targets: readonly Undici.Dispatcher[]): void => this.#retire(targets[0] as Client);

  #send(client: Client, opts: DispatchOptions, handler: Handler): void {
    // With pipelining 1 the client reports busy at once and says 'drain' when its request is done.
    client.dispatch(opts, handler);
  }

  /** A client finished its request: it takes the oldest waiting one, or goes back on the stack. */
  #onFree(client: Client): void {
    if (!this.#clients.has(client)) return;
    const next = this.#shiftWaiting();
    if (next) this.#send(client, next.opts, next.handler);
    else if (this.#closing) this.#closeWhenIdle();
    else this.#free.push(client);
  }

  /** A client that could not connect is not used again (undici's Pool drops it too); a waiting request gets a new one. */
  #retire(client: Client): void {
    if (!this.#clients.delete(client)) return;
    void client.destroy().catch(() => {});
    if (this.#waitingHead < this.#waiting.length) {
      const replacement = this.#take();
      const next = replacement && this.#shiftWaiting();
      if (next) this.#send(replacement, next.opts, next.handler);
      else if (replacement) this.#free.push(replacement);
    }
  }

  #shiftWaiting(): Waiting | undefined {
    if (this.#waitingHead >= this.#waiting.length) return undefined;
    const next = this.#waiting[this.#waitingHead];
    this.#waiting[this.#waitingHead++] = undefined;
    // Compact once the consumed head is most of the array, so a long spike costs O(1) per request.
    if (this.#waitingHead > 1024 && this.#waitingHead * 2 > this.#waiting.length) {
      this.#waiting.splice(0, this.#waitingHead);
      this.#waitingHead = 0;
    }
    return next;
  }

  /** Waiting requests are still sent (as undici's Pool does); then every client is closed. */
  [kClose](): Promise<void> {
    return new Promise<void>((resolve) => {
      this.#closing = resolve;
      this.#closeWhenIdle();
    });
  }

  #closeWhenIdle(): void {
    const resolve = this.#closing;
    if (!resolve || this.#waitingHead < this.#waiting.length) return;
    this.#closing = undefined;
    this.#free.length = 0;
    void Promise.all([...this.#clients].map((client) => client.close())).then(() => resolve());
  }

  [kDestroy](error: Error): Promise<void> {
    let next: Waiting | undefined;
    while ((next = this.#shiftWaiting())) next.handler.onError?.(error);
    this.#free.length = 0;
    const clients = [...this.#clients];
    this.#clients.clear();
    return Promise.all(clients.map((client) => client.destroy(error))).then(() => undefined);
  }
}
