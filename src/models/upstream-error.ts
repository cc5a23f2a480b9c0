/** The one error type for a failed upstream call; whether it may be retried is decided here, where it is made. */

export type UpstreamFailureKind = 'connect' | 'status' | 'first-token-timeout' | 'total-timeout' | 'protocol' | 'stream-broken' | 'aborted';

/** Statuses worth another attempt: the backend may answer differently next time. */
const retryableStatuses = new Set([408, 409, 429, 500, 502, 503, 504]);

export class UpstreamError extends Error {
  override readonly name = 'UpstreamError';
  readonly kind: UpstreamFailureKind;
  readonly status: number | undefined;
  readonly retryable: boolean;
  /**
   * Whether the failure says the instance is unwell and counts against its circuit breaker:
   * unreachable, slow, broken, overloaded or erring. A 4xx about the request (or a 409) and
   * a call the caller abandoned do not.
   */
  readonly instanceFault: boolean;
  /** From the backend's `Retry-After`, in milliseconds. */
  readonly retryAfterMs: number | undefined;
  readonly instance: string;
  /** The error body the backend answered with (status failures), for the client's message and the logs. */
  readonly body: string | undefined;

  constructor(kind: UpstreamFailureKind, instance: string, message: string, options: { status?: number; retryAfterMs?: number; body?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.kind = kind;
    this.instance = instance;
    this.status = options.status;
    this.retryAfterMs = options.retryAfterMs;
    this.body = options.body;
    this.retryable =
      kind === 'connect' || kind === 'first-token-timeout' || kind === 'total-timeout' || kind === 'stream-broken' ||
      (kind === 'status' && options.status !== undefined && (retryableStatuses.has(options.status) || options.status >= 500));
    this.instanceFault = kind === 'protocol' || (this.retryable && options.status !== 409);
  }
}

export function isUpstreamError(error: unknown): error is UpstreamError {
  return typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'UpstreamError';
}

/** Parses `Retry-After` (seconds or an HTTP date) into milliseconds. */
export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (!text) return undefined;
  const seconds = Number(text);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
