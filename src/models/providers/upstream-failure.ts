/** What an upstream call that failed after it was sent becomes: the router's own abort reason, an abort, or a broken stream. */

import type { AbortState } from './call-abort.js';
import { UpstreamError, isUpstreamError } from '../upstream-error.js';

/** The router aborts with an `UpstreamError` as the reason when one of its timers fires; anything else is the caller leaving. */
export function abortError(instance: string, signal: AbortState, cause: unknown): UpstreamError {
  const reason: unknown = signal.reason;
  if (isUpstreamError(reason)) return reason;
  return new UpstreamError('aborted', instance, `call to ${instance} was aborted`, { cause });
}

/** Wraps anything thrown while reading a stream: an `UpstreamError` stays, the rest is a broken stream. */
export function streamError(instance: string, signal: AbortState, error: unknown): UpstreamError {
  if (signal.aborted) return abortError(instance, signal, error);
  if (isUpstreamError(error)) return error;
  return new UpstreamError('stream-broken', instance, `stream from ${instance} broke: ${(error as Error).message}`, { cause: error });
}
