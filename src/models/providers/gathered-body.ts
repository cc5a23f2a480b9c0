/** A whole (non-streamed) answer's body gathered by an undici dispatch handler: its bytes as one string, or the call's `UpstreamError`. */

import type { ResponseStartListener } from './chat-provider.js';
import type { CallAbort } from './call-abort.js';
import { UpstreamHandler } from './upstream-handler.js';
import { UpstreamError } from '../upstream-error.js';

export class GatheredBody extends UpstreamHandler {
  /** Settles with the body text once it has ended, or with the call's error. */
  readonly text: Promise<string>;
  #resolve!: (text: string) => void;
  #reject!: (error: UpstreamError) => void;
  // Most answers arrive in one chunk: it is decoded as it is, without a copy.
  #first: Buffer | undefined;
  #rest: Buffer[] | undefined;

  constructor(instance: string, signal: CallAbort, started?: ResponseStartListener) {
    super(instance, signal, started);
    this.text = new Promise<string>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
  }

  protected responded(): boolean {
    return true;
  }

  protected body(chunk: Buffer): boolean {
    if (this.#first === undefined) this.#first = chunk;
    else (this.#rest ??= [this.#first]).push(chunk);
    return true;
  }

  protected ended(): void {
    const bytes = this.#rest ? Buffer.concat(this.#rest) : this.#first;
    this.#first = undefined;
    this.#rest = undefined;
    this.#resolve(bytes ? bytes.toString('utf8') : '');
  }

  protected failed(error: UpstreamError): void {
    this.#first = undefined;
    this.#rest = undefined;
    this.#reject(error);
  }

  protected bodyError(error: Error): UpstreamError {
    return new UpstreamError('protocol', this.instance, `${this.instance} sent a body that broke off: ${error.message}`, { cause: error });
  }
}
