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
  /** The instance's URL: this error's `message` is for the log and names it. */
  readonly instance: string;
  /** The instance's configured name, set by the caller that knows it; clients see this, never the URL. */
  instanceName: string | undefined;
  /** The start of the backend's error body: for the log; of a 400, 404 or 422 only its `error.message` reaches the client (client-error.ts). */
  readonly body: string | undefined;

  constructor(kind: UpstreamFailureKind, instance: string, message: string, options: { status?: number; retryAfterMs?: number; cause?: unknown; body?: string } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.kind = kind;
    this.instance = instance;
    this.body = options.body;
    this.status = options.status;
    this.retryAfterMs = options.retryAfterMs;
    this.retryable =
      kind === 'connect' || kind === 'first-token-timeout' || kind === 'total-timeout' || kind === 'stream-broken' ||
      (kind === 'status' && options.status !== undefined && (retryableStatuses.has(options.status) || options.status >= 500));
    this.instanceFault = kind === 'protocol' || (this.retryable && options.status !== 409);
  }
}

const anyUrl = /\b[a-z][a-z0-9+.-]*:\/\/[^\s"']+/gi;

/**
 * What a client may read: the instance by name, never its URL; a 5xx or an unreachable backend
 * summarised (its body and the socket error stay in the log); a 4xx keeps the backend's reason.
 */
export function clientMessage(error: UpstreamError): string {
  const who = error.instanceName === undefined ? 'the model backend' : `instance "${error.instanceName}"`;
  if (error.kind === 'connect') return `cannot reach ${who}`;
  if (error.kind === 'status' && (error.status === undefined || error.status >= 500)) return `${who} answered ${error.status ?? 'an error'}`;
  return error.message.split(error.instance).join(who).replace(anyUrl, 'a backend URL');
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
