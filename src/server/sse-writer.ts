/**
 * Writes server-sent events with bounded coalescing: while the client's socket is full, events
 * are joined into one pending string and written in one go on 'drain'; past a byte cap the relay
 * waits for the client instead of growing a buffer, and a client stalled too long is given up on.
 */

import type { StreamLimits, StreamSink } from './http-exchange.js';

export class SlowClientError extends Error {
  override readonly name = 'SlowClientError';
}

export const defaultStreamLimits: Readonly<StreamLimits> = {
  stallTimeoutMs: 30_000,
  // Two or three dozen typical chunks: enough to keep the relay reading while one write is in flight.
  maxBufferedBytes: 64 * 1024,
};

export class SseWriter {
  readonly #sink: StreamSink;
  readonly #stallTimeoutMs: number;
  readonly #maxBufferedBytes: number;
  /** Frames written while the socket was full, sent as one write on 'drain'. UTF-16 length, close to bytes for SSE. */
  #pending = '';
  /** Set while the socket is full: resolves once everything pending has been handed to the socket. */
  #flushing: Promise<void> | undefined;
  #failure: SlowClientError | undefined;

  constructor(sink: StreamSink, limits: Partial<StreamLimits> = sink.limits ?? {}) {
    this.#sink = sink;
    this.#stallTimeoutMs = limits.stallTimeoutMs ?? defaultStreamLimits.stallTimeoutMs;
    this.#maxBufferedBytes = limits.maxBufferedBytes ?? defaultStreamLimits.maxBufferedBytes;
  }

  get closed(): boolean {
    return this.#sink.closed || this.#failure !== undefined;
  }

  /** Characters waiting in this writer for the client's socket to drain (not counting the socket's own buffer). */
  get bufferedBytes(): number {
    return this.#pending.length;
  }

  /**
   * Sends one event. Returns at once while the socket accepts writes or while the pending
   * buffer is under its cap; past the cap it waits until the client has read, so the caller
   * reads no more from upstream meanwhile. Rejects with `SlowClientError` (and drops the
   * connection) when the client reads nothing for the stall timeout.
   */
  send(data: string, event?: string): Promise<void> | undefined {
    return this.sendFrame(event === undefined ? `data: ${data}\n\n` : `event: ${event}\ndata: ${data}\n\n`);
  }

  /**
   * `send` for a frame the caller has framed already (`data: …\n\n`, a single-line `data`): a stream's
   * per-token frames are built from a head and tail made once, so a token is joined once, not twice.
   * `ascii` as `StreamSink.write` takes it: true only when the caller knows no character is above 127.
   */
  sendFrame(frame: string, ascii = false): Promise<void> | undefined {
    if (this.closed) return undefined;
    if (this.#flushing) {
      this.#pending += frame;
      return this.#pending.length < this.#maxBufferedBytes ? undefined : this.#flushing;
    }
    if (this.#sink.write(frame, ascii)) return undefined;
    this.#flushing = this.#flushWhenDrained();
    // Nobody may await this promise before it settles (the cap is not reached yet); its failure is
    // reported by the next send or by end(), so it must not count as unhandled.
    this.#flushing.catch(() => undefined);
    return undefined;
  }

  /** Waits for 'drain' (bounded by the stall timeout), writes what piled up meanwhile, and repeats until the socket keeps up. */
  async #flushWhenDrained(): Promise<void> {
    try {
      do {
        await this.#drainedWithin();
        if (this.#sink.closed) return;
        const pending = this.#pending;
        this.#pending = '';
        if (pending === '' || this.#sink.write(pending)) return;
      } while (!this.#sink.closed);
    } catch (error) {
      this.#failure = error as SlowClientError;
      this.#pending = '';
      // The client stopped reading: free the socket and its buffers now rather than when it finally leaves.
      this.#sink.abort?.(this.#failure);
      throw error;
    } finally {
      this.#flushing = undefined;
    }
  }

  async #drainedWithin(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const stalled = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new SlowClientError(`client read nothing for ${this.#stallTimeoutMs} ms`)), this.#stallTimeoutMs);
    });
    try {
      await Promise.race([this.#sink.drained(), stalled]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Ends the stream once what is pending has been written; a client that never drains is given up on at the stall timeout. */
  end(): void {
    if (this.#sink.closed) return;
    if (!this.#flushing) {
      this.#sink.end();
      return;
    }
    this.#flushing.then(
      () => {
        if (!this.#sink.closed) this.#sink.end();
      },
      () => undefined,
    );
  }
}
