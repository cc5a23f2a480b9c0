/** Splits a byte stream of server-sent events into events, without copying more than the current partial line. */

import { StringDecoder } from 'node:string_decoder';

export interface SseEvent {
  event: string | undefined;
  data: string;
}

/**
 * A push parser: feed it network chunks, it calls back once per complete event. Callers on
 * the streaming hot path use it directly so that several events in one chunk cost one
 * iteration of their own loop, not one async step each.
 */
export class SseParser {
  // Not TextDecoder: its streaming decode of a small chunk cost several times StringDecoder's (one per network read).
  readonly #decoder = new StringDecoder('utf8');
  /** Until the first character: a byte-order mark there is not part of the stream (as TextDecoder would drop it). */
  #atStart = true;
  #buffer = '';
  #event: string | undefined;
  #data = '';
  #hasData = false;

  push(chunk: Uint8Array, onEvent: (event: string | undefined, data: string) => void): void {
    const buffer = this.#buffer + this.#decode(chunk);
    let start = 0;
    let newline: number;
    while ((newline = buffer.indexOf('\n', start)) !== -1) {
      const end = newline > start && buffer.charCodeAt(newline - 1) === 13 ? newline - 1 : newline;
      const lineStart = start;
      start = newline + 1;
      if (end === lineStart) {
        if (this.#hasData) onEvent(this.#event, this.#data);
        this.#event = undefined;
        this.#data = '';
        this.#hasData = false;
      } else if (buffer.startsWith('data:', lineStart)) {
        const valueStart = buffer.charCodeAt(lineStart + 5) === 32 ? lineStart + 6 : lineStart + 5;
        const value = buffer.slice(valueStart, end);
        this.#data = this.#hasData ? `${this.#data}\n${value}` : value;
        this.#hasData = true;
      } else if (buffer.startsWith('event:', lineStart)) {
        this.#event = buffer.slice(buffer.charCodeAt(lineStart + 6) === 32 ? lineStart + 7 : lineStart + 6, end);
      }
    }
    this.#buffer = start === buffer.length ? '' : buffer.slice(start);
  }

  #decode(chunk: Uint8Array): string {
    return this.#withoutByteOrderMark(this.#decoder.write(chunk));
  }

  #withoutByteOrderMark(text: string): string {
    if (!this.#atStart || text.length === 0) return text;
    this.#atStart = false;
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  }

  /** Flushes an event the stream ended without a blank line after. */
  end(onEvent: (event: string | undefined, data: string) => void): void {
    this.#buffer += this.#withoutByteOrderMark(this.#decoder.end());
    if (this.#buffer.length > 0) this.push(new Uint8Array([10]), onEvent);
    if (this.#hasData) onEvent(this.#event, this.#data);
    this.#hasData = false;
  }
}
