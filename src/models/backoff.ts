/** Exponential backoff with full jitter, honouring a backend's Retry-After when it asks for longer. */

import { offCallerAbort, onCallerAbort, type CallerSignal } from './caller-abort.js';

export interface BackoffOptions {
  baseDelayMs: number;
  maxDelayMs: number;
}

/** Delay before retry number `attempt` (1 for the first retry). */
export function backoffDelayMs(attempt: number, options: BackoffOptions, random: () => number, retryAfterMs?: number): number {
  const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (attempt - 1));
  const jittered = random() * ceiling;
  return retryAfterMs !== undefined ? Math.max(jittered, Math.min(retryAfterMs, options.maxDelayMs)) : jittered;
}

export function sleep(ms: number, signal?: CallerSignal): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      if (signal) offCallerAbort(signal, onAbort);
      resolve();
    }, ms);
    const onAbort = {
      handleEvent(): void {
        clearTimeout(timer);
        reject(signal!.reason);
      },
    };
    if (signal) onCallerAbort(signal, onAbort);
  });
}
